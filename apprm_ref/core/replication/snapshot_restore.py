"""EVA instant recovery (``arrays.md`` §2.7): switch of disks, copy-back (keep or not),
optionally retaining the pre-IR source for forensics.

Every precondition of every volume is checked before the first array operation, so a
refused IR changes nothing; a failure midway is what the product documents (a switch can
leave volumes unpresented, a copy-back leaves sources partly overwritten).
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions, Steps
from apprm_ref.core.replication.copy_wait import wait_copies
from apprm_ref.core.replication.snapshot_repoint import (
    SWITCHING,
    keep_unswitched,
    repoint,
    switched,
)
from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.errors import ApprmError, ArrayError, PartialRestoreError, RecoveryError
from apprm_ref.types import ReplicaType, Severity, TargetVolume, VolumeRef

if TYPE_CHECKING:
    from apprm_ref.core.replication.snapshot import SnapshotReplication

SMISA = "SMISA"
METHODS = ("switch", "copy-back")
DEFAULT_METHOD = "copy-back"  # (inferred) works for every replica type
# (inferred) how long an IR without keep waits for its copy-backs to end. The sources show
# the replica's data from the start; the wait only settles the replica's record, so a copy
# stuck on the array must not hold the session (and the lab's writer lock) for ever.
COPY_BACK_WAIT_SECONDS = 24 * 3600.0


def _method(options: RestoreOptions) -> str:
    method = options.method or DEFAULT_METHOD
    if method not in METHODS:
        raise RecoveryError(
            f"EVA instant recovery method must be one of {', '.join(METHODS)}", code="BAD_METHOD"
        )
    return method


def check_restore(
    m: SnapshotReplication,
    ctx: SessionContext,
    replica: ReplicaRecord,
    options: RestoreOptions,
    *,
    hosts_released: bool = True,
) -> None:
    method, retain = _method(options), bool(ctx.options.retain_source_on_ir)
    if hosts_released:
        _check_hosts(ctx, replica)
    drv = m.array(ctx, replica.array)
    volumes = drv.volumes_info(
        [v for t in replica.targets for v in (t.target.volume, t.source.volume)]
    )
    for t in replica.targets:
        tgt, src = volumes.get(t.target.volume), volumes.get(t.source.volume)
        if tgt is None or src is None:
            missing = t.target if tgt is None else t.source
            raise RecoveryError(f"{missing} no longer exists on the array", code="VOLUME_MISSING")
        if tgt.source != t.source or tgt.state in ("failed", "invalid"):
            raise RecoveryError(
                f"{t.target} is no longer a valid replica of {t.source}", code="REPLICA_INVALID"
            )
        if tgt.size_bytes != src.size_bytes:
            raise RecoveryError(f"{t.target} and {t.source} differ in size", code="SIZE_MISMATCH")
        if drv.copy_state(t.source.volume).copying:
            raise RecoveryError(f"{t.source} is still being restored", code="RESTORE_IN_PROGRESS")
        others = [
            o for o in drv.targets_of(t.source.volume) if o.ref != t.target and o.state != "invalid"
        ]
        if method == "switch":
            _check_switch(t, tgt, others, retain)
        else:
            _check_copy_back(t, tgt, others, retain, options.keep_replica)


def _check_hosts(ctx: SessionContext, replica: ReplicaRecord) -> None:
    """ARR-I17: never while a source filesystem is mounted on the application system."""
    hd = ctx.drivers.host
    for lay in replica.layout:
        if any(mt.mount_point == lay.mount_point for mt in hd.mounts(lay.host)):
            raise RecoveryError(
                f"{lay.mount_point} is still mounted on {lay.host}", code="SOURCE_MOUNTED"
            )


def _check_switch(t: TargetVolume, tgt: Any, others: list[Any], retain: bool) -> None:
    if t.replica_type != ReplicaType.SNAPCLONE:
        raise RecoveryError(
            "switch of disks needs a snapclone replica", code="SWITCH_NEEDS_SNAPCLONE"
        )
    if tgt.state != "normalized":
        raise RecoveryError(
            f"{t.target} is {tgt.state}, not normalized", code="REPLICA_NORMALIZING"
        )
    if tgt.presented_to:
        raise RecoveryError(
            f"{t.target} is presented to {', '.join(tgt.presented_to)}", code="REPLICA_PRESENTED"
        )
    if retain:
        return
    if any(o.replica_type in (ReplicaType.SNAPSHOT, ReplicaType.VSNAP) for o in others):
        raise RecoveryError(
            f"{t.source} has dependent snapshots; retain the source or delete them",
            code="SOURCE_HAS_SNAPSHOTS",
        )
    if any(o.state == "normalizing" for o in others):
        raise RecoveryError(
            f"{t.source} has a snapclone still unsharing", code="CLONING_IN_PROGRESS"
        )


def _check_copy_back(
    t: TargetVolume, tgt: Any, others: list[Any], retain: bool, keep: bool
) -> None:
    if tgt.state == "normalizing":
        raise RecoveryError(f"{t.target} is still normalizing", code="REPLICA_NORMALIZING")
    if not keep and tgt.presented_to:
        raise RecoveryError(
            f"{t.target} is presented; it cannot be dropped", code="REPLICA_PRESENTED"
        )
    if retain and any(o.state == "normalizing" for o in others):
        raise RecoveryError(
            f"{t.source} has a snapclone still unsharing", code="CLONING_IN_PROGRESS"
        )
    if retain and any(
        o.replica_type in (ReplicaType.SNAPSHOT, ReplicaType.VSNAP) for o in others + [tgt]
    ):
        raise RecoveryError(
            f"{t.source} has snapshots: no snapclone can retain it (E8)", code="CANNOT_RETAIN"
        )


def restore(
    m: SnapshotReplication, ctx: SessionContext, replica: ReplicaRecord, options: RestoreOptions
) -> Steps:
    check_restore(m, ctx, replica, options)
    if _method(options) == "switch":
        yield from _switch(m, ctx, replica)
    else:
        yield from _copy_back(m, ctx, replica, options.keep_replica)


def _switch(m: SnapshotReplication, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
    """Each snapclone takes its source's identity; the replica is consumed (P5)."""
    drv = m.array(ctx, replica.array)
    retain = bool(ctx.options.retain_source_on_ir)
    moved: dict[VolumeRef, VolumeRef] = {}
    # its targets become the sources, each keeping its id (ARR-P5): the IDB hears of the
    # whole switch first, so a refused final write cannot lose it (see snapshot_repoint)
    replica.details[SWITCHING] = {str(t.source): str(t.target) for t in replica.targets}
    try:
        _record(ctx, replica, ReplicaStatus.CONSUMED)
    except ApprmError:
        del replica.details[SWITCHING]
        raise
    for t in replica.targets:
        try:
            new_id = yield from ctx.wait(
                drv.restore_switch(t.source.volume, t.target.volume, retain_source=retain)
            )
        except ArrayError as exc:
            if not moved:
                replica.status = ReplicaStatus.ACTIVE  # nothing switched: restorable
                del replica.details[SWITCHING]
                raise
            _partial_switch(ctx, replica, moved, t, exc)
        moved[t.source] = VolumeRef(replica.array, new_id)
    switched(replica, moved)
    repoint(ctx.repo, replica, moved, partial(_not_repointed, ctx))
    ctx.info(SMISA, f"Switch of disks: {len(moved)} source volume(s) replaced by the replica")


