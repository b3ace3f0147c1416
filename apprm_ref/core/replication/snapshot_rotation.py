"""EVA replica set rotation (``arrays.md`` §2.5) that never leaves the set empty when it
need not (OPS-I3).

The oldest replicas past N-1 are given up *after* the new replica exists when the array
has room for one more (disk-group free space and the per-source snapshot limit, rule E9);
only when it has not are they removed first, and the session says the set is briefly
empty if that removes its last replica. An undeletable replica goes to the purge list
(F8, ARR-P13).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication import backup_system
from apprm_ref.core.replication.base import Steps
from apprm_ref.core.replication.snapshot_state import SnapshotSessionState
from apprm_ref.drivers.eva_limits import raw_bytes
from apprm_ref.errors import ApprmError, ArrayError, PlanError
from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef

SMISA = "SMISA"
SNAPSHOT_KINDS = (ReplicaType.SNAPSHOT, ReplicaType.VSNAP)


def doomed(ctx: SessionContext, n: int) -> list[ReplicaRecord]:
    """The oldest unlocked replicas to give up so the set holds N with the new one."""
    assert ctx.spec is not None
    active = ctx.repo.list_replicas(spec=ctx.spec.name, status=ReplicaStatus.ACTIVE)
    count, out = len(active), []
    for oldest in active:
        if count < n:
            break
        if oldest.details.get("locked"):
            ctx.warn(SMISA, f"Replica {oldest.id} is locked; rotation leaves it alone")
            continue
        out.append(oldest)
        count -= 1
    if count >= n:
        raise PlanError(
            f"replica set of {ctx.spec.name} is full ({count} of {n}) and locked",
            code="REPLICA_SET_FULL",
        )
    return out


def prepare(ctx: SessionContext, drv: Any, sources: list[VolumeRef]) -> Steps:
    """Defer the rotation when the array has room, else rotate now (warning if the set
    is briefly empty)."""
    assert ctx.spec is not None
    n = ctx.options.replicas
    old = doomed(ctx, n)
    if not old:
        return
    names = ", ".join(r.id for r in old)
    short = room_missing(ctx, drv, sources)
    if short is None:
        ctx.state(SnapshotSessionState).rotate_after = [r.id for r in old]
        ctx.info(SMISA, f"Rotation: the new replica is made before {names} is given up")
        return
    left = len(ctx.repo.list_replicas(spec=ctx.spec.name, status=ReplicaStatus.ACTIVE))
    if left == len(old):
        ctx.warn(
            SMISA,
            f"Rotation: no room for another replica ({short}); replica set of "
            f"{ctx.spec.name} is briefly empty until the new replica exists",
            code="SET_BRIEFLY_EMPTY",
        )
    for rep in old:
        yield from _disable(ctx, rep)
        yield from rotate_out(ctx, rep)


def _disable(ctx: SessionContext, rep: ReplicaRecord) -> Steps:
    """A replica left enabled on the backup system must go now: take it back there."""
    bk = backup_system.disable_host_side(ctx, rep, SMISA)
    if bk is None:
        return
    drv = ctx.drivers.array(rep.array)
    infos = drv.volumes_info([t.target.volume for t in rep.targets])
    for vol in sorted(v for v, info in infos.items() if bk in info.presented_to):
        yield from ctx.wait(drv.unpresent(vol, bk))
    ctx.drivers.host.rescan(bk)
    ctx.repo.update_replica(rep)


def finish_deferred(ctx: SessionContext) -> Steps:
    """The new replica exists: give up the replicas the rotation kept for it."""
    state = ctx.state(SnapshotSessionState)
    deferred, state.rotate_after = state.rotate_after, []
    for rid in deferred:
        rep = ctx.repo.get_replica(rid)
        if rep.status == ReplicaStatus.ACTIVE:
            yield from rotate_out(ctx, rep)


def room_missing(ctx: SessionContext, drv: Any, sources: list[VolumeRef]) -> str | None:
    """Why the array cannot hold one more replica of ``sources`` (None: it can)."""
    opts = ctx.options
    kind: ReplicaType = ctx.state(SnapshotSessionState).replica_type or opts.snapshot_type
    need: Counter[str] = Counter()
    for src in sources:
        info = drv.volume_info(src.volume)
        if kind in SNAPSHOT_KINDS:
            live = [
                t
                for t in drv.targets_of(src.volume)
                if t.replica_type in SNAPSHOT_KINDS and t.state != "invalid"
            ]
            limit = drv.snapshot_limit(src.volume)
            if len(live) + 1 > limit:
                return f"{src} has {len(live)} of {limit} snapshots allowed"
        if kind == ReplicaType.SNAPSHOT:
            need[info.pool] += raw_bytes(info.size_bytes, info.raid)
        elif kind == ReplicaType.SNAPCLONE:
            raid = opts.snapclone_vraid or info.raid
            need[opts.snapclone_disk_group or info.pool] += raw_bytes(info.size_bytes, raid)
    free = {p.name: p.free_bytes for p in drv.pools()}
    for group in sorted(need):
        if need[group] > free.get(group, 0):
            return (
                f"disk group {group} has {_gib(free.get(group, 0))} free of the "
                f"{_gib(need[group])} a new replica takes"
            )
    return None


def _gib(n: int) -> str:
    return f"{n / 2**30:.1f} GiB"


def rotate_out(ctx: SessionContext, rep: ReplicaRecord) -> Steps:
    """Delete the replica's targets, or put it on the purge list when one cannot go.

    The IDB hears of it first (the purge list), then the array: an IDB that refuses the
    write stops the rotation before any target goes, so the arrays never lose targets of a
    replica the IDB still calls active (REL-I1); once they are gone, an IDB refusing the
    final write leaves the replica on the purge list, whose purge ends it."""
    drv = ctx.drivers.array(rep.array)
    infos = drv.volumes_info([t.target.volume for t in rep.targets])
    live = [t for t in rep.targets if t.target.volume in infos]
    busy = [t for t in live if infos[t.target.volume].presented_to]
    rep.status = ReplicaStatus.PURGE
    ctx.repo.update_replica(rep)
    if busy or not (yield from _delete_all(ctx, drv, live)):
        what = (
            f"target {busy[0].target.volume} is presented to "
            f"{', '.join(infos[busy[0].target.volume].presented_to)}"
            if busy
            else "not deletable"
        )
        ctx.warn(SMISA, f"Rotation: replica {rep.id} is {what}; moved to the purge list")
        return
    rep.status = ReplicaStatus.DELETED
    try:
        ctx.repo.update_replica(rep)
    except ApprmError as exc:
        ctx.warn(
            SMISA,
            f"Rotation: replica {rep.id} deleted on the array but the IDB refused the "
            f"update ({exc.message}); it stays on the purge list",
            code=exc.code,
        )
        return
    ctx.info(SMISA, f"Rotation: replica {rep.id} (session {rep.session_id}) deleted")


def _delete_all(ctx: SessionContext, drv: Any, live: list[TargetVolume]) -> Steps:
    for t in live:
        try:
            yield from ctx.wait(drv.delete_volume(t.target.volume))
        except ArrayError as exc:
            ctx.warn(SMISA, f"Cannot delete {t.target}: {exc}", code=exc.code)
            return False
    return True
