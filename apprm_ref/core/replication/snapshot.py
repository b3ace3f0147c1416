"""EVA replication method (SMISA): snapshot policy, replica set rotation (``arrays.md`` §2.5),
creation at one instant, presentation on the backup system, keep or discard, delete/purge.

Instant recovery is in ``snapshot_restore.py``. Only the ``SnapshotArray`` Protocol is used,
so the simulator door and a real SMI-S driver are driven alike.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication import snapshot_rotation as rotation
from apprm_ref.core.replication import snapshot_space as space
from apprm_ref.core.replication.base import RestoreOptions, Steps
from apprm_ref.core.replication.copy_wait import wait_copies
from apprm_ref.core.replication.snapshot_options import EvaOptions, parse_eva_options
from apprm_ref.core.replication.snapshot_repoint import repoint_pending
from apprm_ref.core.replication.snapshot_state import SnapshotSessionState
from apprm_ref.drivers.array import DR_GROUP_ZDB_STATES, CopyState, ReplicaRequest
from apprm_ref.errors import ApprmError, ArrayError, PlanError
from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef

SMISA = "SMISA"
SNAPSHOT_KINDS = (ReplicaType.SNAPSHOT, ReplicaType.VSNAP)


def choose_type(existing: set[ReplicaType], requested: ReplicaType, policy: str) -> ReplicaType:
    """The one type a session uses (ARR-I18): strict refuses other types, loose adopts the
    single existing type, a mix on the sources aborts under both (§2.4, F1, F2)."""
    if len(existing) > 1:
        names = ", ".join(sorted(t.value for t in existing))
        raise PlanError(
            f"the source volumes carry mixed replica types ({names})", code="MIXED_TYPES"
        )
    if existing and requested not in existing:
        (other,) = existing
        if policy == "strict":
            raise PlanError(
                f"the sources already have {other.value} replicas; snapshot policy strict "
                f"allows only {requested.value}",
                code="SNAPSHOT_TYPE_CONFLICT",
            )
        return other
    return requested


class SnapshotReplication:
    kind = "snapshot-array"
    agent = SMISA

    # --- options -------------------------------------------------------------------

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> EvaOptions:
        return parse_eva_options(raw, spec_name=spec_name)

    def set_size(self, options: EvaOptions) -> int:
        return options.replicas

    def tracked(self, options: EvaOptions) -> bool:
        return options.keep_for_ir

    # --- checks --------------------------------------------------------------------

    @staticmethod
    def array(ctx: SessionContext, name: str | None = None) -> Any:
        assert ctx.spec is not None
        return ctx.drivers.array(name or ctx.spec.array)

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        """Policy, cloning lockout and CA gating before anything changes (§4.1 step 2)."""
        opts: EvaOptions = ctx.options
        drv = self.array(ctx)
        targets_of = space.SeenTargets(drv)  # nothing below yields or changes the array
        space.report_frozen(ctx, drv, sources, targets_of)  # a full disk group (OPS-I5)
        space.report_failed_clones(ctx, drv, sources, targets_of)
        assert ctx.spec is not None
        repoint_pending(ctx.repo, ctx.spec.name, ctx.drivers.array)  # refused after a switch
        targets = []
        for src in sources:
            info = drv.volume_info(src.volume)
            if info.replica_type in SNAPSHOT_KINDS:
                raise PlanError(f"{src} is itself a snapshot", code="SOURCE_IS_SNAPSHOT")
            self._check_ca(ctx, drv, src, opts)
            if drv.copy_state(src.volume).copying:  # a copy-back still runs (E5)
                raise PlanError(f"{src} is still being restored", code="RESTORE_IN_PROGRESS")
            targets += [t for t in targets_of(src.volume) if t.state != "invalid"]
        existing = {t.replica_type for t in targets if t.replica_type is not None}
        chosen = choose_type(existing, opts.snapshot_type, opts.policy)
        if chosen != opts.snapshot_type:
            ctx.warn(SMISA, f"Snapshot policy loose: using the existing type {chosen.value}")
        cloning = [t for t in targets if t.state == "normalizing"]
        if cloning:
            raise PlanError(
                f"snapclone {cloning[0].ref} of {cloning[0].source} is still normalizing",
                code="CLONING_IN_PROGRESS",
            )
        if chosen == ReplicaType.SNAPCLONE and any(
            t.replica_type in SNAPSHOT_KINDS for t in targets
        ):
            raise PlanError(
                "snapclones cannot be made while snapshots exist", code="SNAPSHOTS_EXIST"
            )
        ctx.state(SnapshotSessionState).replica_type = chosen

    @staticmethod
    def _check_ca(ctx: SessionContext, drv: Any, src: VolumeRef, opts: EvaOptions) -> None:
        if opts.replica_conf != "combined":
            return
        state = drv.dr_group_state(src.volume)
        if state is None:
            raise PlanError(f"{src} is not in a CA EVA DR group", code="NOT_CA_DESTINATION")
        if state in DR_GROUP_ZDB_STATES:
            return
        if opts.ca_override:
            ctx.warn(SMISA, f"DR group of {src} is {state}; backing up anyway (override)")
            return
        raise PlanError(
            f"the DR group of {src} is {state}: destination data is not consistent",
            code="CA_DR_GROUP_STATE",
        )

    # --- rotation ------------------------------------------------------------------

    def prepare(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        """Make room for the new replica: the oldest beyond N-1 are given up after it is
        made where the array has room, before it otherwise (§2.5, OPS-I3)."""
        yield from rotation.prepare(ctx, self.array(ctx), sources)

    # --- creation ------------------------------------------------------------------

    def create(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        """Every target at one instant (the array call is all-or-nothing); undo deletes them."""
        assert ctx.spec is not None
        opts: EvaOptions = ctx.options
        kind = ctx.state(SnapshotSessionState).replica_type or opts.snapshot_type
        clone = kind == ReplicaType.SNAPCLONE
        reqs = [
            ReplicaRequest(
                s.volume,
                kind,
                raid=opts.snapclone_vraid if clone else None,
                pool=opts.snapclone_disk_group if clone else None,
            )
            for s in sources
        ]
        drv = self.array(ctx)
        at = ctx.now
        op = drv.create_replicas(reqs)
        targets: list[TargetVolume] = op.result
        ctx.undo.push(
            "delete replica targets",
            _dropper(drv, targets, partial(_to_purge_list, ctx, kind)),
            left_behind=f"target(s) {', '.join(t.target.volume for t in targets)} remain",
        )
        yield from ctx.wait(op)
        seq = ctx.repo.next_replica_sequence(ctx.spec.name)
        ctx.info(
            SMISA, f"Created {len(targets)} {kind.value} target(s) of {len(sources)} source(s)"
        )
        return ReplicaRecord(
            id=f"{ctx.spec.name}#{seq}",
            spec=ctx.spec.name,
            session_id=ctx.session.id,
            array=ctx.spec.array,
            created_at=at,
            replica_type=kind,
            targets=targets,
            layout=[],
            tracked=opts.keep_for_ir,
            sequence=seq,
            details={"snapshot_type": kind.value, "policy": opts.policy},
        )

    # --- backup system ---------------------------------------------------------------

    def expose(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None and ctx.spec.backup_system
        drv, bk = self.array(ctx, replica.array), ctx.spec.backup_system
        for t in replica.targets:
            vol = t.target.volume
            op = drv.present(vol, bk)
            ctx.undo.push(
                f"unpresent {vol}",
                partial(drv.unpresent, vol, bk),
                left_behind=f"{vol} is still presented to {bk}",
            )
            yield from ctx.wait(op)
        ctx.info(SMISA, f"Presented {len(replica.targets)} target(s) to {bk}")

    def conceal(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        assert ctx.spec is not None and ctx.spec.backup_system
        drv, bk = self.array(ctx, replica.array), ctx.spec.backup_system
        for t in replica.targets:
            yield from ctx.wait(drv.unpresent(t.target.volume, bk))
            ctx.undo.discard(f"unpresent {t.target.volume}")

    def finish(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """Hold for unsharing (``wait_clonecopy``: polled until the array shows no copy in
        progress, at most that long), then keep or delete the replica."""
        opts: EvaOptions = ctx.options
        drv = self.array(ctx, replica.array)
        if replica.replica_type == ReplicaType.SNAPCLONE and opts.wait_clonecopy_min is not None:
            limit = ctx.now + opts.wait_clonecopy_min * 60
            done = yield from wait_copies(ctx, partial(_copy_states, drv, replica), limit=limit)
            if not done:
                ctx.warn(SMISA, "Snapclones still unsharing when the wait ran out")
            _no_failed_clone(drv, replica)
        yield from rotation.finish_deferred(ctx)
        if opts.keep_replica:
            return
        _dropper(drv, replica.targets)()
        ctx.undo.discard("delete replica targets")
        replica.status, replica.tracked = ReplicaStatus.DELETED, False
        ctx.info(SMISA, f"Replica {replica.id} not kept: target volumes deleted")

    # --- instant recovery and maintenance --------------------------------------------

    def restore(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RestoreOptions
    ) -> Steps:
        from apprm_ref.core.replication.snapshot_restore import restore

        return (yield from restore(self, ctx, replica, options))

    def check_restore(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RestoreOptions
    ) -> None:
        """Every IR precondition, before anything (hosts included) changes."""
        from apprm_ref.core.replication.snapshot_restore import check_restore

        check_restore(self, ctx, replica, options, hosts_released=False)

    def delete(self, ctx: SessionContext, replica: ReplicaRecord, *, force: bool = False) -> Steps:
        """Delete the replica's targets (``omnidbsmis -delete``, purge). A presented target
        refuses the whole delete unless ``force``, which also drops what cannot be deleted."""
        drv = self.array(ctx, replica.array)
        infos = _infos(drv, replica.targets)
        live = [t for t in replica.targets if t.target.volume in infos]
        busy = [t for t in live if infos[t.target.volume].presented_to]
        if busy and not force:
            raise PlanError(
                f"{busy[0].target} is still presented; unpresent it first",
                code="EVA_VDISK_PRESENTED",
            )
        for t in live:
            try:
                for host in drv.volume_info(t.target.volume).presented_to:
                    yield from ctx.wait(drv.unpresent(t.target.volume, host))
                yield from ctx.wait(drv.delete_volume(t.target.volume))
            except ArrayError as exc:
                if not force:
                    raise
                ctx.warn(
                    SMISA, f"Forced delete: {t.target} left on the array: {exc}", code=exc.code
                )


def _copy_states(drv: Any, replica: ReplicaRecord) -> list[CopyState]:
    return [drv.copy_state(t.target.volume) for t in replica.targets]


def _no_failed_clone(drv: Any, replica: ReplicaRecord) -> None:
    """A snapclone whose normalization failed is no replica: fail the session (its undo
    deletes every target)."""
    failed = [v for v, info in _infos(drv, replica.targets).items() if info.state == "failed"]
    if failed:
        raise ArrayError(
            f"snapclone(s) {', '.join(sorted(failed))} failed to normalize", code="EVA_CLONE_FAILED"
        )


def _infos(drv: Any, targets: list[TargetVolume]) -> dict[str, Any]:
    """Info of the targets the array still has (a purge may find some already gone), asked
    for by id: listing the whole array would cost every session O(estate)."""
    return drv.volumes_info([t.target.volume for t in targets])


def _to_purge_list(ctx: SessionContext, kind: ReplicaType, targets: list[TargetVolume]) -> str:
    """Track the targets an undo could not delete as a replica on the purge list, so the
    IDB and the array agree and ``replicas purge`` deletes them later (ARR-I14, REL-I1)."""
    assert ctx.spec is not None
    seq = ctx.repo.next_replica_sequence(ctx.spec.name)
    rec = ReplicaRecord(
        id=f"{ctx.spec.name}#{seq}",
        spec=ctx.spec.name,
        session_id=ctx.session.id,
        array=ctx.spec.array,
        created_at=ctx.now,
        replica_type=kind,
        targets=list(targets),
        layout=[],
        tracked=False,
        status=ReplicaStatus.PURGE,
        sequence=seq,
        details={"snapshot_type": kind.value, "left_by_undo": ctx.session.id},
    )
    ctx.repo.add_replica(rec)
    return rec.id


def _dropper(
    drv: Any,
    targets: list[TargetVolume],
    on_left: Callable[[list[TargetVolume]], str] | None = None,
) -> Callable[[], None]:
    """Undo of a creation: unpresent and delete every target still there; report the first
    failure after trying them all. What stays is handed to ``on_left`` (the purge list),
    whose answer the error then names."""

    def drop() -> None:
        first: Exception | None = None
        left: list[TargetVolume] = []
        try:
            present = _infos(drv, targets)
        except ArrayError as exc:
            present, first = {t.target.volume: None for t in targets}, exc
        for t in targets:
            if t.target.volume not in present:
                continue
            info = present[t.target.volume]
            try:
                for host in info.presented_to if info is not None else ():
                    drv.unpresent(t.target.volume, host)
                drv.delete_volume(t.target.volume)
            except ArrayError as exc:
                first = first or exc
                left.append(t)
        if first is None or not left:  # every target is gone (a failed query alone is not)
            return
        if on_left is None:
            raise first
        try:
            where = f"moved to the purge list as replica {on_left(left)}"
        except ApprmError as idb:  # untracked unless deleted now: one more try on the array
            if _drop_again(drv, left):
                return
            where = f"NOT tracked: the IDB refused the purge-list entry ({idb})"
        text = first.message if isinstance(first, ApprmError) else str(first)
        raise ArrayError(f"{text} ({where})", code=getattr(first, "code", None)) from first

    return drop


def _drop_again(drv: Any, left: list[TargetVolume]) -> bool:
    """Retry unpresenting and deleting ``left``; whether every one is gone now."""
    try:
        _dropper(drv, left)()
    except ArrayError:
        return False
    return True
