"""Host conformance subjects: one estate per storage stack (LVM, Windows basic disks).

Each sets aside an application host with a filesystem holding a probe file, a spare
device, and a backup system seeing a point-in-time copy of the fixture's unit (the replica
an array would surface); the Windows one also shows a copy on the application host itself
(a signature collision). ``codes`` names the code each stack answers a situation with
(sim/host/backend.py for LVM errnos, sim/host/windows.py for VDS/Win32 names).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.types import VolumeRef

ACCEPTED = "accepted"  # a situation the stack answers by accepting the call, changing nothing


@dataclass
class HostFixture:
    host: str
    mount_point: str
    probe: str  # a file on the fixture filesystem (content "p0", "p1", ...)
    copy_dst: str  # an existing file copy_file may overwrite
    nowhere: str  # a path on no mounted filesystem
    spare_device_wwn: str
    backup: str  # a backup system seeing ``replica``
    replica: tuple[VolumeRef, ...]  # the copy of the fixture's unit on ``backup``
    replica_mount_point: str  # where the stack mounts it (spec "conf", default prefix)
    no_group: str  # a unit name the backup system does not have
    no_volume: str  # a volume name the unit does not have
    free_point: str  # a free mount point on the backup system
    stack: str
    collide: tuple[VolumeRef, ...] = ()  # a copy of the unit on ``host`` itself
    nested: str = ""  # a filesystem mounted inside ``mount_point``
    codes: dict[str, str | None] = field(default_factory=dict)


class HostBackdoor:
    """Ground truth (the world's digest) and an open handle on a filesystem, as a running
    application holds one."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def fingerprint(self) -> str:
        return str(self.world.digest())

    def hold(self, host: str, mount_point: str) -> None:
        self.world.hosts.hold(host, mount_point)

    def let_go(self, host: str, mount_point: str) -> None:
        self.world.hosts.release(host, mount_point)


def _copy(array: Any, src: str, dst: str) -> None:
    array.volumes[dst].replace_content(array.volumes[src].point_in_time_copy())


def _probe(world: Any, host: str, probe: str, copy_dst: str) -> None:
    world.hosts.create_file(host, probe, 4)
    world.hosts.write_file(host, probe, {0: "p0", 1: "p1"})
    world.hosts.create_file(host, copy_dst, 4)
    world.hosts.define_script(host, "conf-ok", output=("ok",))


LVM_CODES: dict[str, str | None] = {
    "no-group": "ENOENT",
    "no-group-id": "ENXIO",
    "no-volume": "ENOENT",
    "not-mounted": "EINVAL",
    "in-use": "EBUSY",
    "taken": "EBUSY",
    "import-again": "EEXIST",
    "inactive-remount": "ENXIO",
    "remount-mounted": "EBUSY",
    "prefix": ACCEPTED,
}

WINDOWS_CODES: dict[str, str | None] = {
    "no-group": "VDS_E_OBJECT_NOT_FOUND",
    "no-group-id": "VDS_E_OBJECT_NOT_FOUND",
    "no-volume": "VDS_E_OBJECT_NOT_FOUND",
    "not-mounted": "ERROR_PATH_NOT_FOUND",
    "in-use": "VDS_E_DEVICE_IN_USE",
    "taken": "EINVAL",
    "import-again": ACCEPTED,
    "inactive-remount": "VDS_E_OBJECT_NOT_FOUND",
    "remount-mounted": ACCEPTED,
    "prefix": "EINVAL",
}


def lvm_world(seed: int) -> tuple[Any, HostFixture]:
    from apprm_ref.sim.oracle.estate import PlainArray, layout_host
    from apprm_ref.sim.world import World

    world = World(seed)
    array = PlainArray()
    for vol, host in (("vconf", "conf-host"), ("vspare", "conf-host"), ("vrep", "conf-bk")):
        array.add(vol, 400, host)
    world.add_array(array)
    world.hosts.add_host("conf-host")
    world.hosts.add_host("conf-bk", role="backup")
    layout_host(world, "conf-host", {"vconf": ("vgconf", "/conf")})
    _probe(world, "conf-host", "/conf/probe.dat", "/conf/probe.copy")
    _copy(array, "vconf", "vrep")
    world.hosts.rescan("conf-bk")
    fx = HostFixture(
        "conf-host", "/conf", "/conf/probe.dat", "/conf/probe.copy", "/conf-nowhere",
        array.volume_wwn("vspare"), "conf-bk", (VolumeRef("plain", "vrep"),), "/zdb/conf/conf",
        "conf_no_vg", "conf_no_lv", "/conf-free", "lvm", codes=LVM_CODES,
    )  # fmt: skip
    return world, fx


def _windows_disk(world: Any, host: str, number: int, style: str, mount: str) -> None:
    win = world.hosts.windows
    win.online_disk(host, number)
    win.init_disk(host, number, style)
    part = win.create_partition(host, number, 300)
    win.add_path(host, mount, win.format_ntfs(host, number, part.number))


def windows_world(seed: int) -> tuple[Any, HostFixture]:
    from apprm_ref.sim.host.models import GPT_LABEL, MBR_LABEL
    from apprm_ref.sim.oracle.estate import PlainArray
    from apprm_ref.sim.world import World

    world = World(seed)
    array = PlainArray()
    for vol in ("vwin", "vwlog", "vwspare"):
        array.add(vol, 400, "conf-win")
    array.add("vwrep", 400, "conf-winbk")
    world.add_array(array)
    world.hosts.add_host("conf-win", os="windows", storage="windows")
    world.hosts.add_host("conf-winbk", os="windows", role="backup", storage="windows")
    world.hosts.rescan("conf-win")
    _windows_disk(world, "conf-win", 1, MBR_LABEL, "D:")
    _windows_disk(world, "conf-win", 2, GPT_LABEL, "D:\\logs")
    _probe(world, "conf-win", "D:\\probe.dat", "D:\\probe.copy")
    array.add("vwcol", 400, "conf-win")
    _copy(array, "vwin", "vwrep")
    _copy(array, "vwin", "vwcol")
    world.hosts.rescan("conf-win")
    world.hosts.rescan("conf-winbk")
    fx = HostFixture(
        "conf-win", "D:\\", "D:\\probe.dat", "D:\\probe.copy", "Q:\\nowhere",
        array.volume_wwn("vwspare"), "conf-winbk", (VolumeRef("plain", "vwrep"),), "D:\\",
        "Disk 99", "Partition 9", "F:\\", "windows", (VolumeRef("plain", "vwcol"),),
        "D:\\logs\\", WINDOWS_CODES,
    )  # fmt: skip
    return world, fx


LVM_CODES.update(
    {"no-path": "ENOENT", "release-again": ACCEPTED, "reattach-active": ACCEPTED,
     "export-again": "ENOENT"}
)  # fmt: skip
WINDOWS_CODES.update(
    {"no-path": "ERROR_PATH_NOT_FOUND", "release-again": "VDS_E_DISK_NOT_ONLINE",
     "reattach-active": "VDS_E_INVALID_OPERATION", "export-again": "VDS_E_DISK_NOT_ONLINE"}
)  # fmt: skip
