"""The ZDB session flow of ``arrays.md`` §4.1 as one SimPy process.

Every step holds an undo handle; any failure unwinds them newest first, so the application
is released on every path (ARR-I16, OS-I13) and no partly made replica survives (ARR-I14).
The application wraps the replica instant itself (``consistent``, EXT-I5); an undo that
fails is Critical and says what it left behind (OPS-I2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

from apprm_ref.core import identity, planner
from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import Integration, Steps
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.replication.base import ReplicationMethod
from apprm_ref.core.session import BackupObjectRecord, ObjectResult, UndoHandle
from apprm_ref.errors import ApprmError
from apprm_ref.types import Severity

BSM = "BSM"


def run_exec(ctx: SessionContext, which: str) -> bool:
    """Run the spec's pre- or post-exec script; stdout becomes Normal messages."""
    assert ctx.spec is not None
    ref = ctx.spec.pre_exec if which == "pre" else ctx.spec.post_exec
    if ref is None:
        return True
    host = ref.host or ctx.spec.application_system
    try:
        rc, output = ctx.drivers.host.run_script(host, ref.command)
    except ApprmError as exc:  # not found, host down: the script failed (VC-I18)
        ctx.log(
            Severity.MAJOR,
            BSM,
            f"{which.capitalize()}-exec command {ref.command} could not be run: {exc.message}",
            code=exc.code,
        )
        return False
    for line in output:
        ctx.info(f"{which}-exec@{host}", line)
    if rc != 0:
        ctx.log(
            Severity.MAJOR,
            BSM,
            f"{which.capitalize()}-exec command {ref.command} failed with exit code {rc}",
            code=f"EXIT{rc}",
        )
        return False
    ctx.info(BSM, f"{which.capitalize()}-exec command {ref.command} exited with status 0")
    return True


def zdb_flow(
    ctx: SessionContext,
    integration: Integration,
    method: ReplicationMethod,
    mount: planner.MountOptions,
) -> Steps:
    """Steps 2-11; raises on failure after which the caller unwinds ``ctx.undo``."""
    assert ctx.spec is not None
    spec = ctx.spec
    plan = planner.resolve(ctx, integration.source_paths(ctx))
    ctx.info(
        BSM, f"Resolved {len(plan.sources)} source volume(s): {', '.join(map(str, plan.sources))}"
    )
    integration.check(ctx, plan.sources)
    method.check(ctx, plan.sources)
    yield from method.prepare(ctx, plan.sources)
    yield from integration.before_quiesce(ctx)
    quiesced_at = ctx.now
    replica: ReplicaRecord = yield from integration.consistent(
        ctx, lambda: method.create(ctx, plan.sources)
    )
    ctx.session.backup_mode_seconds = ctx.now - quiesced_at
    replica.layout = plan.layout
    ctx.info(
        BSM,
        f"Replica {replica.id} created at one instant ({len(replica.targets)} target volume(s))",
    )
    yield from integration.after_replica(ctx, replica)
    if spec.backup_system and mount.mount:
        yield from expose_and_mount(ctx, method, replica, mount)
    yield from method.finish(ctx, replica)
    identity.record(ctx.drivers, replica)  # what a restore will verify (REL-I6)
    return replica


@dataclass
class BackupMounts:
    """A replica mounted on the backup system: the mount points and the handles that undo
    them (one per mount point, one per imported volume group)."""

    points: list[str] = field(default_factory=list)
    unmounts: list[UndoHandle] = field(default_factory=list)
    exports: dict[str, UndoHandle] = field(default_factory=dict)

    def hand_over(self) -> None:
        """Left enabled: the operator's now, the session no longer undoes them."""
        for handle in [*self.unmounts, *self.exports.values()]:
            handle.done()

    def undo(self) -> None:
        for handle in reversed(self.unmounts):
            handle.revert()
        for as_name in sorted(self.exports):
            self.exports[as_name].revert()


