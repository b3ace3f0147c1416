"""SAP R/3 integration: ZDB through BR*Tools (oracle-sap.md §7.2-7.3, SAP-10, SAP-16).

The session starts ``brbackup -t online_split|offline_split``; BRBACKUP brackets the split
with backup mode (or a shutdown) and calls the product's split command, inside which the
array replica is made at one instant (the ``make_replica`` of the around-the-instant hook);
BRBACKUP then ends backup mode, copies the control file and saves the files through the
product's backint. Whatever fails, nothing stays in backup mode: BRBACKUP ends what it
began, and the session checks and ends anything left (OS-P14). After the replica,
BRARCHIVE saves the archived logs from the production host, never inside the split
(OS-I20). An instant recovery stops the database, keeps the current control files and redo
logs (and SPFILE) if asked, and recovers through ``brrecover`` (complete, or ``dbpit`` until
a time, SCN or log sequence), which restores missing archives with ``brrestore -a`` from
the backint store (OS-P16).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations import oracle as ora
from apprm_ref.core.integrations import sap_config as sc
from apprm_ref.core.integrations.base import MakeReplica, RecoveryOptions, Steps, around_instant
from apprm_ref.core.integrations.oracle import OracleIntegration, OracleSessionState
from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions
from apprm_ref.core.integrations.sap_recovery import brrecover_argv, sap_options
from apprm_ref.core.integrations.sap_split import SplitCall, resume
from apprm_ref.core.integrations.sap_store import RepoBackintStore
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.drivers.sap import BrResult, SapDriver
from apprm_ref.errors import ConfigError, OrchestrationError

BACKUP_TYPES = {"online": "online_split", "offline": "offline_split"}
DEVICES = ("util_file", "util_file_online")
ARCHIVE = {"save": "-s", "save_delete": "-sd", "none": ""}


@dataclass(frozen=True)
class SapOptions:
    """A SAP spec's options: the BR*Tools device and profile, the archive-log run after the
    replica, and the Oracle database the SAP system runs on."""

    device: str = "util_file"
    archive: str = "save"  # BRARCHIVE after the backup: save | save_delete | none
    profile: str | None = None  # init<SID>.sap (default: BR*Tools' own)
    parfile: str | None = None  # init<SID>.utl (default: util_par_file)
    database: str | None = None  # the Oracle application (default: the SID)
    include_cf_olf: bool = False  # offline split types put them in the replica (SAP-16)
    include_spf: bool = False


def parse_options(raw: dict[str, Any], *, spec_name: str) -> SapOptions:
    allowed = {"device", "archive", "profile", "parfile", "database"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        raise ConfigError(f"unknown SAP option {unknown[0]!r}", field=f"application.{unknown[0]}")
    device = raw.get("device", "util_file")
    if device not in DEVICES:
        raise ConfigError(f"must be one of {', '.join(DEVICES)}", field="application.device")
    archive = raw.get("archive", "save")
    if archive not in ARCHIVE:
        raise ConfigError(f"must be one of {', '.join(ARCHIVE)}", field="application.archive")
    for key in ("profile", "parfile", "database"):
        if key in raw and not isinstance(raw[key], str):
            raise ConfigError("must be a string", field=f"application.{key}")
    return SapOptions(device, archive, raw.get("profile"), raw.get("parfile"), raw.get("database"))


def sid_of(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    if not ctx.spec.objects:
        raise ConfigError("a SAP spec names its ORACLE_SID in objects", field="objects")
    return ctx.spec.objects[0]


def sap_driver(drivers: Any, sid: str) -> SapDriver:
    for drv in drivers.apps.values():
        if isinstance(drv, SapDriver) and drv.sid == sid:
            return drv
    raise ConfigError(f"no SAP system {sid!r} in this estate", field="objects")


def origin(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    return f"SAP@{ctx.spec.application_system}"


def _oracle_ctx_options(ctx: SessionContext) -> Any:
    """The SAP options as the Oracle helpers read them (include flags, the database)."""
    opts: SapOptions = ctx.app_options
    from apprm_ref.core.integrations.oracle_config import OracleOptions

    offline = ctx.spec is not None and ctx.spec.mode == "offline"
    return OracleOptions(
        include_cf_olf=offline or opts.include_cf_olf,
        include_spf=offline or opts.include_spf,  # SAP-16: offline treats the check as 1
        database=opts.database or sid_of(ctx),
    )


def _oracle_view(ctx: SessionContext, database: str, app_options: Any) -> SessionContext:
    """``ctx`` with the Oracle database as the spec's object; the session, its state and
    its undo stack are the same objects."""
    from dataclasses import replace

    assert ctx.spec is not None
    spec = ctx.spec.model_copy(update={"objects": [database]})
    return replace(ctx, spec=spec, app_options=app_options)


class SapIntegration:
    kind = "sap"

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> SapOptions:
        return parse_options(raw, spec_name=spec_name)

    def objects(self, ctx: SessionContext) -> list[str]:
        return [sid_of(ctx)]

    def _as_oracle(self, ctx: SessionContext) -> SessionContext:
        """The same session seen by the Oracle helpers (database name, include flags)."""
        opts = _oracle_ctx_options(ctx)
        return _oracle_view(ctx, opts.database, opts)

    def source_paths(self, ctx: SessionContext) -> list[str]:
        return OracleIntegration().source_paths(self._as_oracle(ctx))

    def check(self, ctx: SessionContext, sources: list[Any]) -> None:
        """The cell manager's SAP configuration (complete when present; without one the
        SAP system's own environment is used, with a warning), the Oracle checks, and
        ``init<SID>.sap`` readable."""
        sid = sid_of(ctx)
        cfg = sc.load(ctx.repo, sid)
        if cfg is None:
            ctx.warn(
                origin(ctx),
                f"No SAP configuration of {sid} on the cell manager (apprm sap config set); "
                "BR*Tools run with the SAP system's environment",
                code="SAP_NO_CONFIG",
            )
        elif sc.missing(cfg):
            raise OrchestrationError(
                f"SAP configuration of {sid} lacks {', '.join(sc.missing(cfg))} "
                "(apprm sap config set)",
                code="SAP_CONFIG",
            )
        OracleIntegration().check(self._as_oracle(ctx), sources)
        sap_driver(ctx.drivers, sid).profile()  # init<SID>.sap readable
        ctx.info(origin(ctx), f"SAP system {sid} checked")

    def before_quiesce(self, ctx: SessionContext) -> Steps:
        yield from ()

    def brbackup_argv(self, ctx: SessionContext) -> list[str]:
        assert ctx.spec is not None
        opts: SapOptions = ctx.app_options
        argv = ["-u", "/", "-c", "force", "-t", BACKUP_TYPES[ctx.spec.mode], "-d", opts.device]
        if opts.profile:
            argv += ["-p", opts.profile]
        if opts.parfile:
            argv += ["-r", opts.parfile]
        return argv

    def consistent(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        """BRBACKUP around the instant; the replica is made in the split callback."""
        return around_instant(ctx, lambda: [], lambda: self._brbackup(ctx, make_replica), _none)

    def _brbackup(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        sid, view = sid_of(ctx), self._as_oracle(ctx)
        ora_drv = ora.driver(view)
        ctx.undo.push(
            "end backup left by BRBACKUP",
            lambda: _end_left_backup_mode(ora_drv),
            left_behind=f"database {sid} may still be in backup mode",
        )
        split = SplitCall(ctx, make_replica, origin(ctx))
        argv = self.brbackup_argv(ctx)
        ctx.info(origin(ctx), f"Starting brbackup {' '.join(argv)}")
        result = sap_driver(ctx.drivers, sid).brbackup(
            argv, store=RepoBackintStore(ctx.repo), split=split
        )
        _report(ctx, "brbackup", result)
        _end_left_backup_mode(ora_drv)  # OS-P14: nothing stays in backup mode
        split.raise_failure()
        if split.started is None:
            raise OrchestrationError(
                f"BRBACKUP ended with rc {result.rc} without calling the split command",
                code=f"BR_RC{result.rc}",
            )
        replica = yield from resume(split)
        if not result.ok:
            raise OrchestrationError(
                f"BRBACKUP ended with rc {result.rc} (detail log {result.detail_log})",
                code=f"BR_RC{result.rc}",
            )
        ctx.state(SapSessionState).brbackup = result
        return replica

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        opts: SapOptions = ctx.app_options
        sid = sid_of(ctx)
        res = ctx.state(SapSessionState).brbackup
        if opts.archive != "none":
            argv = ["-u", "/", "-c", "force", ARCHIVE[opts.archive], "-d", "util_file"]
            arch = sap_driver(ctx.drivers, sid).brarchive(argv, store=RepoBackintStore(ctx.repo))
            _report(ctx, "brarchive", arch)
            if not arch.ok:
                ctx.warn(origin(ctx), f"BRARCHIVE ended with rc {arch.rc}", code=f"BR_RC{arch.rc}")
        view = self._as_oracle(ctx)
        info = ora.driver(view).database()
        replica.details["sap"] = {
            "sid": sid,
            "database": view.app_options.database,
            "backup_type": BACKUP_TYPES[view.spec.mode] if view.spec else None,
            "device": opts.device,
            "detail_log": res.detail_log if res else None,
            "rc": res.rc if res else None,
            "dbid": info.dbid,
            "resetlogs_change": info.resetlogs_change,
        }
        replica.details["oracle"] = {
            "database": info.name,
            "mode": view.spec.mode if view.spec else "online",
            "include_cf_olf": view.app_options.include_cf_olf,
            "archived_through": ora.driver(view).last_archived_sequence(),
        }
        yield from ()

    # --- instant recovery ---------------------------------------------------------------

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        opts = sap_options(options)
        cfg = sc.load(ctx.repo, sid_of(ctx))
        tmp = opts.extra.get("tmp_dir") or (cfg.tmp_dir if cfg else sc.DEFAULT_TMP_DIR)
        yield from OracleIntegration().stop_for_ir(
            self._as_oracle_ir(ctx, replica), replica, _oracle_half(opts, tmp)
        )

    def _as_oracle_ir(self, ctx: SessionContext, replica: ReplicaRecord) -> SessionContext:
        database = replica.details.get("sap", {}).get("database") or sid_of(ctx)
        return _oracle_view(ctx, database, ctx.app_options)

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        assert ctx.spec is not None
        opts = sap_options(options)
        kept = ctx.state(OracleSessionState).kept
        host, hd = ctx.spec.application_system, ctx.drivers.host
        for path, copy in kept:
            hd.copy_file(host, copy, path)
        if kept:
            ctx.info(origin(ctx), "Preserved control files and redo logs copied back")
        if not opts.recover or opts.until == "none":
            _open_as_restored(ctx, ora.driver(self._as_oracle_ir(ctx, replica)))
            yield from ()
            return
        argv = brrecover_argv(ctx, opts)
        sid = sid_of(ctx)
        ctx.info(origin(ctx), f"Starting brrecover {' '.join(argv)}")
        res = sap_driver(ctx.drivers, sid).brrecover(argv, store=RepoBackintStore(ctx.repo))
        _report(ctx, "brrecover", res)
        if not res.ok:
            raise OrchestrationError(
                f"BRRECOVER ended with rc {res.rc} (detail log {res.detail_log}); the database "
                "is left as BRRECOVER left it",
                code=f"BR_RC{res.rc}",
            )
        yield from ()


@dataclass
class SapSessionState:
    brbackup: BrResult | None = None


def _none(_held: list[Any]) -> None:
    return None


def _oracle_half(opts: OracleRecoveryOptions, tmp_dir: str) -> OracleRecoveryOptions:
    """Stop and keep-copies as for Oracle (into the SAP configuration's TMP_DIR, SAP-16);
    recovery itself is BRRECOVER's."""
    from dataclasses import fields

    given = {f.name: getattr(opts, f.name) for f in fields(OracleRecoveryOptions)}
    extra = {**opts.extra, "tmp_dir": tmp_dir}
    return OracleRecoveryOptions(**{**given, "recover": False, "extra": extra})


def _open_as_restored(ctx: SessionContext, drv: Any) -> None:
    """No recovery asked: an offline replica opens as it is; one needing recovery stays
    MOUNTED, with a warning naming Oracle's refusal."""
    from apprm_ref.errors import OracleError

    drv.startup("MOUNTED")
    try:
        drv.open(None)
    except OracleError as exc:
        ctx.warn(origin(ctx), f"Database needs recovery ({exc.code}); left MOUNTED", code=exc.code)
        return
    ctx.info(origin(ctx), "Database opened without recovery")


def _end_left_backup_mode(drv: Any) -> None:
    """What BRBACKUP left: files in backup mode, or an instance that died in its bracket,
    get the documented repair (STARTUP MOUNT, END BACKUP, OPEN; OS-P14, OS-P10)."""
    from apprm_ref.core.integrations.oracle_repair import end_backup_mode

    if drv.instance_status() != "OPEN" or any(f.backup_status == "ACTIVE" for f in drv.datafiles()):
        end_backup_mode(drv)


def _report(ctx: SessionContext, tool: str, res: BrResult) -> None:
    """BR*Tools' messages into the session: errors as warnings, the rest as Normal."""
    org = f"{tool.upper()}@{ctx.spec.application_system if ctx.spec else '?'}"
    for line in res.messages:
        if line.split()[0].endswith("E"):
            ctx.warn(org, line, code=line.split()[0])
        else:
            ctx.info(org, line)
    ctx.info(org, f"{tool} ended with rc {res.rc} (detail log {res.detail_log})")
