"""Build a Windows host's basic disks from its estate configuration, with Windows' own
steps (online, ``convert mbr|gpt``, ``create partition primary``, ``format fs=ntfs``,
``assign`` / ``mountvol``), so an impossible layout fails with Windows' own error."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.errors import ConfigError
from apprm_ref.sim.host.models import GPT_LABEL, MBR_LABEL

if TYPE_CHECKING:
    from apprm_ref.sim.estate import DiskCfg, HostCfg
    from apprm_ref.sim.world import World


def build_windows_host(world: World, cfg: HostCfg, names: dict[str, str]) -> None:
    where = f"hosts.{cfg.name}"
    if cfg.storage != "windows":
        if cfg.disks:
            raise ConfigError(
                "disks need storage: windows (an LVM host has volume_groups)", field=where
            )
        return
    if cfg.volume_groups:
        raise ConfigError(
            "a Windows host has disks, not volume_groups", field=f"{where}.volume_groups"
        )
    for i, disk in enumerate(cfg.disks):
        _build_disk(world, cfg.name, disk, names, f"{where}.disks.{i}")


def _build_disk(world: World, host: str, cfg: DiskCfg, names: dict[str, str], where: str) -> None:
    from apprm_ref.sim.build import _extent_bytes

    hb, win = world.hosts, world.hosts.windows
    if cfg.disk not in names:
        raise ConfigError(f"no array volume {cfg.disk!r} (use array/volume-name)", field=where)
    wwn = world.arrays[cfg.disk.partition("/")[0]].volume_wwn(names[cfg.disk])
    disk = hb.host(host).disks.get(wwn)
    if disk is None:
        raise ConfigError(f"{cfg.disk} is not presented to {host}", field=where)
    win.online_disk(host, disk.number)
    win.init_disk(host, disk.number, GPT_LABEL if cfg.style == "gpt" else MBR_LABEL)
    extent = _extent_bytes(world, names[cfg.disk], cfg.disk)
    for part_cfg in cfg.partitions:
        part = win.create_partition(host, disk.number, -(-part_cfg.size // extent) + 1)
        guid = win.format_ntfs(host, disk.number, part.number)
        if part_cfg.mount is None:
            continue
        win.add_path(host, part_cfg.mount, guid)
        for f in part_cfg.files:
            blocks = -(-f.size // extent)
            hb.create_file(host, f.path, blocks)
            if f.fill is not None:
                hb.write_file(host, f.path, {i: f"{f.fill}:{i}" for i in range(blocks)})
