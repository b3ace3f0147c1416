"""Instant recovery of a VSS replica (vss-and-core.md §4, §5.6, §11), writer-neutral.

Session level restores every volume of the replica; component level (``components``)
restores only the disks of the named components, which the backup's configuration check
must have found alone on their volumes (no other component's files, and under the strict
check no other file). Around the array's restore the writer's restore events run through a
restore requester made from the BCD and WMDs saved with the replica: PreRestore (the SQL
writer takes its databases offline), the restore, ``SetFileRestoreStatus`` ALL for each
restored component, PostRestore (recovery ``WITH RECOVERY``, or, with ``recover: false``,
left for more restores). A failure before the array changed anything undoes with status
NONE, so the writer brings its old files back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions, Steps
from apprm_ref.core.records import MountLayout, ReplicaRecord, ReplicaStatus
from apprm_ref.errors import RecoveryError
from apprm_ref.types import TargetVolume


@dataclass(frozen=True)
class VssRecoveryOptions(RecoveryOptions):
    """The VSS half of an instant recovery: which components, and whether to recover."""

    components: tuple[str, ...] = ()  # component names or full paths; () = the session
    recover: bool = True  # PostRestore with no more restores to follow (WITH RECOVERY)


@dataclass
class VssRestoreState:
    restore: Any = None
    chosen: list[dict[str, Any]] = field(default_factory=list)
    full: tuple[list[TargetVolume], list[MountLayout]] | None = None


def vss_options(options: RecoveryOptions) -> VssRecoveryOptions:
    from apprm_ref.core.options import narrow

    return narrow(VssRecoveryOptions, options, owner="a VSS application", field="recovery")


def _details(replica: ReplicaRecord) -> dict[str, Any]:
    found = replica.details.get("vss")
    if not found:
        raise RecoveryError(f"replica {replica.id} has no VSS record", code="NOT_VSS")
    return dict(found)


def choose(replica: ReplicaRecord, wanted: tuple[str, ...]) -> list[dict[str, Any]]:
    comps = list(_details(replica)["components"])
    if not wanted:
        return comps
    out = []
    for name in wanted:
        hits = [c for c in comps if name in (c["name"], f"{c['logical_path']}\\{c['name']}")]
        if not hits:
            have = ", ".join(c["name"] for c in comps) or "none"
            raise RecoveryError(
                f"{name!r} is not a component of replica {replica.id} (it has: {have})",
                code="NO_SUCH_COMPONENT",
            )
        if not hits[0]["alone"]:
            raise RecoveryError(
                f"{hits[0]['name']} shares its volumes with other data (configuration check); "
                "only the whole replica can be restored",
                code="COMPONENT_NOT_ALONE",
            )
        out.append(hits[0])
    return out


def narrow(ctx: SessionContext, replica: ReplicaRecord, chosen: list[dict[str, Any]]) -> None:
    """Keep only the disks holding the chosen components' files (the record is put back
    whole after the restore, and by the undo if it fails)."""
    assert ctx.spec is not None
    host = ctx.spec.application_system
    stack = ctx.drivers.host.stack(host)
    files = [f for c in chosen for f in c["files"]]
    units = {lay.group_id for lay in stack.resolve(host, files)}
    state = ctx.state(VssRestoreState)
    state.full = (list(replica.targets), list(replica.layout))
    replica.layout = [lay for lay in replica.layout if lay.vg_uuid in units]
    vols = {v for lay in replica.layout for v in lay.volumes}
    replica.targets = [t for t in replica.targets if t.source in vols]
    ctx.undo.push("keep the whole replica record", lambda: put_back(ctx, replica))


def put_back(ctx: SessionContext, replica: ReplicaRecord) -> None:
    state = ctx.state(VssRestoreState)
    if state.full is not None:
        replica.targets, replica.layout = state.full
        state.full = None


def settle(ctx: SessionContext, replica: ReplicaRecord) -> None:
    """After a component-level restore: the record whole again, or, when the array method
    consumed the restored targets (a switch of disks), the untouched targets stay the
    replica of the other disks, still active (they hold the same instant)."""
    from apprm_ref.core.integrations.vss import origin

    state = ctx.state(VssRestoreState)
    if state.full is None:
        return
    used_targets, used_layout = list(replica.targets), list(replica.layout)
    put_back(ctx, replica)
    if replica.status != ReplicaStatus.CONSUMED:
        return
    replica.targets = [t for t in replica.targets if t not in used_targets]
    replica.layout = [lay for lay in replica.layout if lay not in used_layout]
    if replica.targets:
        replica.status = ReplicaStatus.ACTIVE
        names = ", ".join(str(t.target) for t in replica.targets)
        ctx.info(origin(ctx), f"Replica {replica.id} keeps its other targets: {names}")


def stop_for_ir(
    integration: Any, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
) -> Steps:
    from apprm_ref.core.integrations.vss import origin, vss_driver

    opts = vss_options(options)
    state = ctx.state(VssRestoreState)
    state.chosen = choose(replica, opts.components)
    if opts.components:
        narrow(ctx, replica, state.chosen)
    details = _details(replica)
    if state.chosen:
        restore = vss_driver(ctx).restore(details["host"], details["bcd"], details["wmds"])
        for c in state.chosen:
            restore.select_for_restore(
                c["writer_id"], c["logical_path"], c["name"], additional_restores=not opts.recover
            )
        restore.pre_restore()
        _check(restore, state.chosen, "PreRestore")
        state.restore = restore
        ctx.undo.push(
            "PostRestore with nothing restored",
            lambda: _post(restore, state.chosen, "none"),
            left_behind="the components stay offline",
        )
        names = ", ".join(c["name"] for c in state.chosen)
        ctx.info(origin(ctx), f"PreRestore: {names} taken offline by their writer")
    yield from ()


def _post(restore: Any, chosen: list[dict[str, Any]], status: str) -> None:
    for c in chosen:
        restore.set_file_restore_status(c["writer_id"], c["logical_path"], c["name"], status)
    restore.post_restore()


def _check(restore: Any, chosen: list[dict[str, Any]], event: str) -> None:
    ids = {c["writer_id"] for c in chosen}
    for w in restore.writer_status():
        if w.writer_id in ids and w.failed:
            raise RecoveryError(
                f"writer {w.name} failed at {event}: [{w.state}] {w.state_text} ({w.last_error})",
                code=w.last_error,
            )


def start_after_ir(
    integration: Any, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
) -> Steps:
    from apprm_ref.core.integrations.vss import origin

    settle(ctx, replica)
    opts = vss_options(options)
    state = ctx.state(VssRestoreState)
    if state.restore is not None:
        _post(state.restore, state.chosen, "all")
        _check(state.restore, state.chosen, "PostRestore")
        how = "recovered" if opts.recover else "left restoring (more restores to follow)"
        names = ", ".join(c["name"] for c in state.chosen)
        ctx.info(origin(ctx), f"PostRestore: {names} {how}")
    yield from ()
