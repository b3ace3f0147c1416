"""Windows basic disks and NTFS volumes of a simulated host (the ``windows`` storage stack).

What Windows keeps on disk is written to the array extents: extent 0 of a disk holds its
partition table, ``("MBR", signature, partitions)`` or ``("GPT", disk GUID, partitions)``,
and extent 0 of each partition the NTFS boot sector with the file table. What Windows keeps
in the registry (the mount manager's MountedDevices: volume unique ID -> volume GUID) lives in
the Host value. A replica therefore carries its disk's signature, and an instant recovery
changes what the host reads.

Facts modelled (Windows Server 2008 R2 and later):
- A disk whose MBR signature (or GPT disk GUID) equals that of an online disk arrives
  offline, reason Collision (``VDSDiskOfflineReasonCollision`` = 4); bringing it online
  writes a new signature to it, so its volumes get new unique IDs and new volume GUIDs
  (learn.microsoft.com/windows/win32/api/vds/ne-vds-vds_disk_offline_reason; M. Russinovich,
  "Fixing Disk Signature Collisions", learn.microsoft.com/archive/blogs/markrussinovich).
- Other SAN disks arrive offline by the SAN policy (``VDSDiskOfflineReasonPolicy`` = 1,
  "Offline Shared") and automount of new volumes is disabled (``mountvol /n``), as on SAN
  backup systems: a volume gets an access path only when one is assigned or remembered.
- A volume in use is not dismounted without force: ``VDS_E_DEVICE_IN_USE`` 0x80042413
  (IVdsVolumeMF::Dismount; FSCTL_LOCK_VOLUME "fails if there are any open files").
- Disk 0 and ``C:`` belong to the system disk, which the simulator does not model.
Directories are not modelled: a mount folder exists once its parent volume is mounted, and
paths are matched case-insensitively to their mount point only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError
from apprm_ref.sim.host.models import (
    GPT_LABEL,
    MBR_LABEL,
    NTFS_MAGIC,
    Device,
    Disk,
    FileEntry,
    Host,
    Mount,
    Partition,
)
from apprm_ref.sim.host.windows_names import (
    SYSTEM_LETTERS,
    _guid,
    _hex,
    access_path,
    win_error,
    win_scan_mounts,
)

if TYPE_CHECKING:
    from apprm_ref.sim.host.backend import HostBackend

MBR_PRIMARY_MAX = 4  # primary partitions of an MBR disk (no extended partitions here)


@dataclass(frozen=True)
class VolumeInfo:
    """One line of ``mountvol`` / ``list volume``."""

    guid_path: str
    disk: int
    partition: int
    access_path: str | None
    read_only: bool


@dataclass
class WindowsDisks:
    """Disk, volume and access-path operations; all state stays in the Host values."""

    hb: HostBackend

    # --- discovery and identity -----------------------------------------------------------

    def discover(self, host: Host, seen: dict[str, Device]) -> None:
        """Rescan: drop the disks whose LUN went away, add the new ones (SAN policy,
        collision). Refuses, changing nothing, if an online disk with mounts vanished."""
        wwns: dict[str, Device] = {}
        for dev in seen.values():
            wwns.setdefault(dev.wwn, dev)
        for wwn, disk in host.disks.items():
            if wwn not in wwns and any(m.vg == wwn for m in host.mounts.values()):
                raise HostError(
                    f"rescan on {host.name}: {disk.name} with mounted volumes lost its LUN",
                    code="EIO",
                )
        host.disks = {w: d for w, d in host.disks.items() if w in wwns}
        for wwn, dev in wwns.items():
            if wwn in host.disks:
                continue
            disk = Disk(self._free_number(host), wwn, online=False, offline_reason="Policy")
            self._load(disk, self._label(dev))
            if disk.disk_id and self._twin(host, disk) is not None:
                disk.offline_reason = "Collision"
            host.disks[wwn] = disk

    @staticmethod
    def _free_number(host: Host) -> int:
        used = {d.number for d in host.disks.values()}
        return next(n for n in range(1, len(used) + 2) if n not in used)

    def _label(self, dev: Device) -> Any:
        label = self.hb.world.arrays[dev.array].block_read(dev.volume, 0)
        ok = isinstance(label, tuple) and label and label[0] in (MBR_LABEL, GPT_LABEL)
        return label if ok else None

    @staticmethod
    def _load(disk: Disk, label: Any) -> None:
        if label is None:
            disk.style, disk.disk_id, disk.partitions = "", "", {}
            return
        disk.style, disk.disk_id = label[0], label[1]
        disk.partitions = {n: Partition(n, s, c, g) for n, s, c, g in label[2]}

    @staticmethod
    def _twin(host: Host, disk: Disk) -> Disk | None:
        for other in host.disks.values():
            if other.wwn != disk.wwn and other.online and other.disk_id == disk.disk_id:
                return other
        return None

    def _write_label(self, host: Host, disk: Disk) -> None:
        parts = tuple((p.number, p.start, p.count, p.guid) for p in disk.partitions.values())
        self.hb._write(host, disk.wwn, {0: (disk.style, disk.disk_id, parts)})

    def unique_id(self, disk: Disk, part: Partition) -> str:
        """The mount manager's key: signature + partition offset (MBR), partition GUID (GPT)."""
        if disk.style == GPT_LABEL:
            return f"DMIO:ID:{part.guid}"
        return f"{disk.disk_id}:{part.start}"

    def guid_path(self, host: Host, disk: Disk, part: Partition) -> str:
        uid = self.unique_id(disk, part)
        guid = host.volume_guids.get(uid)
        if guid is None:
            guid = host.volume_guids[uid] = _guid(host.name, uid, "volume")
        return f"\\\\?\\Volume{{{guid}}}\\"

    def disk(self, host_name: str, number: int) -> Disk:
        for disk in self.hb.host(host_name).disks.values():
            if disk.number == number:
                return disk
        raise win_error("VDS_E_OBJECT_NOT_FOUND", f"{host_name}: Disk {number}")

    def device_of(self, host: Host, disk: Disk) -> Device:
        return self.hb._device(host, disk.wwn)

    # --- diskpart: disks and partitions --------------------------------------------------

    def _online(self, host_name: str, number: int) -> tuple[Host, Disk]:
        host = self.hb._up(host_name)
        disk = self.disk(host_name, number)
        if not disk.online:
            raise win_error("VDS_E_DISK_NOT_ONLINE", f"{host_name}: {disk.name}")
        return host, disk

    def init_disk(self, host_name: str, number: int, style: str = MBR_LABEL) -> str:
        """``convert mbr|gpt`` of an empty disk; returns the new signature or disk GUID."""
        host, disk = self._online(host_name, number)
        if disk.style or style not in (MBR_LABEL, GPT_LABEL):
            raise win_error("VDS_E_INVALID_OPERATION", f"{host_name}: convert {style} {disk.name}")
        self.hb._forget(host_name)
        disk.style, disk.disk_id = style, self._new_id(host, disk, style)
        self._write_label(host, disk)
        return disk.disk_id

    @staticmethod
    def _new_id(host: Host, disk: Disk, style: str) -> str:
        seed = (host.name, disk.wwn, disk.disk_id, style)
        return _guid(*seed).upper() if style == GPT_LABEL else _hex(*seed)[:8].upper()

    def create_partition(self, host_name: str, number: int, extents: int) -> Partition:
        host, disk = self._online(host_name, number)
        if not disk.style:
            raise win_error("VDS_E_DISK_NOT_INITIALIZED", f"{host_name}: {disk.name}")
        if disk.read_only:
            raise win_error("ERROR_WRITE_PROTECT", f"{host_name}: {disk.name}")
        if disk.style == MBR_LABEL and len(disk.partitions) >= MBR_PRIMARY_MAX:
            raise win_error("VDS_E_PARTITION_LIMIT_REACHED", f"{host_name}: {disk.name}")
        dev = self.device_of(host, disk)
        start = max((p.start + p.count for p in disk.partitions.values()), default=1)
        size = self.hb.world.arrays[dev.array].volume_extents(dev.volume)
        if start + extents > size:
            raise win_error("VDS_E_NOT_ENOUGH_SPACE", f"{host_name}: {disk.name}")
        self.hb._forget(host_name)
        n = len(disk.partitions) + 1
        guid = _guid(disk.disk_id, str(n), "part") if disk.style == GPT_LABEL else ""
        part = disk.partitions[n] = Partition(n, start, extents, guid)
        self._write_label(host, disk)
        return part

    def format_ntfs(self, host_name: str, number: int, partition: int) -> str:
        """``format fs=ntfs quick`` of a volume with no access path; returns its GUID path."""
        host, disk = self._online(host_name, number)
        part = self._partition(host_name, disk, partition)
        guid = self.guid_path(host, disk, part)
        if any(m.lv == guid for m in host.mounts.values()):
            raise win_error("VDS_E_DEVICE_IN_USE", f"{host_name}: format {guid}")
        serial = _hex(guid, "serial")[:8].upper()
        self.hb._write(host, disk.wwn, {part.start: (NTFS_MAGIC, f"{serial[:4]}-{serial[4:]}", ())})
        return guid

    @staticmethod
    def _partition(host_name: str, disk: Disk, number: int) -> Partition:
        part = disk.partitions.get(number)
        if part is None:
            raise win_error(
                "VDS_E_OBJECT_NOT_FOUND", f"{host_name}: {disk.name} Partition {number}"
            )
        return part

    def offline_disk(self, host_name: str, number: int) -> None:
        """``offline disk``: refused while a volume is in use; access paths are remembered."""
        host, disk = self._online(host_name, number)
        mine = [m for m in host.mounts.values() if m.vg == disk.wwn]
        busy = [m.mount_point for m in mine if m.holders]
        if busy:
            raise win_error("VDS_E_DEVICE_IN_USE", f"{host_name}: offline {disk.name} ({busy[0]})")
        self.hb._forget(host_name)
        for m in mine:
            disk.paths[m.lv] = m.mount_point
            del host.mounts[m.mount_point]
        disk.online, disk.offline_reason = False, ""

    def online_disk(self, host_name: str, number: int, *, read_only: bool = False) -> None:
        """``online disk``: re-reads the disk; a signature collision gets a new signature."""
        host = self.hb._up(host_name)
        disk = self.disk(host_name, number)
        if disk.online:
            raise win_error("VDS_E_INVALID_OPERATION", f"{host_name}: {disk.name} is online")
        self.hb._forget(host_name)
        self._load(disk, self._label(self.device_of(host, disk)))
        if disk.disk_id and self._twin(host, disk) is not None:
            self._resignature(host, disk)
            disk.paths = {}  # new unique IDs: the remembered GUIDs name other volumes
        disk.online, disk.offline_reason, disk.read_only = True, "", read_only
        self._restore_paths(host, disk)

    def _resignature(self, host: Host, disk: Disk) -> None:
        """A new signature (MBR) or disk GUID (GPT) on the disk. A GPT copy also gets new
        partition GUIDs, its volumes' unique IDs, which the copy shares with the original
        (inferred: the VDS Collision reason names both disk and partition GUID duplicates)."""
        disk.disk_id = self._new_id(host, disk, disk.style)
        if disk.style == GPT_LABEL:
            for part in disk.partitions.values():
                part.guid = _guid(disk.disk_id, str(part.number), "part")
        self._write_label(host, disk)

    def set_read_only(self, host_name: str, number: int, read_only: bool) -> None:
        """``attributes disk set|clear readonly``."""
        host = self.hb._up(host_name)
        disk = self.disk(host_name, number)
        self.hb._forget(host_name)
        disk.read_only = read_only
        for m in host.mounts.values():
            if m.vg == disk.wwn:
                m.read_only = read_only

    def _restore_paths(self, host: Host, disk: Disk) -> None:
        paths, disk.paths = disk.paths, {}
        for part in disk.partitions.values():
            guid = self.guid_path(host, disk, part)
            path = paths.get(guid)
            if path is not None and path not in host.mounts:
                self._attach(host, disk, part, guid, path, disk.read_only)

    # --- mountvol: access paths ----------------------------------------------------------

    def volumes(self, host_name: str) -> list[VolumeInfo]:
        host = self.hb.host(host_name)
        paths = {m.lv: m for m in host.mounts.values()}
        out = []
        for disk in sorted(host.disks.values(), key=lambda d: d.number):
            if not disk.online:
                continue
            for part in disk.partitions.values():
                guid = self.guid_path(host, disk, part)
                m = paths.get(guid)
                ro = disk.read_only or bool(m and m.read_only)
                out.append(VolumeInfo(guid, disk.number, part.number, m and m.mount_point, ro))
        return out

    def add_path(self, host_name: str, path: str, guid: str, *, read_only: bool = False) -> Mount:
        """``mountvol PATH GUID``: a drive letter or an empty folder of a mounted volume."""
        host = self.hb._up(host_name)
        path = access_path(path)
        disk, part = self._volume(host, guid)
        if any(m.lv == guid for m in host.mounts.values()):
            raise HostError(
                f"{guid} already has an access path; one per volume is simulated", code="EINVAL"
            )
        self._check_free(host, path)
        self.hb._forget(host_name)
        return self._attach(host, disk, part, guid, path, read_only or disk.read_only)

    def _volume(self, host: Host, guid: str) -> tuple[Disk, Partition]:
        for disk in host.disks.values():
            if disk.online:
                for part in disk.partitions.values():
                    if self.guid_path(host, disk, part) == guid:
                        return disk, part
        raise win_error("VDS_E_OBJECT_NOT_FOUND", f"{host.name}: volume {guid}")

    @staticmethod
    def _check_free(host: Host, path: str) -> None:
        if len(path) == 3:
            if path[0] in SYSTEM_LETTERS or path in host.mounts:
                raise win_error("VDS_E_DRIVE_LETTER_NOT_FREE", f"{host.name}: {path}")
            return
        parent, rel = win_scan_mounts(host, path.rstrip("\\"))
        if path in host.mounts or any(
            f.upper().startswith(rel.upper() + "\\") for f in parent.files
        ):
            raise win_error("ERROR_DIR_NOT_EMPTY", f"{host.name}: {path}")
        if rel in parent.files:  # a file, not a folder
            raise win_error("ERROR_PATH_NOT_FOUND", f"{host.name}: {path}")

    def _attach(
        self, host: Host, disk: Disk, part: Partition, guid: str, path: str, read_only: bool
    ) -> Mount:
        sb = self.hb._read(host, disk.wwn, part.start)
        if not (isinstance(sb, tuple) and sb and sb[0] == NTFS_MAGIC):
            raise win_error("ERROR_UNRECOGNIZED_VOLUME", f"{host.name}: {guid}")
        files = {e[0]: FileEntry(*e) for e in sb[2]}
        mnt = Mount(path, disk.wwn, guid, sb[1], read_only=read_only, files=files, fs=NTFS_MAGIC)
        host.mounts[path] = mnt
        return mnt

    def dismount(self, host_name: str, path: str, *, force: bool = False) -> None:
        """Lock, dismount and remove the access path (``mountvol PATH /p``)."""
        host = self.hb._up(host_name)
        mnt = host.mounts.get(access_path(path))
        if mnt is None:
            raise win_error("ERROR_PATH_NOT_FOUND", f"{host_name}: {path} is not an access path")
        inner = [
            mp
            for mp in host.mounts
            if mp != mnt.mount_point and mp.upper().startswith(mnt.mount_point.upper())
        ]
        if (mnt.holders or inner) and not force:
            what = f"{mnt.holders} open handles" if mnt.holders else f"{inner[0]} mounted in it"
            raise win_error("VDS_E_DEVICE_IN_USE", f"{host_name}: {mnt.mount_point} ({what})")
        self.hb._forget(host_name)
        del host.mounts[mnt.mount_point]

    # --- the file layer, crashes and invariants -----------------------------------------

    def backing(self, host: Host, mnt: Mount) -> tuple[Disk, Partition]:
        disk = host.disks.get(mnt.vg)
        if disk is not None and disk.online:
            for part in disk.partitions.values():
                if self.guid_path(host, disk, part) == mnt.lv:
                    return disk, part
        raise win_error("ERROR_NOT_READY", f"{host.name}: {mnt.mount_point}")

    def keep_paths(self, host: Host) -> None:
        for m in host.mounts.values():
            disk = host.disks.get(m.vg)
            if disk is not None:
                disk.paths[m.lv] = m.mount_point

    def automount(self, host: Host) -> None:
        for disk in sorted(host.disks.values(), key=lambda d: d.number):
            if disk.online:
                self._restore_paths(host, disk)

    def problems(self, host: Host) -> list[str]:
        out = []
        for mp, mnt in sorted(host.mounts.items()):
            try:
                self.backing(host, mnt)
            except HostError:
                out.append(f"{host.name}: {mp} mounted on a volume that is not online")
        numbers = [d.number for d in host.disks.values()]
        if len(set(numbers)) != len(numbers):
            out.append(f"{host.name}: two disks share a number")
        return out
