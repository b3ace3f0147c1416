"""A full EVA disk group seen from the sessions (OPS-I5).

When vsnap growth fills a disk group the array freezes writes to the source and fails its
vsnaps (rule E11, ARR-P8). Nothing on the host side says so, so every session on such a
source looks for failed targets before anything changes: the first to meet them reports
it (Major) naming the disk group and marks the replicas holding them invalid in the IDB
(not restorable); later sessions warn for as long as the failed vsnaps remain.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.types import ReplicaType, Severity, VolumeRef

SMISA = "SMISA"
FAILED = "failed"  # a vsnap after disk-group space exhaustion (VolumeInfo.state)


def report_frozen(ctx: SessionContext, drv: Any, sources: list[VolumeRef]) -> None:
    """Report each source whose writes are stopped by failed vsnaps."""
    for src in sources:
        failed = sorted(
            t.ref.volume
            for t in drv.targets_of(src.volume)
            if t.state == FAILED and t.replica_type == ReplicaType.VSNAP
        )
        if failed:
            _report(ctx, drv, src, failed)


def report_failed_clones(ctx: SessionContext, drv: Any, sources: list[VolumeRef]) -> None:
    """A snapclone whose normalization failed holds no usable copy: the first session to
    meet it marks its replica invalid (Major); the source itself is unharmed."""
    for src in sources:
        failed = sorted(
            t.ref.volume
            for t in drv.targets_of(src.volume)
            if t.state == FAILED and t.replica_type == ReplicaType.SNAPCLONE
        )
        newly = _invalidate(ctx, src, failed, "", why="snapclone normalization failed")
        if newly:
            ctx.log(
                Severity.MAJOR,
                SMISA,
                f"Snapclone(s) {', '.join(failed)} of {src} failed to normalize; replica(s) "
                f"{', '.join(r.id for r in newly)} marked invalid (not restorable). Delete "
                "them (apprm replicas delete)",
                code="EVA_CLONE_FAILED",
            )


def _report(ctx: SessionContext, drv: Any, src: VolumeRef, failed: list[str]) -> None:
    group = drv.volume_info(src.volume).pool
    newly = _invalidate(ctx, src, failed, group)
    vsnaps = ", ".join(failed)
    if newly:
        ctx.log(
            Severity.MAJOR,
            SMISA,
            f"Disk group {group} is full: vsnap(s) {vsnaps} of {src} failed and writes to "
            f"{src} are stopped; replica(s) {', '.join(r.id for r in newly)} marked invalid. "
            "Delete the failed vsnaps (apprm replicas delete) to resume writes",
            code="EVA_DISK_GROUP_FULL",
        )
        return
    ctx.warn(
        SMISA,
        f"Writes to {src} are still stopped: disk group {group} is full and vsnap(s) "
        f"{vsnaps} have failed",
        code="EVA_WRITE_FROZEN",
    )


def _invalidate(
    ctx: SessionContext, src: VolumeRef, failed: list[str], group: str, *, why: str = ""
) -> list[ReplicaRecord]:
    """Mark the active replicas holding a failed target invalid; returns them (one on the
    purge list stays there: it is not restorable already and the purge still owes it)."""
    if not failed:  # the usual case: nothing to look up
        return []
    hit = set(failed)
    newly = []
    for rep in ctx.repo.list_replicas(array=src.array, status=ReplicaStatus.ACTIVE):
        if not hit.isdisjoint([t.target.volume for t in rep.targets]):
            rep.status, rep.tracked = ReplicaStatus.INVALID, False
            rep.details["invalid_reason"] = why or f"vsnap failed: disk group {group} full"
            rep.details["invalid_by"] = ctx.session.id
            ctx.repo.update_replica(rep)
            newly.append(rep)
    return newly
