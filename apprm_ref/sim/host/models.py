"""Plain-data model of a host, and the on-disk formats it writes to array volumes.

Volume-group metadata and the filesystem's file table live *on* the volumes (extent 0 of
every physical volume, extent 0 of every logical volume), so replicating or restoring array
volumes really carries or reverts the host's view of them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from apprm_ref.frozen_init import fast_init
from apprm_ref.persist import persistable

PV_LABEL = "LVM2_PV"
FS_MAGIC = "APPRMFS1"
# Windows basic disks: the partition table at extent 0 (MBR with a 4-byte signature, or GPT
# with a disk GUID) and the NTFS boot sector (its OEM ID) at extent 0 of each partition.
MBR_LABEL = "MBR"
GPT_LABEL = "GPT"
NTFS_MAGIC = "NTFS    "


class BlockStore(Protocol):
    """What a simulated array offers the hosts: LUN presentation and block I/O."""

    name: str

    def host_luns(self, host: str) -> list[tuple[int, str]]:
        """(LUN number, volume id) of every volume presented to ``host``."""
        ...

    def volume_wwn(self, volume: str) -> str: ...

    def volume_extents(self, volume: str) -> int: ...

    def block_read(self, volume: str, extent: int) -> Any: ...

    def block_read_run(self, volume: str, start: int, count: int) -> tuple[Any, ...]:
        """``block_read`` of ``count`` extents from ``start``, in turn, with the same result
        and the same first refusal (a file read in one call); nothing at all for 0."""
        ...

    def block_write(self, volume: str, items: dict[int, Any], *, host: str) -> None:
        """Write extents; refuse (with the array's own error) where the array would."""
        ...


@persistable("host.Device")
@dataclass
class Device:
    name: str
    array: str
    volume: str
    lun: int
    wwn: str


@persistable("host.Segment")
@dataclass(frozen=True)
class Segment:
    pv: int  # index into the volume group's PV list
    start: int  # first extent on that PV
    count: int


@persistable("host.LogicalVolume")
@dataclass
class LogicalVolume:
    name: str
    segments: tuple[Segment, ...]

    @property
    def size_extents(self) -> int:
        return sum(s.count for s in self.segments)


@persistable("host.VolumeGroup")
@dataclass
class VolumeGroup:
    name: str
    uuid: str
    pvs: list[str]  # WWNs of the physical volumes, in order
    lvs: dict[str, LogicalVolume] = field(default_factory=dict)
    active: bool = True


@persistable("host.FileEntry")
@fast_init
@dataclass(frozen=True)
class FileEntry:
    path: str  # relative to the mount point
    start: int  # first LV extent
    length: int  # extents


@persistable("host.Mount")
@dataclass
class Mount:
    mount_point: str
    vg: str
    lv: str
    fs_uuid: str
    read_only: bool = False
    frozen: bool = False
    holders: int = 0  # open handles (a running database keeps its files open)
    files: dict[str, FileEntry] = field(default_factory=dict)  # cached file table
    fs: str = FS_MAGIC  # the filesystem's magic (NTFS_MAGIC on a Windows volume)


@persistable("host.Partition")
@dataclass
class Partition:
    """A partition of a basic disk; it holds one volume. Shaped like a LogicalVolume
    (``name``, ``segments``, ``size_extents``) so the file layer maps its extents alike."""

    number: int  # 1-based, as diskpart numbers them
    start: int  # first extent on the disk
    count: int
    guid: str = ""  # GPT partition GUID ("" on an MBR disk)

    @property
    def name(self) -> str:
        return f"Partition {self.number}"

    @property
    def segments(self) -> tuple[Segment, ...]:
        return (Segment(0, self.start, self.count),)

    @property
    def size_extents(self) -> int:
        return self.count


@persistable("host.Disk")
@dataclass
class Disk:
    """A basic disk as one Windows host sees it. Shaped like a VolumeGroup of one PV
    (``name``, ``pvs``) for the file layer."""

    number: int
    wwn: str
    style: str = ""  # MBR_LABEL | GPT_LABEL | "" (not initialized)
    disk_id: str = ""  # MBR signature (8 hex digits) or GPT disk GUID, as on the disk
    online: bool = True
    offline_reason: str = ""  # "", "Collision" (VDSDiskOfflineReasonCollision), "Policy"
    read_only: bool = False  # the disk's read-only attribute
    partitions: dict[int, Partition] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)  # volume GUID -> access path kept offline

    @property
    def name(self) -> str:
        return f"Disk {self.number}"

    @property
    def pvs(self) -> list[str]:
        return [self.wwn]


@persistable("host.Script")
@dataclass
class Script:
    """A pre/post-exec or application stop/start script: its exit code and stdout."""

    name: str
    exit_code: int = 0
    output: tuple[str, ...] = ()
    runs: int = 0


@persistable("host.Host")
@dataclass
class Host:
    name: str
    os: str = "hpux"
    role: str = "application"  # application | backup | both
    storage: str = "lvm"  # the host storage stack: lvm | windows
    devices: dict[str, Device] = field(default_factory=dict)  # by device name
    vgs: dict[str, VolumeGroup] = field(default_factory=dict)
    mounts: dict[str, Mount] = field(default_factory=dict)
    scripts: dict[str, Script] = field(default_factory=dict)
    crashed: bool = False
    next_device: int = 0
    disks: dict[str, Disk] = field(default_factory=dict)  # Windows basic disks, by WWN
    # the mount manager's database (MountedDevices): volume unique ID -> volume GUID
    volume_guids: dict[str, str] = field(default_factory=dict)

    def device_by_wwn(self, wwn: str) -> Device | None:
        for dev in self.devices.values():
            if dev.wwn == wwn:
                return dev
        return None
