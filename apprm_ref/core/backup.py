"""The ZDB session flow of ``arrays.md`` §4.1 as one SimPy process.

Every step pushes its undo; any failure unwinds them newest first, so the application is
released on every path (ARR-I16, OS-I13) and no partly made replica survives (ARR-I14).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from apprm_ref.core import planner
from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import Integration, Steps
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.replication.base import ReplicationMethod
from apprm_ref.core.session import BackupObjectRecord, ObjectResult
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
    rc, output = ctx.drivers.host.run_script(host, ref.command)
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
    yield from integration.quiesce(ctx)
    replica: ReplicaRecord = yield from method.create(ctx, plan.sources)
    replica.layout = plan.layout
    yield from integration.release(ctx)
    ctx.session.backup_mode_seconds = ctx.now - quiesced_at
    ctx.info(
        BSM,
        f"Replica {replica.id} created at one instant ({len(replica.targets)} target volume(s))",
    )
    yield from integration.after_replica(ctx, replica)
    if spec.backup_system and mount.mount:
        yield from expose_and_mount(ctx, method, replica, mount)
    yield from method.finish(ctx, replica)
    return replica


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
    stack = hd.stack(bk)
    yield from method.expose(ctx, replica)
    hd.rescan(bk)
    mounted: list[tuple[str, str]] = []
    tag = replica.id.replace("#", "_")
    for vg in sorted({lay.vg for lay in replica.layout}):
        lays = [planner.stack_layout(lay) for lay in replica.layout if lay.vg == vg]
        targets = tuple(t.target for t in replica.targets if t.source in lays[0].volumes)
        as_name = stack.import_group(bk, lays[0], targets, tag, read_only=mount.read_only)
        ctx.undo.push(f"{stack.export_verb} {as_name}", partial(stack.export_group, bk, as_name))
        for lay in lays:
            mp = stack.replica_mount_point(bk, mount.prefix, ctx.spec.name, lay)
            stack.mount_imported(bk, as_name, lay, mp, read_only=mount.read_only)
            ctx.undo.push(f"unmount {mp}", partial(stack.unmount, bk, mp))
            mounted.append((as_name, mp))
    ctx.info(f"SMISA@{bk}", f"Replica mounted on {bk}: {', '.join(mp for _, mp in mounted)}")
    replica.details["backup_system_mounts"] = [mp for _, mp in mounted]
    if mount.leave_enabled:
        for as_name, mp in mounted:
            ctx.undo.discard(f"unmount {mp}")
            ctx.undo.discard(f"{stack.export_verb} {as_name}")
        return
    for _as_name, mp in reversed(mounted):
        stack.unmount(bk, mp)
        ctx.undo.discard(f"unmount {mp}")
    for as_name in sorted({a for a, _ in mounted}):
        stack.export_group(bk, as_name)
        ctx.undo.discard(f"{stack.export_verb} {as_name}")
    replica.details.pop("backup_system_mounts", None)
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
    replica: Any = None
    try:
        replica = yield from zdb_flow(ctx, integration, method, mount)
    except ApprmError as exc:
        ctx.log(Severity.CRITICAL, BSM, f"{exc.message} => aborting.", code=exc.code)
        unwind(ctx)
        for obj in session.objects:
            obj.status = ObjectResult.FAILED
            obj.detail = str(exc)
    except BaseException:
        unwind(ctx)
        raise
    if replica is not None:
        ctx.undo.clear()
        ctx.repo.add_replica(replica)
        session.replica_id = replica.id
        for obj in session.objects:
            obj.status = ObjectResult.COMPLETED
    if not run_exec(ctx, "post"):
        session.post_exec_failed = True
    return session


def unwind(ctx: SessionContext) -> None:
    for label, err in ctx.undo.unwind():
        if err is None:
            ctx.info(BSM, f"Undone: {label}")
        else:
            ctx.log(
                Severity.MAJOR,
                BSM,
                f"Undo '{label}' failed: {err}",
                code=getattr(err, "code", None),
            )