def mount_replica(
    ctx: SessionContext, replica: ReplicaRecord, mount: planner.MountOptions
) -> BackupMounts:
    """Import each replicated unit (a volume group, a disk) through the backup system's
    storage stack under a session-tagged name and mount its file systems."""
    assert ctx.spec is not None and ctx.spec.backup_system
    bk = ctx.spec.backup_system
    stack = ctx.drivers.host.stack(bk)
    held = BackupMounts()
    tag = replica.id.replace("#", "_")
    dirs = planner.mount_dirs(ctx, mount)
    for vg in sorted({lay.vg for lay in replica.layout}):
        lays = [planner.stack_layout(lay) for lay in replica.layout if lay.vg == vg]
        targets = tuple(t.target for t in replica.targets if t.source in lays[0].volumes)
        as_name = stack.import_group(bk, lays[0], targets, tag, read_only=mount.read_only)
        held.exports[as_name] = ctx.undo.push(
            f"{stack.export_verb} {as_name}",
            partial(stack.export_group, bk, as_name),
            left_behind=f"{as_name} is still imported on {bk}",
        )
        for lay in lays:
            mp = stack.replica_mount_point(bk, mount.prefix, dirs, lay)
            stack.mount_imported(bk, as_name, lay, mp, read_only=mount.read_only)
            held.unmounts.append(
                ctx.undo.push(
                    f"unmount {mp}",
                    partial(stack.unmount, bk, mp),
                    left_behind=f"{mp} is still mounted on {bk}",
                )
            )
            held.points.append(mp)
    return held


def expose_and_mount(
    ctx: SessionContext,
    method: ReplicationMethod,
    replica: ReplicaRecord,
    mount: planner.MountOptions,
) -> Steps:
    """Present, import and mount on the backup system through its storage stack, then
    (unless left enabled) undo it."""
    assert ctx.spec is not None and ctx.spec.backup_system
    bk, hd = ctx.spec.backup_system, ctx.drivers.host
    yield from method.expose(ctx, replica)
    hd.rescan(bk)
    held = mount_replica(ctx, replica, mount)
    ctx.info(f"{method.agent}@{bk}", f"Replica mounted on {bk}: {', '.join(held.points)}")
    replica.details["backup_system_mounts"] = held.points
    replica.details["backup_system_groups"] = sorted(held.exports)
    if mount.leave_enabled:
        held.hand_over()
        return
    held.undo()
    replica.details.pop("backup_system_mounts", None)
    replica.details.pop("backup_system_groups", None)
    yield from method.conceal(ctx, replica)
    hd.rescan(bk)


def run_session(
    ctx: SessionContext,
    integration: Integration,
    method: ReplicationMethod,
    mount: planner.MountOptions,
) -> Steps:
    """Pre-exec, the ZDB flow, recording, post-exec; the terminal status is derived."""
    assert ctx.spec is not None
    session = ctx.session
    session.objects = [BackupObjectRecord(o, ctx.spec.type) for o in integration.objects(ctx)]
    ctx.repo.save_session(session)
    if not run_exec(ctx, "pre"):
        session.pre_exec_failed = True
        for obj in session.objects:
            obj.status = ObjectResult.ABORTED
        return session
    replica: ReplicaRecord | None = None
    try:
        replica = yield from zdb_flow(ctx, integration, method, mount)
    except Exception as exc:  # noqa: BLE001 - any error fails the session, named (OPS-I2)
        ctx.report_failure(BSM, exc)
        ctx.unwind(BSM)
        for obj in session.objects:
            obj.status = ObjectResult.FAILED
            obj.detail = str(exc)
    except BaseException:
        ctx.unwind(BSM)
        raise
    if replica is not None and _recorded(ctx, replica):
        session.replica_id = replica.id
        for obj in session.objects:  # an object the integration failed stays failed
            if obj.status != ObjectResult.FAILED:
                obj.status = ObjectResult.COMPLETED
    if not run_exec(ctx, "post"):
        session.post_exec_failed = True
    return session


def _recorded(ctx: SessionContext, replica: ReplicaRecord) -> bool:
    """Record the replica, then drop the undo; an IDB that refuses it fails the session and
    undoes every step, so the arrays hold nothing the IDB does not (REL-I1)."""
    try:
        ctx.repo.add_replica(replica)
    except ApprmError as exc:
        ctx.report_failure(BSM, exc)
        ctx.unwind(BSM)
        for obj in ctx.session.objects:
            obj.status, obj.detail = ObjectResult.FAILED, str(exc)
        return False
    ctx.undo.clear()
    return True
