"""Taking back what an earlier session left enabled on the backup system.

With "leave the backup system enabled" a replica stays imported and mounted after its
session (``arrays.md`` §2.4). When a later session must give that replica up before its
new one exists (an XP MU re-synchronised in place, an EVA disk group with no room for
one more), it disables it there first: its mount points are dismounted and its volume
groups exported, newest first, so the array can reuse or delete the targets (OPS-I3).
"""

from __future__ import annotations

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord


def disable_host_side(ctx: SessionContext, rep: ReplicaRecord, origin: str) -> str | None:
    """Dismount and export ``rep`` on the spec's backup system, which is returned (None if
    it held nothing there)."""
    assert ctx.spec is not None
    points = rep.details.pop("backup_system_mounts", [])
    bk = ctx.spec.backup_system
    if not points or not bk:
        return None
    stack = ctx.drivers.host.stack(bk)
    for mp in reversed(points):
        stack.unmount(bk, mp)
    for name in rep.details.pop("backup_system_groups", []):
        stack.export_group(bk, name)
    ctx.info(origin, f"Replica {rep.id} disabled on {bk}: {', '.join(points)} dismounted")
    return bk
