"""Oracle integration: online ZDB (backup mode only around the replica instant), offline ZDB
(shutdown, replica, startup), and instant recovery followed by database recovery
(reference oracle-sap.md sections 2-4).

Every change pushes its undo (END BACKUP, STARTUP), so a session that fails anywhere after
BEGIN BACKUP still ends backup mode (OS-I13). IR refuses the option combinations Oracle and
the product refuse before anything is stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import MakeReplica, RecoveryOptions, Steps, around_instant
from apprm_ref.core.integrations.oracle_config import (
    DEFAULT_TMP_DIR,
    OracleOptions,
    encode_keep_name,
    ir_problems,
    load_config,
    parse_options,
)
from apprm_ref.core.integrations.oracle_reach import reach as oracle_reach
from apprm_ref.core.integrations.oracle_recovery import (
    OracleRecoveryOptions,
    oracle_options,
    recover_and_open,
    validate_recovery,
)
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.replication.base import method_for
from apprm_ref.core.session import UndoHandle
from apprm_ref.drivers.oracle import FileLayout, OracleDriver
from apprm_ref.errors import ConfigError, OracleError, OrchestrationError
from apprm_ref.types import VolumeRef


@dataclass
class OracleSessionState:
    """What one Oracle step of a session learns for a later one."""

    layout: FileLayout | None = None  # the database's files, read once per session
    begin_scn: int | None = None  # lowest BEGIN BACKUP SCN of the datafiles
    min_recovery_scn: int | None = None  # first SCN after END BACKUP
    min_recovery_time: float | None = None  # when END BACKUP's marker was written
    ctlcp: str | None = None  # the backup control file written before the replica
    kept: list[tuple[str, str]] = field(default_factory=list)  # (current file, its copy)


def origin(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    return f"ORA@{ctx.spec.application_system}"


def database_name(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    opts: OracleOptions = ctx.app_options
    name = ctx.spec.objects[0] if ctx.spec.objects else opts.database
    if not name:
        raise ConfigError("an Oracle spec names its database in objects", field="objects")
    return name


def driver(ctx: SessionContext) -> OracleDriver:
    name = database_name(ctx)
    drv = ctx.drivers.apps.get(name)
    if drv is None:
        raise ConfigError(f"no Oracle database {name!r} in this estate", field="objects")
    return drv  # type: ignore[no-any-return]


def end_backup_quietly(drv: OracleDriver, tablespace: str | None = None) -> None:
    """END BACKUP; ORA-01260 (some files were not in backup) is only a warning."""
    try:
        drv.end_backup(tablespace)
    except OracleError as exc:
        if exc.code != "ORA-01260":
            raise


def begin_backup(
    ctx: SessionContext, drv: OracleDriver, name: str, tablespace: str | None
) -> UndoHandle:
    """BEGIN BACKUP (of the database, or one tablespace), holding its END BACKUP."""
    stuck = f"database {name} is still in backup mode"
    what = f"end backup {tablespace}" if tablespace else "end backup"
    left = f"{stuck} (tablespace {tablespace})" if tablespace else stuck
    try:
        drv.begin_backup(tablespace)
    except OracleError as exc:
        if exc.code in LOST_CONNECTION:  # the instance died: its files may be in backup mode
            ctx.undo.push(f"{what} (after a crash)", partial(_repair, drv), left_behind=left)
        raise
    return ctx.undo.push(what, lambda: end_backup_quietly(drv, tablespace), left_behind=left)


# ORA-03113 end-of-file on communication channel: the statement's outcome is unknown.
LOST_CONNECTION = ("ORA-03113",)


def _repair(drv: OracleDriver) -> None:
    """The documented repair (STARTUP MOUNT, END BACKUP, OPEN) as an undo step."""
    from apprm_ref.core.integrations.oracle_repair import end_backup_mode

    end_backup_mode(drv)


def stamp(ctx: SessionContext) -> str:
    return re.sub(r"[^0-9A-Za-z]+", "-", ctx.session.id).strip("-")


def tracked_for_ir(ctx: SessionContext) -> bool:
    """Whether this session's replica is tracked for instant recovery (ARR-I15)."""
    assert ctx.spec is not None
    return method_for(ctx.drivers.array(ctx.spec.array)).tracked(ctx.options)