def _partial_switch(
    ctx: SessionContext,
    replica: ReplicaRecord,
    moved: dict[VolumeRef, VolumeRef],
    t: TargetVolume,
    exc: ArrayError,
) -> None:
    """A switch refused after others were done cannot be taken back (their old sources
    are gone or retained): the other snapclones of the switched sources follow them, the
    replica keeps only the targets not switched, on the purge list (IDB and array agree),
    and the Critical says which sources hold the replica's data."""
    switched(replica, moved)
    repoint(ctx.repo, replica, moved, partial(_not_repointed, ctx))
    keep_unswitched(replica, moved)
    done = ", ".join(f"{s} (now {v.volume})" for s, v in sorted(moved.items()))
    left = ", ".join(x.target.volume for x in replica.targets)
    raise PartialRestoreError(
        f"switch of {t.source} to {t.target.volume} failed to start ({exc.message}) after "
        f"{done} switched: those sources hold the replica's data, the others do not; "
        f"replica {replica.id} moved to the purge list with its targets not switched ({left})",
        code=exc.code,
    ) from exc


def _record(ctx: SessionContext, replica: ReplicaRecord, status: str) -> None:
    """Tell the IDB before the array changes the replica for good; refused, nothing did."""
    before, replica.status = replica.status, status
    try:
        ctx.repo.update_replica(replica)
    except ApprmError:
        replica.status = before
        raise


