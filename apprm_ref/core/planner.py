"""Objects -> files -> filesystems -> volume groups -> array volumes (``arrays.md`` §4.1 step 3).

A volume manager means the whole volume group is replicated, so every filesystem of a
touched volume group is part of the layout, selected or not: instant recovery reverts
all of them and must dismount and remount all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import MountLayout
from apprm_ref.errors import ConfigError, PlanError
from apprm_ref.types import VolumeRef

MOUNT_KEYS = ("mount", "mount_read_only", "leave_backup_system_enabled", "mount_prefix")


@dataclass(frozen=True)
class MountOptions:
    """Backup-system options common to both arrays (``arrays.md`` §2.4, §3.5)."""

    mount: bool = True
    read_only: bool = True
    leave_enabled: bool = False
    prefix: str = "/zdb"


def split_mount_options(raw: dict[str, Any]) -> tuple[MountOptions, dict[str, Any]]:
    rest = {k: v for k, v in raw.items() if k not in MOUNT_KEYS}
    for key in ("mount", "mount_read_only", "leave_backup_system_enabled"):
        if key in raw and not isinstance(raw[key], bool):
            raise ConfigError("must be true or false", field=f"replication.{key}")
    prefix = raw.get("mount_prefix", "/zdb")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ConfigError("must be an absolute path", field="replication.mount_prefix")
    opts = MountOptions(
        mount=raw.get("mount", True),
        read_only=raw.get("mount_read_only", True),
        leave_enabled=raw.get("leave_backup_system_enabled", False),
        prefix=prefix,
    )
    return opts, rest


@dataclass(frozen=True)
class Plan:
    sources: list[VolumeRef]
    layout: list[MountLayout]


def resolve(ctx: SessionContext, paths: list[str]) -> Plan:
    assert ctx.spec is not None
    host = ctx.spec.application_system
    hd = ctx.drivers.host
    vgs: dict[str, list[VolumeRef]] = {}
    for path in paths:
        info = hd.mount_of(host, path)
        if info.vg not in vgs:
            vgs[info.vg] = sorted(hd.volumes_under(host, path))
    layout: list[MountLayout] = []
    mounts = sorted(hd.mounts(host), key=lambda m: m.mount_point)
    for vg in sorted(vgs):
        uuid = hd.vg_uuid(host, vg)
        for m in mounts:
            if m.vg == vg:
                layout.append(MountLayout(host, vg, uuid, m.lv, m.mount_point, tuple(vgs[vg])))
    sources = sorted({v for vols in vgs.values() for v in vols})
    foreign = [v for v in sources if v.array != ctx.spec.array]
    if foreign:
        raise PlanError(
            f"{foreign[0]} backs an object of {ctx.spec.name} but is not on array {ctx.spec.array}",
            code="NOT_ON_ARRAY",
        )
    if not sources:
        raise PlanError(f"{ctx.spec.name}: no array volumes found for {paths}", code="NO_SOURCES")
    return Plan(sources, layout)