class OracleIntegration:
    kind = "oracle"

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> OracleOptions:
        return parse_options(raw, spec_name=spec_name)

    def objects(self, ctx: SessionContext) -> list[str]:
        return [database_name(ctx)]

    def check_objects(self, spec: Any, drivers: Any) -> None:
        """A spec names one database of this estate (ConfigError on ``objects`` before
        anything is saved)."""
        for i, name in enumerate(spec.objects):
            if name not in drivers.apps:
                raise ConfigError(
                    f"no Oracle database {name!r} in this estate", field=f"objects.{i}"
                )

    def source_paths(self, ctx: SessionContext) -> list[str]:
        """Datafiles (plus control files and online logs with ZDB_ORA_INCLUDE_CF_OLF=1)."""
        opts: OracleOptions = ctx.app_options
        layout = driver(ctx).file_layout()
        ctx.state(OracleSessionState).layout = layout
        paths = list(layout.datafiles)
        if opts.include_cf_olf:
            paths += [*layout.control_files, *layout.online_logs]
        return paths

    # --- checks (reference 2.4) ---------------------------------------------------------------

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        assert ctx.spec is not None
        info = driver(ctx).database()
        if ctx.spec.mode == "online":
            if info.log_mode != "ARCHIVELOG":
                raise OrchestrationError(
                    f"database {info.name} is in {info.log_mode} mode: online backup is impossible",
                    code="ORA-01123",
                )
            if info.status != "OPEN":
                raise OrchestrationError(f"database {info.name} is not open", code="ORA-01109")
        self.not_in_backup_mode(ctx)
        opts: OracleOptions = ctx.app_options
        if opts.check_order == "before":
            self.ir_check(ctx)
        ctx.info(origin(ctx), f"Database {info.name} ({info.log_mode}, {info.open_mode}) checked")

    def not_in_backup_mode(self, ctx: SessionContext) -> None:
        """Files left in backup mode (a failed END BACKUP, a crash) block every backup with
        ORA-01146: say so before anything changes, with the repair (OPS-I2)."""
        stuck = [f for f in driver(ctx).datafiles() if f.backup_status == "ACTIVE"]
        if not stuck:
            return
        name = database_name(ctx)
        raise OrchestrationError(
            f"database {name} is still in backup mode (file {stuck[0].file_no}: "
            f"{stuck[0].name}, {len(stuck)} file(s) in all); end it with "
            f"'apprm oracle end-backup {name}'",
            code="ORA-01146",
        )

    def ir_check(self, ctx: SessionContext) -> None:
        """Datafiles must not share a volume with control files, online logs or the SPFILE:
        an instant recovery would revert those too. Only a replica tracked for instant
        recovery can be restored so, hence only then (OPS-I4)."""
        assert ctx.spec is not None
        opts: OracleOptions = ctx.app_options
        if ctx.spec.to == "tape" or not tracked_for_ir(ctx):
            return
        if opts.no_checkconf_ir:
            ctx.warn(origin(ctx), "IR configuration check skipped (ZDB_ORA_NO_CHECKCONF_IR=1)")
            return
        host, hd = ctx.spec.application_system, ctx.drivers.host
        layout = ctx.state(OracleSessionState).layout or driver(ctx).file_layout()
        problems = ir_problems(layout, partial(hd.volumes_under, host), opts)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise OrchestrationError(
                f"Instant recovery configuration check failed: {problems[0]}{more}",
                code="ZDB_ORA_CHECKCONF_IR",
            )

    # --- the backup flow ----------------------------------------------------------------------

    def before_quiesce(self, ctx: SessionContext) -> Steps:
        assert ctx.spec is not None
        opts: OracleOptions = ctx.app_options
        drv = driver(ctx)
        if ctx.spec.mode == "online" and opts.archive_before:
            drv.archive_log_current()
            ctx.info(origin(ctx), "ALTER SYSTEM ARCHIVE LOG CURRENT before backup mode")
        if ctx.spec.mode == "offline":
            self.controlfile_copy(ctx)
        yield from ()

    def consistent(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        """Backup mode (or shutdown) around the replica, ended on every path (OS-I13)."""
        return around_instant(
            ctx, lambda: self.hold(ctx), make_replica, lambda held: self.release(ctx, held)
        )

    def hold(self, ctx: SessionContext) -> list[UndoHandle]:
        assert ctx.spec is not None
        opts: OracleOptions = ctx.app_options
        drv, name = driver(ctx), database_name(ctx)
        if ctx.spec.mode == "offline":
            down = ctx.undo.do(
                "start database",
                lambda: drv.shutdown("IMMEDIATE"),
                lambda: drv.startup("OPEN"),
                left_behind=f"database {name} is still shut down",
            )
            ctx.info(origin(ctx), "Database shut down (IMMEDIATE) for an offline backup")
            return [down]
        spaces: list[str | None] = [None]  # ALTER DATABASE, or each tablespace
        if opts.backup_mode != "database":
            spaces = [*drv.tablespaces()]
        held = [begin_backup(ctx, drv, name, ts) for ts in spaces]
        files = drv.datafiles()
        state = ctx.state(OracleSessionState)
        state.begin_scn = min([f.backup_change for f in files])
        ctx.info(
            origin(ctx),
            f"{len(files)} datafile(s) in backup mode since SCN {state.begin_scn}",
        )
        if opts.check_order == "after":
            self.ir_check(ctx)
        self.controlfile_copy(ctx)
        return held

    def controlfile_copy(self, ctx: SessionContext) -> None:
        """Backup control file to the ctlcp location, before the replica (OS-I14)."""
        opts: OracleOptions = ctx.app_options
        cfg = load_config(ctx.repo, database_name(ctx))
        where = opts.ctlcp_location or (cfg.ctlcp_location if cfg else None)
        if not where:
            return
        path = f"{where.rstrip('/')}/ctrl{database_name(ctx)}_{stamp(ctx)}.ctl"
        driver(ctx).backup_controlfile(path, reuse=True)
        ctx.state(OracleSessionState).ctlcp = path
        ctx.info(origin(ctx), f"Backup control file written to {path}")

    def release(self, ctx: SessionContext, held: list[UndoHandle]) -> None:
        """END BACKUP (or STARTUP) through the handles: one that fails stays held."""
        assert ctx.spec is not None
        for handle in held:
            handle.revert()
        if ctx.spec.mode == "offline":
            ctx.info(origin(ctx), "Database started")
            return
        state = ctx.state(OracleSessionState)
        state.min_recovery_scn = driver(ctx).database().current_scn + 1
        state.min_recovery_time = ctx.now  # the end-of-backup marker's time
        ctx.info(origin(ctx), "Datafiles taken out of backup mode (END BACKUP)")

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None
        drv = driver(ctx)
        online = ctx.spec.mode == "online"
        if online:
            drv.archive_log_current()
        opts: OracleOptions = ctx.app_options
        info = drv.database()
        archived_through = drv.last_archived_sequence()
        state = ctx.state(OracleSessionState)
        replica.details["oracle"] = {
            "database": info.name,
            "dbid": info.dbid,
            "mode": ctx.spec.mode,
            "begin_scn": state.begin_scn,
            "min_recovery_scn": state.min_recovery_scn,
            "min_recovery_time": state.min_recovery_time,
            "resetlogs_change": info.resetlogs_change,
            "ctlcp": state.ctlcp,
            "include_cf_olf": opts.include_cf_olf,
            "include_spf": opts.include_spf,
            "archived_through": archived_through,
        }
        if online:
            ctx.info(
                origin(ctx),
                f"Current log archived (sequence {replica.details['oracle']['archived_through']}); "
                f"recovery needs redo from SCN {replica.details['oracle']['begin_scn']}",
            )
        yield from ()

    # --- instant recovery -----------------------------------------------------------------------

    def reach(
        self, drivers: Any, spec: Any, replica: ReplicaRecord, target: Any
    ) -> list[Any]:  # OPS-I9: the Oracle half of a restore preview
        return oracle_reach(drivers, spec, replica, target)

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        options = oracle_options(options)
        validate_recovery(replica, options)
        drv = driver(ctx)
        status = drv.instance_status()
        if options.keep_current_cf_olf:
            if status == "SHUTDOWN":
                drv.startup("MOUNTED")
            ctx.state(OracleSessionState).layout = drv.file_layout()
        if drv.instance_status() != "SHUTDOWN":
            try:
                drv.shutdown("IMMEDIATE")
            except OracleError as exc:
                ctx.warn(
                    origin(ctx), f"SHUTDOWN IMMEDIATE refused ({exc.code}); aborting", code=exc.code
                )
                drv.shutdown("ABORT")
        ctx.info(origin(ctx), "Database shut down for instant recovery")
        ctx.undo.push(
            "restart database",
            lambda: drv.startup("OPEN"),
            left_behind=f"database {database_name(ctx)} is still shut down",
        )
        if options.keep_current_cf_olf:
            self.keep_copies(ctx, options)
        yield from ()

    def keep_copies(self, ctx: SessionContext, options: OracleRecoveryOptions) -> None:
        """Copy current control files, online logs (and SPFILE) to the temp dir (OS-I15)."""
        assert ctx.spec is not None
        layout = ctx.state(OracleSessionState).layout
        assert layout is not None  # read by stop_for_ir just before
        cfg = load_config(ctx.repo, database_name(ctx))
        tmp = options.extra.get("tmp_dir") or (cfg.tmp_dir if cfg else DEFAULT_TMP_DIR)
        files = [*layout.control_files, *layout.online_logs]
        if layout.spfile:
            files.append(layout.spfile)
        host, hd = ctx.spec.application_system, ctx.drivers.host
        kept: list[tuple[str, str]] = []
        for path in files:
            dst = encode_keep_name(tmp, path, stamp(ctx))
            hd.copy_file(host, path, dst)
            kept.append((path, dst))
        ctx.state(OracleSessionState).kept = kept
        ctx.info(
            origin(ctx), f"Current control files and redo logs copied to {tmp} ({len(kept)} files)"
        )

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        assert ctx.spec is not None
        kept = ctx.state(OracleSessionState).kept
        host, hd = ctx.spec.application_system, ctx.drivers.host
        for path, copy in kept:
            hd.copy_file(host, copy, path)
        if kept:
            ctx.info(origin(ctx), "Preserved control files and redo logs copied back")
        recover_and_open(ctx, driver(ctx), replica, oracle_options(options), kept=bool(kept))
        yield from ()