def _not_repointed(ctx: SessionContext, rep: ReplicaRecord, exc: ApprmError) -> None:
    """The array has switched: report, never undo (REL-I1)."""
    targets = ", ".join(t.target.volume for t in rep.targets)
    ctx.log(
        Severity.CRITICAL,
        SMISA,
        f"The IDB refused repointing replica {rep.id} (targets {targets}) to the recovered "
        f"sources ({exc.message}); the next session of {rep.spec} repoints it",
        code=exc.code,
    )


def _partial_copy_back(
    replica: ReplicaRecord,
    started: list[TargetVolume],
    t: TargetVolume,
    exc: ArrayError,
    keep: bool,
) -> None:
    """A copy-back that fails to start after others started cannot be taken back: say which
    sources hold the replica's data. Without keep the array deletes the started targets
    when their copies end, so the replica goes to the purge list (IDB and array agree)."""
    if not started:
        replica.status = ReplicaStatus.ACTIVE  # nothing changed: restorable as before
        raise exc
    done = ", ".join(f"{s.source} (from {s.target.volume})" for s in started)
    what = f"replica {replica.id} kept"
    if not keep:
        replica.status, replica.tracked = ReplicaStatus.PURGE, False
        what = f"replica {replica.id} moved to the purge list"
    replica.details["partly_restored"] = [str(s.source) for s in started]
    raise PartialRestoreError(
        f"copy-back of {t.source} from {t.target.volume} failed to start ({exc.message}) after "
        f"{done} started: those sources hold the replica's data, the others do not; {what}",
        code=exc.code,
    ) from exc


def _copy_back(
    m: SnapshotReplication, ctx: SessionContext, replica: ReplicaRecord, keep: bool
) -> Steps:
    """Sources read the replica at once; without keep the session waits for the copies to
    end (polled until the array shows none in progress), when the array drops the replica
    (P5)."""
    drv = m.array(ctx, replica.array)
    if ctx.options.retain_source_on_ir:
        reqs = [ReplicaRequest(t.source.volume, ReplicaType.SNAPCLONE) for t in replica.targets]
        kept = yield from ctx.wait(drv.create_replicas(reqs))
        replica.details["retained_sources"] = [str(k.target) for k in kept]
        ctx.info(SMISA, f"Pre-IR sources retained as {', '.join(str(k.target) for k in kept)}")
    if not keep:  # the array deletes the targets as their copies end: IDB first (REL-I1)
        _record(ctx, replica, ReplicaStatus.PURGE)
    started: list[TargetVolume] = []
    for t in replica.targets:
        try:
            op = drv.restore_copy_back(t.target.volume, t.source.volume, keep=keep)
        except ArrayError as exc:
            _partial_copy_back(replica, started, t, exc, keep)
        started.append(t)
        yield from ctx.wait(op)
    ctx.info(
        SMISA,
        f"Copy-back of {len(replica.targets)} volume(s) started; sources show the replica's data",
    )
    if keep:
        return
    done = yield from wait_copies(
        ctx,
        lambda: [drv.copy_state(t.source.volume) for t in replica.targets],
        limit=ctx.now + COPY_BACK_WAIT_SECONDS,
    )
    if not done:  # recorded on the purge list before the copies started (REL-I1)
        ctx.warn(
            SMISA,
            f"Copy-back still in progress after {COPY_BACK_WAIT_SECONDS / 3600:g} h; the "
            f"sources show the replica's data. Replica {replica.id} stays on the purge list: "
            "the array deletes its targets when the copies end",
        )
        return
    replica.status = ReplicaStatus.CONSUMED
    ctx.info(SMISA, f"Copy-back finished; replica {replica.id} deleted")
