"""Build a World from an :class:`~apprm_ref.sim.estate.Estate`, and the simulator drivers for it."""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers import registry
from apprm_ref.drivers.driverset import DriverSet
from apprm_ref.drivers.kinds import resolve, simulator_driver
from apprm_ref.errors import ConfigError
from apprm_ref.sim.estate import Estate, EvaCfg, HostCfg, OracleCfg
from apprm_ref.sim.world import World


def build_world(estate: Estate, seed: int = 0) -> World:
    """Each entry is built by the builder of the kind its ``type`` names (nothing else)."""
    world = World(seed)
    for host in estate.hosts:
        world.hosts.add_host(host.name, os=host.os, role=host.role, storage=host.storage)
    names: dict[str, str] = {}  # "array/volume-name" -> volume id
    for cfg in estate.arrays:
        names.update(
            resolve(registry.array_family(cfg.type, field="arrays.type").builder)(world, cfg)
        )
    for host in estate.hosts:
        world.hosts.rescan(host.name)
        resolve(registry.storage_stack(host.storage, field="hosts.storage").builder)(
            world, host, names
        )
    for app in estate.applications:
        resolve(registry.application(app.type, field="applications.type").builder)(world, app)
    return world


def build_eva(world: World, cfg: EvaCfg) -> dict[str, str]:
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


def _define_scripts(world: World, cfg: HostCfg) -> None:
    for script in cfg.scripts:
        world.hosts.define_script(
            cfg.name, script.name, exit_code=script.exit_code, output=tuple(script.output)
        )


def build_windows_stack_host(world: World, cfg: HostCfg, names: dict[str, str]) -> None:
    """A Windows host: its scripts, then its basic disks, partitions and NTFS volumes."""
    from apprm_ref.sim.host.windows_build import build_windows_host

    _define_scripts(world, cfg)
    build_windows_host(world, cfg, names)


def build_lvm_host(world: World, cfg: HostCfg, names: dict[str, str]) -> None:
    if cfg.disks:
        raise ConfigError(
            "disks need storage: windows (an LVM host has volume_groups)",
            field=f"hosts.{cfg.name}.disks",
        )
    hb = world.hosts
    host = hb.host(cfg.name)
    _define_scripts(world, cfg)
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


def build_oracle_app(world: World, cfg: OracleCfg) -> Any:
    from apprm_ref.sim.oracle.estate import build_oracle

    return build_oracle(world, cfg.model_dump())


def _sim_factory(desc: Any) -> Any:
    return registry.factory(simulator_driver(desc).name)


def sim_drivers(world: World) -> DriverSet:
    """The simulator's protocol doors for every backend of ``world``, by the backend's kind."""
    arrays: dict[str, Any] = {}
    for name, backend in sorted(world.arrays.items()):
        arrays[name] = _sim_factory(registry.array_family(backend.kind))(world, name)
    apps: dict[str, Any] = {}
    for name, backend in sorted(world.apps.items()):
        apps[name] = _sim_factory(registry.application(backend.kind))(world, name)
    host = _sim_factory(registry.storage_stack(registry.DEFAULT_STORAGE_STACK))(world)
    return DriverSet(arrays=arrays, host=host, apps=apps, epoch_seconds=world.clock.at)
