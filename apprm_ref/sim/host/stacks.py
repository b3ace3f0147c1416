"""The host simulator's storage stacks (:class:`~apprm_ref.drivers.host.HostStorageStack`).

``STACKS`` is the one mapping from a host's ``storage`` setting to its stack; a kind
registry picks the stacks up from here. Each stack only translates to the host backend,
which keeps every rule and all state.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apprm_ref.drivers.host import HostStorageStack, StackLayout
from apprm_ref.errors import HostError
from apprm_ref.sim.host.models import Disk, Host
from apprm_ref.sim.host.windows import SYSTEM_LETTERS, win_error
from apprm_ref.types import VolumeRef

if TYPE_CHECKING:
    from apprm_ref.sim.host.backend import HostBackend

DEFAULT_PREFIX = "/zdb"  # the spec's default mount_prefix (core/planner.py MountOptions)


class LvmStack:
    """Volume groups: the whole VG is replicated, imported under a new name, deactivated."""

    name = "lvm"
    export_verb = "export"
    reattach_verb = "activate"

    def __init__(self, backend: HostBackend) -> None:
        self.hb = backend

    def resolve(self, host: str, paths: Sequence[str]) -> list[StackLayout]:
        hb = self.hb
        vgs: dict[str, list[VolumeRef]] = {}
        for path in paths:
            vg = hb.mount_of(host, path)[0].vg
            if vg not in vgs:
                vgs[vg] = sorted(VolumeRef(a, v) for a, v in hb.volumes_under(host, path))
        h = hb.host(host)
        mounts = sorted(h.mounts.values(), key=lambda m: m.mount_point)
        out: list[StackLayout] = []
        for vg in sorted(vgs):
            uuid = hb._vg(h, vg).uuid
            out += [
                StackLayout(vg, uuid, m.lv, m.mount_point, tuple(vgs[vg]))
                for m in mounts
                if m.vg == vg
            ]
        return out

    def replica_mount_point(self, host: str, prefix: str, dirs: str, lay: StackLayout) -> str:
        return "/".join(p for p in (prefix.rstrip("/"), dirs) if p) + lay.mount_point

    def import_group(
        self,
        host: str,
        lay: StackLayout,
        targets: tuple[VolumeRef, ...],
        tag: str,
        *,
        read_only: bool,
    ) -> str:
        """By the VG UUID on the labels (the targets are not needed: the labels say it)."""
        as_name = f"{lay.group}_{tag}"
        self.hb.import_vg(host, lay.group_id, as_name)
        return as_name

    def export_group(self, host: str, name: str) -> None:
        self.hb.export_vg(host, name)

    def mount_imported(
        self, host: str, name: str, lay: StackLayout, mount_point: str, *, read_only: bool
    ) -> None:
        self.hb.mount(host, name, lay.volume, mount_point, read_only=read_only)

    def unmount(self, host: str, mount_point: str) -> None:
        self.hb.unmount(host, mount_point)

    def release(self, host: str, lay: StackLayout) -> None:
        self.hb.deactivate_vg(host, lay.group)

    def reattach(self, host: str, lay: StackLayout) -> None:
        self.hb.activate_vg(host, lay.group)

    def remount(self, host: str, lay: StackLayout) -> None:
        self.hb.mount(host, lay.group, lay.volume, lay.mount_point)


class WindowsStack:
    """Basic disks: one LUN is one disk, found by its signature; a replica's disk is brought
    online (a same-host copy collides and is given a new signature), the source offline."""

    name = "windows"
    export_verb = "offline"
    reattach_verb = "online"

    def __init__(self, backend: HostBackend) -> None:
        self.hb = backend

    def resolve(self, host: str, paths: Sequence[str]) -> list[StackLayout]:
        hb, h = self.hb, self.hb.host(host)
        disks: dict[str, Disk] = {}
        for path in paths:
            disk = hb.windows.backing(h, hb.mount_of(host, path)[0])[0]
            disks.setdefault(disk.wwn, disk)
        out: list[StackLayout] = []
        for disk in sorted(disks.values(), key=lambda d: d.number):
            dev = hb.windows.device_of(h, disk)
            vols = (VolumeRef(dev.array, dev.volume),)
            for mp in sorted(h.mounts):
                mnt = h.mounts[mp]
                if mnt.vg == disk.wwn:
                    part = hb.windows.backing(h, mnt)[1]
                    out.append(StackLayout(disk.name, disk.disk_id, part.name, mp, vols))
        return out

    def replica_mount_point(self, host: str, prefix: str, dirs: str, lay: StackLayout) -> str:
        """The first free drive letter (a backup system mounts a replica's volumes so);
        a mount prefix other than the default is a POSIX path and refused."""
        if prefix != DEFAULT_PREFIX:
            raise HostError(
                f"{host}: mount_prefix {prefix!r} is not implemented on a Windows backup "
                "system, which mounts the replica on the first free drive letters",
                code="EINVAL",
            )
        used = set(self.hb.host(host).mounts)
        for letter in "DEFGHIJKLMNOPQRSTUVWXYZ":
            if letter not in SYSTEM_LETTERS and f"{letter}:\\" not in used:
                return f"{letter}:\\"
        raise win_error("VDS_E_DRIVE_LETTER_NOT_FREE", f"{host}: no drive letter left")

    def import_group(
        self,
        host: str,
        lay: StackLayout,
        targets: tuple[VolumeRef, ...],
        tag: str,
        *,
        read_only: bool,
    ) -> str:
        """The disk on the replica's LUN (as a hardware provider's LocateLuns surfaces
        exactly the target LUNs); it must carry the source disk's ID."""
        h = self.hb.host(host)
        found = [d for d in h.disks.values() if self._ref(h, d) in targets]
        if len(found) != 1:
            raise win_error(
                "VDS_E_OBJECT_NOT_FOUND", f"{host}: {len(found)} disks on LUNs {list(targets)}"
            )
        disk = found[0]
        if disk.disk_id != lay.group_id:
            raise HostError(
                f"{host}: {disk.name} carries disk ID {disk.disk_id or 'none'}, "
                f"not {lay.group_id} of the source",
                code="VDS_E_OBJECT_NOT_FOUND",
            )
        if disk.online:
            self.hb.windows.set_read_only(host, disk.number, read_only)
        else:
            self.hb.windows.online_disk(host, disk.number, read_only=read_only)
        return disk.name

    def export_group(self, host: str, name: str) -> None:
        self.hb.windows.offline_disk(host, _number(name))

    def mount_imported(
        self, host: str, name: str, lay: StackLayout, mount_point: str, *, read_only: bool
    ) -> None:
        self._mount(host, self.hb.windows.disk(host, _number(name)), lay, mount_point, read_only)

    def unmount(self, host: str, mount_point: str) -> None:
        self.hb.windows.dismount(host, mount_point)

    def release(self, host: str, lay: StackLayout) -> None:
        self.hb.windows.offline_disk(host, self._source(host, lay).number)

    def reattach(self, host: str, lay: StackLayout) -> None:
        self.hb.windows.online_disk(host, self._source(host, lay).number)

    def remount(self, host: str, lay: StackLayout) -> None:
        """Unless the mount manager already gave the volume its remembered access path
        back when the disk came online."""
        disk, h = self._source(host, lay), self.hb.host(host)
        win = self.hb.windows
        guid = win.guid_path(h, disk, win._partition(host, disk, _number(lay.volume)))
        held = h.mounts.get(lay.mount_point)
        if held is None or held.lv != guid:
            win.add_path(host, lay.mount_point, guid)

    # --- helpers ------------------------------------------------------------------------

    def _mount(
        self, host: str, disk: Disk, lay: StackLayout, mount_point: str, read_only: bool
    ) -> None:
        win = self.hb.windows
        part = win._partition(host, disk, _number(lay.volume))
        guid = win.guid_path(self.hb.host(host), disk, part)
        win.add_path(host, mount_point, guid, read_only=read_only)

    @staticmethod
    def _disks(h: Host, disk_id: str) -> list[Disk]:
        return sorted((d for d in h.disks.values() if d.disk_id == disk_id), key=lambda d: d.number)

    def _ref(self, h: Host, disk: Disk) -> VolumeRef:
        dev = self.hb.windows.device_of(h, disk)
        return VolumeRef(dev.array, dev.volume)

    def _source(self, host: str, lay: StackLayout) -> Disk:
        """The application system's own disk: its ID, never a colliding copy."""
        h = self.hb.host(host)
        mine = [d for d in self._disks(h, lay.group_id) if d.offline_reason != "Collision"]
        if len(mine) != 1:
            raise win_error(
                "VDS_E_OBJECT_NOT_FOUND", f"{host}: {len(mine)} disks with ID {lay.group_id}"
            )
        return mine[0]


def _number(name: str) -> int:
    """ "Disk 3" -> 3, "Partition 1" -> 1."""
    word, _, num = name.partition(" ")
    if word not in ("Disk", "Partition") or not num.isdigit():
        raise HostError(f"{name!r} names no disk or partition", code="EINVAL")
    return int(num)


STACKS: dict[str, type[LvmStack] | type[WindowsStack]] = {
    "lvm": LvmStack,
    "windows": WindowsStack,
}


def stack_for(backend: HostBackend, storage: str) -> HostStorageStack:
    try:
        return STACKS[storage](backend)
    except KeyError:
        raise HostError(
            f"unknown storage stack {storage!r} (known: {', '.join(STACKS)})", code="EINVAL"
        ) from None
