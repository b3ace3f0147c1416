"""Device files of the host RAID Manager runs on, as the world's host model knows them.

``inqraid`` reads device files, ``pairdisplay -fd`` prints them and ``-d <raw_device>``
addresses a pair by one. The host is ``$APPRM_HOST`` when set, else every host in name
order (a lab usually runs RAID Manager on one host).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from apprm_ref.sim.host.models import Device
    from apprm_ref.sim.world import World


def _hosts(world: World, env: dict[str, str]) -> list:
    hosts = world.hosts.hosts
    want = env.get("APPRM_HOST")
    if want:
        return [hosts[want]] if want in hosts else []
    return [hosts[n] for n in sorted(hosts)]


def device(world: World, env: dict[str, str], name: str) -> Device | None:
    """The device file ``name`` (``/dev/dsk/c3`` or its base name ``c3``)."""
    for host in _hosts(world, env):
        for dev in host.devices.values():
            if name in (dev.name, dev.name.rsplit("/", 1)[-1]):
                return dev
    return None


def device_file(world: World, env: dict[str, str], array: str, ldev: str) -> str | None:
    """Base name of the host's device file for ``ldev`` of ``array`` (None: not seen)."""
    for host in _hosts(world, env):
        for dev in host.devices.values():
            if dev.array == array and dev.volume == ldev:
                return dev.name.rsplit("/", 1)[-1]
    return None
