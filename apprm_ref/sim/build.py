"""Build a World from an :class:`~apprm_ref.sim.estate.Estate`, and the simulator drivers for it."""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers.driverset import DriverSet
from apprm_ref.errors import ConfigError
from apprm_ref.sim.estate import Estate, EvaCfg, HostCfg, XpCfg
from apprm_ref.sim.host.windows_build import build_windows_host
from apprm_ref.sim.world import World


def build_world(estate: Estate, seed: int = 0) -> World:
    world = World(seed)
    for host in estate.hosts:
        world.hosts.add_host(host.name, os=host.os, role=host.role, storage=host.storage)
    names: dict[str, str] = {}  # "array/volume-name" -> volume id
    for cfg in estate.arrays:
        if isinstance(cfg, EvaCfg):
            names.update(_build_eva(world, cfg))
        else:
            names.update(_build_xp(world, cfg))
    for host in estate.hosts:
        world.hosts.rescan(host.name)
        build_windows_host(world, host, names)  # its disks; refuses a stack/config mismatch
        _build_host(world, host, names)
    for app in estate.applications:
        _build_app(world, app)
    return world


def _build_eva(world: World, cfg: EvaCfg) -> dict[str, str]:
    from apprm_ref.sim.eva.backend import EvaBackend

    eva = world.add_array(EvaBackend(cfg.name, model=cfg.model))
    for dg in cfg.disk_groups:
        eva.add_disk_group(dg.name, dg.capacity)
    names = {}
    for vd in cfg.vdisks:
        v = eva.create_vdisk(vd.name, vd.size, vd.disk_group, vd.vraid)
        names[f"{cfg.name}/{vd.name}"] = v.id
        for host in vd.present_to:
            eva.present(v.id, host)
    for dr in cfg.dr_groups:
        eva.add_dr_group(
            dr.name, [names[f"{cfg.name}/{n}"] for n in dr.vdisks], role=dr.role, state=dr.state
        )
    return names


def _build_xp(world: World, cfg: XpCfg) -> dict[str, str]:
    from apprm_ref.sim.xp.estate import build_xp

    return build_xp(world, cfg)


def _build_host(world: World, cfg: HostCfg, names: dict[str, str]) -> None:
    hb = world.hosts
    host = hb.host(cfg.name)
    for script in cfg.scripts:
        hb.define_script(
            cfg.name, script.name, exit_code=script.exit_code, output=tuple(script.output)
        )
    for vg in cfg.volume_groups:
        devices = []
        for disk in vg.disks:
            if disk not in names:
                raise ConfigError(
                    f"no array volume {disk!r} (use array/volume-name)",
                    field=f"hosts.{cfg.name}.volume_groups.{vg.name}.disks",
                )
            array, _, _ = disk.partition("/")
            wwn = world.arrays[array].volume_wwn(names[disk])
            dev = host.device_by_wwn(wwn)
            if dev is None:
                raise ConfigError(
                    f"{disk} is not presented to {cfg.name}",
                    field=f"hosts.{cfg.name}.volume_groups.{vg.name}.disks",
                )
            devices.append(dev.name)
        hb.create_vg(cfg.name, vg.name, devices)
        for lv in vg.lvs:
            extent = _extent_bytes(world, names[vg.disks[0]], vg.disks[0])
            hb.create_lv(cfg.name, vg.name, lv.name, -(-lv.size // extent))
            hb.mkfs(cfg.name, vg.name, lv.name)
            if lv.mount:
                hb.mount(cfg.name, vg.name, lv.name, lv.mount)
                for f in lv.files:
                    blocks = -(-f.size // extent)
                    hb.create_file(cfg.name, f.path, blocks)
                    if f.fill is not None:
                        hb.write_file(cfg.name, f.path, {i: f"{f.fill}:{i}" for i in range(blocks)})


def _extent_bytes(world: World, volume: str, disk: str) -> int:
    array = world.arrays[disk.partition("/")[0]]
    return (
        array.volume_extent_bytes(volume) if hasattr(array, "volume_extent_bytes") else 1024 * 1024
    )


def _build_app(world: World, app: dict[str, Any]) -> None:
    kind = app.get("type")
    if kind == "oracle":
        from apprm_ref.sim.oracle.estate import build_oracle

        build_oracle(world, app)
        return
    raise ConfigError(f"unknown application type {kind!r}", field="applications.type")


def sim_drivers(world: World) -> DriverSet:
    """The simulator's protocol doors for every backend of ``world``."""
    from apprm_ref.drivers.registry import factory

    arrays: dict[str, Any] = {}
    for name, backend in sorted(world.arrays.items()):
        arrays[name] = factory(f"sim-{backend.kind}")(world, name)
    apps: dict[str, Any] = {}
    for name, backend in sorted(world.apps.items()):
        apps[name] = factory(f"sim-{backend.kind}")(world, name)
    host = factory("sim-host")(world)
    return DriverSet(arrays=arrays, host=host, apps=apps, epoch_seconds=world.clock.at)
