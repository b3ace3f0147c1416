"""Objects -> files -> filesystems -> volume groups / disks -> array volumes (``arrays.md`` §4.1 step 3).

The host's storage stack names the replication unit: a volume manager means the whole
volume group is replicated, a Windows basic disk the whole disk, so every filesystem of a
touched unit is part of the layout, selected or not: instant recovery reverts all of them
and must dismount and remount all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import MountLayout
from apprm_ref.drivers.host import StackLayout
from apprm_ref.errors import ConfigError, PlanError
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import VolumeRef

MOUNT_KEYS = (
    "mount",
    "mount_read_only",
    "leave_backup_system_enabled",
    "mount_prefix",
    "mount_path_dirs",
)
# Directories added under the mount root (Data Protector's "Add directories to the mount
# path": none, host name, host name and session ID; the default, arrays.md §2.4).
MOUNT_PATH_DIRS = ("host_session", "host", "none")


@fast_init
@dataclass(frozen=True)
class MountOptions:
    """Backup-system options common to both arrays (``arrays.md`` §2.4, §3.5)."""

    mount: bool = True
    read_only: bool = True
    leave_enabled: bool = False
    prefix: str = "/zdb"
    path_dirs: str = "host_session"  # one of MOUNT_PATH_DIRS


def split_mount_options(raw: dict[str, Any]) -> tuple[MountOptions, dict[str, Any]]:
    rest = {k: v for k, v in raw.items() if k not in MOUNT_KEYS}
    for key in ("mount", "mount_read_only", "leave_backup_system_enabled"):
        if key in raw and not isinstance(raw[key], bool):
            raise ConfigError("must be true or false", field=f"replication.{key}")
    prefix = raw.get("mount_prefix", "/zdb")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ConfigError("must be an absolute path", field="replication.mount_prefix")
    dirs = raw.get("mount_path_dirs", "host_session")
    if dirs not in MOUNT_PATH_DIRS:
        raise ConfigError(
            f"must be one of {', '.join(MOUNT_PATH_DIRS)}", field="replication.mount_path_dirs"
        )
    opts = MountOptions(
        mount=raw.get("mount", True),
        read_only=raw.get("mount_read_only", True),
        leave_enabled=raw.get("leave_backup_system_enabled", False),
        prefix=prefix,
        path_dirs=dirs,
    )
    return opts, rest


@fast_init
@dataclass(frozen=True)
class Plan:
    sources: list[VolumeRef]
    layout: list[MountLayout]


def resolve(ctx: SessionContext, paths: list[str]) -> Plan:
    """Through the application system's storage stack; the backup system must run the same
    stack (it imports the replica's volume groups or disks)."""
    assert ctx.spec is not None
    host = ctx.spec.application_system
    stack = ctx.drivers.host.stack(host)
    if ctx.spec.backup_system:
        _check_backup_stack(ctx, stack.name)
    layout = [
        MountLayout(host, s.group, s.group_id, s.volume, s.mount_point, s.volumes)
        for s in stack.resolve(host, paths)
    ]
    sources = sorted({v for lay in layout for v in lay.volumes})
    foreign = [v for v in sources if v.array != ctx.spec.array]
    if foreign:
        raise PlanError(
            f"{foreign[0]} backs an object of {ctx.spec.name} but is not on array {ctx.spec.array}",
            code="NOT_ON_ARRAY",
        )
    if not sources:
        raise PlanError(f"{ctx.spec.name}: no array volumes found for {paths}", code="NO_SOURCES")
    return Plan(sources, layout)


def _check_backup_stack(ctx: SessionContext, app_stack: str) -> None:
    assert ctx.spec is not None and ctx.spec.backup_system
    bk = ctx.spec.backup_system
    bk_stack = ctx.drivers.host.stack(bk).name
    if bk_stack != app_stack:
        raise PlanError(
            f"backup system {bk} runs the {bk_stack} storage stack; the replica of "
            f"{ctx.spec.application_system} ({app_stack}) cannot be imported there",
            code="STACK_MISMATCH",
        )


def mount_dirs(ctx: SessionContext, mount: MountOptions) -> str:
    """What goes between the mount root and a replica's original mount point on the backup
    system: the application system's host name and the session ID by default, so replicas
    left mounted by earlier sessions never hold the next session's mount points (OPS-I3).
    The session ID is kept as the product prints it (``YYYY/MM/DD-N``: nested directories)."""
    assert ctx.spec is not None
    host = ctx.spec.application_system
    if mount.path_dirs == "host_session":
        return f"{host}/{ctx.session.id}"
    return host if mount.path_dirs == "host" else ""


def stack_layout(lay: MountLayout) -> StackLayout:
    """A recorded layout in its storage stack's terms."""
    return StackLayout(lay.vg, lay.vg_uuid, lay.lv, lay.mount_point, lay.volumes)
