"""Instant recovery (``arrays.md`` §4.2) as one SimPy process.

Preconditions are checked before anything changes; the hosts let go of every filesystem
of the replicated volume groups (selected or not) before the array touches the sources
(ARR-I17), and the original mount points are restored afterwards.
"""

from __future__ import annotations

from functools import partial

from apprm_ref.core import identity, planner
from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import Integration, RecoveryOptions, Steps
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication.base import ReplicationMethod, RestoreOptions
from apprm_ref.core.session import BackupObjectRecord, ObjectResult
from apprm_ref.drivers.host import StackLayout
from apprm_ref.errors import ApprmError, PartialRestoreError, RecoveryError
from apprm_ref.types import Severity

RSM = "RSM"


def check_replica(replica: ReplicaRecord) -> None:
    """A replica is IR-capable only if tracked and still in the set (ARR-I15, OS-I16)."""
    if replica.status != ReplicaStatus.ACTIVE:
        raise RecoveryError(
            f"replica {replica.id} is {replica.status}; it cannot be restored", code="NOT_ACTIVE"
        )
    if not replica.tracked:
        raise RecoveryError(
            f"replica {replica.id} was not tracked for instant recovery", code="NOT_TRACKED"
        )


def release_hosts(ctx: SessionContext, replica: ReplicaRecord) -> None:
    """Dismount every filesystem of the replicated units, then let go of the units, each
    through its host's storage stack (undo: take back, remount)."""
    hd = ctx.drivers.host
    units = sorted({(lay.host, lay.vg) for lay in replica.layout})
    mounted = {(m.mount_point) for lay in replica.layout for m in hd.mounts(lay.host)}
    for lay in sorted(replica.layout, key=lambda x: x.mount_point, reverse=True):
        if lay.mount_point in mounted:
            stack = hd.stack(lay.host)
            stack.unmount(lay.host, lay.mount_point)
            ctx.undo.push(
                f"remount {lay.mount_point}",
                partial(stack.remount, lay.host, planner.stack_layout(lay)),
                left_behind=f"{lay.mount_point} is not mounted on {lay.host}",
            )
    for host, vg in units:
        stack, first = hd.stack(host), _first(replica, host, vg)
        stack.release(host, first)
        ctx.undo.push(
            f"{stack.reattach_verb} {vg}",
            partial(stack.reattach, host, first),
            left_behind=f"{vg} is released on {host}",
        )
    ctx.info(RSM, f"Dismounted {', '.join(sorted(lay.mount_point for lay in replica.layout))}")


def _first(replica: ReplicaRecord, host: str, vg: str) -> StackLayout:
    lay = next(x for x in replica.layout if x.host == host and x.vg == vg)
    return planner.stack_layout(lay)


def reattach_hosts(ctx: SessionContext, replica: ReplicaRecord) -> None:
    hd = ctx.drivers.host
    for host in sorted({lay.host for lay in replica.layout}):
        hd.rescan(host)
    for host, vg in sorted({(lay.host, lay.vg) for lay in replica.layout}):
        hd.stack(host).reattach(host, _first(replica, host, vg))
    for lay in sorted(replica.layout, key=lambda x: x.mount_point):
        hd.stack(lay.host).remount(lay.host, planner.stack_layout(lay))
    ctx.info(
        RSM,
        f"Mounted at original mount points: {', '.join(sorted(lay.mount_point for lay in replica.layout))}",
    )


def _record(ctx: SessionContext, replica: ReplicaRecord) -> None:
    """The replica's state after the IR; the arrays have changed already, so an IDB that
    refuses is reported Critical with what it lacks, not an error that undoes (REL-I1)."""
    try:
        ctx.repo.update_replica(replica)
    except ApprmError as exc:
        targets = ", ".join(t.target.volume for t in replica.targets)
        ctx.log(
            Severity.CRITICAL,
            RSM,
            f"The IDB refused recording replica {replica.id} as {replica.status} "
            f"(targets {targets}): {exc.message}",
            code=exc.code,
        )


def run_restore(
    ctx: SessionContext,
    replica: ReplicaRecord,
    integration: Integration,
    method: ReplicationMethod,
    array_opts: RestoreOptions,
    app_opts: RecoveryOptions,
) -> Steps:
    session = ctx.session
    session.restored_from = replica.session_id
    session.objects = [BackupObjectRecord(f"{replica.id}", "replica")]
    ctx.repo.save_session(session)
    try:
        check_replica(replica)
        precheck = getattr(method, "check_restore", None)  # optional: array preconditions
        if precheck is not None:  # before the application is stopped (nothing changed yet)
            precheck(ctx, replica, array_opts)
        identity.verify(ctx.drivers, replica)  # REL-I6: still the content backed up
        elsewhere = getattr(integration, "restore_elsewhere", None)  # another location
        if elsewhere is not None and elsewhere(app_opts):
            yield from integration.restore_to(ctx, replica, app_opts)  # type: ignore[attr-defined]
        else:
            yield from integration.stop_for_ir(ctx, replica, app_opts)
            release_hosts(ctx, replica)
            yield from method.restore(ctx, replica, array_opts)
            # the sources now hold the replica's content: a remount is the only way forward
            ctx.undo.clear()
            reattach_hosts(ctx, replica)
            yield from integration.start_after_ir(ctx, replica, app_opts)
    except ApprmError as exc:
        ctx.log(Severity.CRITICAL, RSM, f"Instant recovery failed: {exc.message}", code=exc.code)
        if isinstance(exc, PartialRestoreError):  # the volumes hold two points in time
            ctx.abandon(RSM, exc.state)
        else:
            ctx.unwind(RSM, report_undone=False)  # a failed undo is Critical (OPS-I2)
        session.objects[0].status = ObjectResult.FAILED
        session.objects[0].detail = str(exc)
        _record(ctx, replica)
        return session
    _record(ctx, replica)
    session.objects[0].status = ObjectResult.COMPLETED
    ctx.info(RSM, f"Instant recovery from {replica.id} (session {replica.session_id}) completed")
    return session
