"""VSS integration: the VSSBAR agent's backup flow (vss-and-core.md §1, §3, §9), generic
over writers.

A VSS application kind is this class with ``writer`` set to the writer whose components the
spec's objects name (``SqlServerIntegration``: ``SqlServerWriter``; an Exchange kind sets
``Microsoft Exchange Writer`` the same way) or ``None`` for a filesystem-only backup, whose
objects are the volumes themselves and in which no writer takes part. Nothing else differs:

1. ``source_paths``: a requester (``InitializeForBackup``, ``SetContext`` persistent, plus
   transportable with a backup system, ``SetBackupState``), ``GatherWriterMetadata``, the
   components chosen from the writer's metadata, their files as the paths to replicate;
2. ``check``: every writer of the chosen components must be stable (a failed writer stays
   failed until its service restarts: the backup fails, VC-P18), the configuration check
   decides which components an instant recovery may restore alone;
3. ``consistent``: ``AddComponent``, the shadow-copy set of every volume of the replicated
   disks, ``PrepareForBackup``, ``DoSnapshotSet`` (PrepareForSnapshot, Freeze), then the
   product's ``make_replica`` inside the flush-and-hold window (its array driver is the
   hardware provider's commit), Thaw and PostSnapshot, ``GatherWriterStatus``,
   ``SetBackupSucceeded`` and ``BackupComplete`` (for every backup type: the writer, not
   the requester, leaves a COPY out of its history and truncates nothing). A veto or a
   writer error aborts the set (every writer that saw Freeze gets Abort, VC-P2/VC-P4) and
   unwinds the replica; OUTOFRESOURCES, TIMEOUT and RETRYABLE are retried after 10 minutes
   with a new requester, at most three attempts; NONRETRYABLE and INCONSISTENTSNAPSHOT are
   not (VC-P5);
4. ``after_replica``: the VSSDB part of the replica (set and shadow IDs, BCD, WMDs,
   components and whether each can be restored alone); VSS forgets the set
   (``BreakSnapshotSet``) since the product owns, rotates and deletes the replica;
5. instant recovery (``vss_restore.py``): PreRestore, the array restore of the whole
   replica or of one component's disks, file restore status, PostRestore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core import planner
from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import ORIGIN as BSM
from apprm_ref.core.integrations.base import MakeReplica, RecoveryOptions, Steps
from apprm_ref.core.integrations.vss_options import VssOptions, parse_vss_options
from apprm_ref.core.integrations.vss_select import (
    Selected,
    component_files,
    find_writer,
    restorable_alone,
    select,
)
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.replication.base import method_for
from apprm_ref.core.session import UndoHandle
from apprm_ref.drivers import vss as V
from apprm_ref.errors import ConfigError, PlanError, VssError
from apprm_ref.types import ReplicaType, Severity, VolumeRef

ORIGIN = "VSSBAR"
CONTEXT = V.PERSISTENT | V.NO_AUTO_RELEASE  # VSS_CTX_APP_ROLLBACK: a ZDB replica is kept
REPLICA_ATTR = {"default": 0, "clone": V.PLEX, "snapshot": V.DIFFERENTIAL}
REPLICA_KINDS = {
    "clone": (ReplicaType.SNAPCLONE, ReplicaType.MIRROR),  # Mirror/Clone (Plex)
    "snapshot": (ReplicaType.SNAPSHOT, ReplicaType.VSNAP),  # Snapshot (Differential), EVA only
}


@dataclass
class VssSessionState:
    """What one VSS step of a session learns for a later one."""

    backup: Any = None  # the requester (VssBackup) of the current attempt
    release: UndoHandle | None = None
    selected: list[Selected] = field(default_factory=list)
    alone: dict[str, bool] = field(default_factory=dict)
    set_id: str = ""
    shadows: list[V.ShadowInfo] = field(default_factory=list)
    bcd: str = ""
    wmds: list[str] = field(default_factory=list)
    attempts: int = 0


def vss_driver(ctx: SessionContext) -> V.VssDriver:
    for name in sorted(ctx.drivers.apps):
        drv = ctx.drivers.apps[name]
        if isinstance(drv, V.VssDriver):
            return drv
    raise ConfigError("no VSS service in this estate (an application of type vss)", field="type")


def origin(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    return f"{ORIGIN}@{ctx.spec.application_system}"


def _close(backup: Any) -> None:
    """Release the requester (BackupShutdown). Releasing aborts a set still in the making;
    a failed creation has sent Abort already, and a writer that got Thaw must not get
    Abort as well (VC-I6), so the product never calls AbortBackup after DoSnapshotSet."""
    backup.release()


class VssIntegration:
    kind = "vss"
    writer: str | None = None  # None: filesystem only, the objects are volumes

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> VssOptions:
        return parse_vss_options(raw, spec_name=spec_name)

    def objects(self, ctx: SessionContext) -> list[str]:
        assert ctx.spec is not None
        return list(ctx.spec.objects)

    def source_paths(self, ctx: SessionContext) -> list[str]:
        assert ctx.spec is not None
        st = ctx.state(VssSessionState)
        self._open(ctx)
        return list(ctx.spec.objects) if self.writer is None else component_files(st.selected)

    # --- the requester ----------------------------------------------------------------------

    def context(self, ctx: SessionContext) -> int:
        assert ctx.spec is not None
        opts: VssOptions = ctx.app_options
        transport = V.TRANSPORTABLE if ctx.spec.backup_system else 0
        return CONTEXT | transport | REPLICA_ATTR[opts.replica_type]

    def _open(self, ctx: SessionContext) -> None:
        """A new requester up to GatherWriterMetadata, and the chosen components."""
        assert ctx.spec is not None
        opts: VssOptions = ctx.app_options
        st = ctx.state(VssSessionState)
        host = ctx.spec.application_system
        backup = vss_driver(ctx).backup(host)
        st.backup, st.attempts = backup, st.attempts + 1
        st.release = ctx.undo.push(
            "release the VSS requester",
            lambda: _close(backup),
            left_behind=f"a VSS backup is still open on {host}",
        )
        backup.initialize_for_backup()
        backup.set_context(self.context(ctx))
        backup.set_backup_state(True, opts.backup_type)
        writers = backup.gather_writer_metadata()
        st.wmds = [w.wmd_xml for w in writers]
        ctx.info(
            origin(ctx), f"{len(writers)} writer(s) found: {', '.join(w.name for w in writers)}"
        )
        if self.writer is not None:
            st.selected = self.select_components(ctx, writers)
            names = ", ".join(s.component.full_path for s in st.selected)
            ctx.info(origin(ctx), f"Components selected for backup: {names}")

    # --- hooks a writer kind may change (Exchange: replica writer, deferred completion) ----

    def select_components(self, ctx: SessionContext, writers: list[V.WriterInfo]) -> list[Selected]:
        assert ctx.spec is not None and self.writer is not None
        return select(find_writer(writers, self.writer), ctx.spec.objects)

    def writer_ref(self, s: Selected) -> str:
        """How AddComponent names the writer (its instance ID where two share a class ID)."""
        return s.writer.writer_id

    def complete(self, ctx: SessionContext, backup: Any) -> None:
        """SetBackupSucceeded for every component, then BackupComplete.

        A requester ends every backup with BackupComplete (vss-and-core.md §3.1 row 18 and the
        flow of §9, step 10); for a COPY the writer keeps its history and logs (VC-I9). Only
        diskshadow without ``begin backup`` sends none (VC-I24), and that is diskshadow's own
        behaviour, not the product's."""
        st = ctx.state(VssSessionState)
        for s in st.selected:
            c = s.component
            backup.set_backup_succeeded(self.writer_ref(s), c.logical_path, c.name, True)
        backup.backup_complete()

    def _check_writers(self, ctx: SessionContext, writers: list[V.WriterInfo]) -> None:
        """A writer of a chosen component in a FAILED_AT_* state fails the backup (VC-P18)."""
        st = ctx.state(VssSessionState)
        ids = {s.writer.writer_id for s in st.selected}
        for w in writers:
            if w.writer_id in ids and w.failed:
                raise VssError(
                    f"writer {w.name} is in state [{w.state}] {w.state_text} (last error "
                    f"{w.last_error}); its service must be restarted",
                    code=w.last_error if w.last_error.startswith("VSS_E_WRITERERROR") else None,
                )

    # --- checks -----------------------------------------------------------------------------

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        assert ctx.spec is not None
        opts: VssOptions = ctx.app_options
        tracked = method_for(ctx.drivers.array(ctx.spec.array)).tracked(ctx.options)
        if tracked != opts.track_replica:
            raise PlanError(
                f"the VSS option track_replica ({opts.track_replica}) and the array options "
                f"(kept for instant recovery: {tracked}) disagree",
                code="TRACK_MISMATCH",
            )
        st = ctx.state(VssSessionState)
        self._check_writers(ctx, st.backup.writer_status())
        if opts.track_replica and st.selected:
            st.alone = restorable_alone(ctx, st.selected, opts.configuration_check)

    def before_quiesce(self, ctx: SessionContext) -> Steps:
        return
        yield

    # --- the shadow-copy set ----------------------------------------------------------------

    def consistent(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        """DoSnapshotSet around ``make_replica``, retried as the writer error advises."""
        st = ctx.state(VssSessionState)
        while True:
            mark = ctx.undo.mark()
            try:
                replica: ReplicaRecord = yield from self._create(ctx, make_replica)
            except Exception as exc:
                code = self._writer_error(ctx) or getattr(exc, "code", None)
                self._give_up(ctx)
                ctx.unwind(ORIGIN, down_to=mark)
                if not (V.retryable(code) and st.attempts < V.RETRY_ATTEMPTS):
                    ctx.report_failure(BSM, exc)
                    raise
                ctx.warn(
                    origin(ctx),
                    f"Shadow copy creation failed ({code}); retrying in 10 minutes "
                    f"(attempt {st.attempts + 1} of {V.RETRY_ATTEMPTS})",
                    code=code,
                )
                yield from ctx.sleep(V.RETRY_WAIT)
                self._open(ctx)
                continue
            return replica

    def _writer_error(self, ctx: SessionContext) -> str | None:
        """After a failed creation every writer's status is read (vss-and-core.md §3.1 row
        15): the writers' own errors decide the retry, retryable only if all of them are."""
        st = ctx.state(VssSessionState)
        try:
            writers = st.backup.writer_status()
        except VssError:
            return None
        errors = [w.last_error for w in writers if w.failed]
        for w in writers:
            if w.failed:
                ctx.log(
                    Severity.MAJOR,
                    origin(ctx),
                    f"Writer {w.name}: [{w.state}] {w.state_text}, last error {w.last_error}",
                    code=w.last_error,
                )
        if not errors:
            return None
        bad = [e for e in errors if not V.retryable(e)]
        return bad[0] if bad else errors[0]

    def _check_type(self, ctx: SessionContext, replica: ReplicaRecord) -> None:
        """An untracked spec's replica type (Mirror/Clone or Snapshot) must be what the
        array options make: XP makes no differential snapshot, so a VSS backup asking for
        one fails (vss-and-core.md §5.5, §10)."""
        opts: VssOptions = ctx.app_options
        allowed = REPLICA_KINDS.get(opts.replica_type)
        if allowed is not None and replica.replica_type not in allowed:
            raise PlanError(
                f"replica type {opts.replica_type} was asked for but the array options make "
                f"{replica.replica_type} replicas",
                code="REPLICA_TYPE_MISMATCH",
            )

    def _give_up(self, ctx: SessionContext) -> None:
        """VSS forgets a set whose replica the product is about to delete itself, then the
        requester is aborted and released."""
        assert ctx.spec is not None
        st = ctx.state(VssSessionState)
        st.backup.abandon()
        if st.set_id:
            vss_driver(ctx).forget_set(ctx.spec.application_system, st.set_id)
            st.set_id = ""
        if st.release is not None:
            st.release.revert()
            st.release = None

    def _volumes(self, ctx: SessionContext) -> list[str]:
        """Every volume of the replicated disks: the whole unit is copied."""
        assert ctx.spec is not None
        st = ctx.state(VssSessionState)
        paths = list(ctx.spec.objects) if self.writer is None else component_files(st.selected)
        return sorted({lay.mount_point for lay in planner.resolve(ctx, paths).layout})

    def _create(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        st = ctx.state(VssSessionState)
        backup = st.backup
        self._check_writers(ctx, backup.writer_status())
        for s in st.selected:
            c = s.component
            backup.add_component(self.writer_ref(s), c.logical_path, c.name)
        st.set_id = backup.start_snapshot_set()
        volumes = self._volumes(ctx)
        for vol in volumes:
            backup.add_to_snapshot_set(vol)
        backup.prepare_for_backup()
        ctx.info(origin(ctx), f"Shadow copy set {{{st.set_id}}}: {', '.join(volumes)}")
        yield from ctx.sleep(backup.do_snapshot_set() - ctx.now)
        yield from ctx.sleep(backup.freeze() - ctx.now)
        ctx.info(origin(ctx), "Writers frozen; creating the replica inside the hold window")
        replica: ReplicaRecord = yield from make_replica()
        self._check_type(ctx, replica)
        yield from ctx.sleep(backup.commit(replica.targets) - ctx.now)
        self._check_writers(ctx, backup.writer_status())
        self.complete(ctx, backup)
        st.bcd, st.shadows = backup.save_as_xml(), backup.shadows()
        ctx.info(
            origin(ctx),
            f"Shadow copy set {{{st.set_id}}} created ({len(st.shadows)} shadow copies)",
        )
        return replica

    # --- after the replica ------------------------------------------------------------------

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None
        st = ctx.state(VssSessionState)
        opts: VssOptions = ctx.app_options
        host = ctx.spec.application_system
        replica.details["vss"] = {
            "host": host,
            "set_id": st.set_id,
            "shadows": [s.shadow_id for s in st.shadows],
            "backup_type": opts.backup_type,
            "transportable": bool(ctx.spec.backup_system),
            "bcd": st.bcd,
            "wmds": st.wmds,
            "components": [
                {
                    "writer_id": s.writer.writer_id,
                    "writer": s.writer.name,
                    "logical_path": s.component.logical_path,
                    "name": s.component.name,
                    "files": list(s.component.files),
                    "alone": st.alone.get(s.component.full_path, False),
                }
                for s in st.selected
            ],
        }
        if st.release is not None:
            st.release.revert()  # BackupShutdown; the persistent set stays
        vss_driver(ctx).forget_set(host, st.set_id)
        ctx.info(origin(ctx), f"Replica {replica.id} recorded in the VSSDB; VSS released the set")
        yield from ()

    # --- instant recovery -------------------------------------------------------------------

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        from apprm_ref.core.integrations.vss_restore import stop_for_ir

        yield from stop_for_ir(self, ctx, replica, options)

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        from apprm_ref.core.integrations.vss_restore import start_after_ir

        yield from start_after_ir(self, ctx, replica, options)


class SqlServerIntegration(VssIntegration):
    """SQL Server through its VSS writer: a spec's objects are databases."""

    kind = "mssql"
    writer = "SqlServerWriter"
