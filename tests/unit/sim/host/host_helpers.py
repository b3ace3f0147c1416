"""The filesystem layout most host tests start from."""

from __future__ import annotations

from apprm_ref.sim.host.backend import HostBackend
from apprm_ref.sim.world import World


def mount_data_and_logs(world: World) -> HostBackend:
    """Host ``app``: one VG over its two 64-extent disks, ``/data`` (80 extents, so it
    spans both PVs) and ``/data/logs`` (20 extents) mounted below it."""
    hb = world.hosts
    devs = hb.rescan("app")
    hb.create_vg("app", "vgdata", [d.name for d in devs])
    hb.create_lv("app", "vgdata", "lvol1", 80)  # spans both 64-extent PVs
    hb.create_lv("app", "vgdata", "lvol2", 20)
    hb.mkfs("app", "vgdata", "lvol1")
    hb.mkfs("app", "vgdata", "lvol2")
    hb.mount("app", "vgdata", "lvol1", "/data")
    hb.mount("app", "vgdata", "lvol2", "/data/logs")
    return hb
