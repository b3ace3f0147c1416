"""Host backend: every simulated host, with LVM-style volume groups and filesystems.

All state is in :class:`~apprm_ref.sim.host.models.Host` values; metadata that a real host
keeps on disk (PV labels, VG layout, the file table) is written to array extents, so what a
host sees after a rescan, import or mount is read back from the arrays.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError, NotFoundError
from apprm_ref.persist import persistable
from apprm_ref.sim.host.dcache import HostCache, cache_problems
from apprm_ref.sim.host.files import FileOps
from apprm_ref.sim.host.models import (
    FS_MAGIC,
    PV_LABEL,
    Device,
    FileEntry,
    Host,
    LogicalVolume,
    Mount,
    Script,
    Segment,
    VolumeGroup,
)
from apprm_ref.sim.host.stacks import STACKS
from apprm_ref.sim.host.windows import WindowsDisks, win_scan_mounts

if TYPE_CHECKING:
    from apprm_ref.sim.world import World


PATHS_KEPT = 4096  # resolved paths cached per host (the cache is emptied when full)


def _uuid(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:16]


@persistable("host.Backend")
@dataclass(eq=False)
class HostBackend(FileOps):
    kind = "hosts"
    hosts: dict[str, Host] = field(default_factory=dict)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)
    # derived per-host lookups (dcache.py), dropped wherever what they derive from changes
    _cache: dict[str, HostCache] = field(
        default_factory=dict, metadata={"transient": True}, repr=False
    )

    def attach(self, world: World) -> None:
        self.world = world
        self._cache = {}

    def _hc(self, host_name: str) -> HostCache:
        hc = self._cache.get(host_name)
        if hc is None:
            hc = self._cache[host_name] = HostCache()
        return hc

    def _forget(self, host_name: str) -> None:
        """Drop every cached lookup of ``host_name`` (its devices, VGs or mounts change)."""
        self._cache.pop(host_name, None)

    # --- hosts and devices ------------------------------------------------------------

    def add_host(
        self, name: str, *, os: str = "hpux", role: str = "application", storage: str = "lvm"
    ) -> Host:
        if name in self.hosts:
            raise HostError(f"host {name} already exists", code="EEXIST")
        if storage not in STACKS:
            raise HostError(
                f"host {name}: unknown storage stack {storage!r} (known: {', '.join(STACKS)})",
                code="EINVAL",
            )
        self.hosts[name] = Host(name=name, os=os, role=role, storage=storage)
        return self.hosts[name]

    @property
    def windows(self) -> WindowsDisks:
        """The Windows basic-disk and volume operations (state stays in the Host values)."""
        return WindowsDisks(self)

    def host(self, name: str) -> Host:
        try:
            return self.hosts[name]
        except KeyError:
            raise NotFoundError(f"no host named {name}") from None

    def _up(self, name: str) -> Host:
        h = self.host(name)
        if h.crashed:
            raise HostError(f"host {name} is down", code="EHOSTDOWN")
        return h

    def rescan(self, host_name: str) -> list[Device]:
        """Discover the LUNs every array presents to this host; forget the vanished ones."""
        host = self._up(host_name)
        self._forget(host_name)
        seen: dict[str, Device] = {}
        for array_name in sorted(self.world.arrays):
            array = self.world.arrays[array_name]
            for lun, volume in sorted(array.host_luns(host_name)):
                wwn = array.volume_wwn(volume)
                dev = host.device_by_wwn(wwn)
                if dev is None:
                    dev = Device(f"/dev/dsk/c{host.next_device}", array_name, volume, lun, wwn)
                    host.next_device += 1
                else:
                    dev.lun, dev.array, dev.volume = lun, array_name, volume
                seen[dev.name] = dev
        gone = [d for d in host.devices if d not in seen]
        if host.storage == "windows":
            self.windows.discover(host, seen)
        for vg in host.vgs.values():
            if vg.active and any(host.devices[d].wwn in vg.pvs for d in gone):
                raise HostError(
                    f"rescan on {host_name}: active volume group {vg.name} lost a device",
                    code="EIO",
                )
        host.devices = dict(sorted(seen.items()))
        return list(host.devices.values())

    def _device(self, host: Host, wwn: str) -> Device:
        dev = self._hc(host.name).device(host, wwn)
        if dev is None:
            raise HostError(f"{host.name}: no device with WWN {wwn} (rescan?)", code="ENXIO")
        return dev

    def _read(self, host: Host, wwn: str, extent: int) -> Any:
        dev = self._device(host, wwn)
        return self.world.arrays[dev.array].block_read(dev.volume, extent)

    def _write(self, host: Host, wwn: str, items: dict[int, Any]) -> None:
        dev = self._device(host, wwn)
        self.world.arrays[dev.array].block_write(dev.volume, items, host=host.name)

    # --- volume groups ----------------------------------------------------------------

    def create_vg(self, host_name: str, vg_name: str, device_names: list[str]) -> VolumeGroup:
        host = self._up(host_name)
        self._forget(host_name)
        if vg_name in host.vgs:
            raise HostError(f"volume group {vg_name} exists on {host_name}", code="EEXIST")
        wwns = []
        for name in device_names:
            if name not in host.devices:
                raise HostError(f"{host_name}: no device {name}", code="ENXIO")
            wwns.append(host.devices[name].wwn)
        vg = VolumeGroup(vg_name, _uuid(host_name, vg_name, *wwns), wwns)
        host.vgs[vg_name] = vg
        self._write_labels(host, vg)
        return vg

    def create_lv(self, host_name: str, vg_name: str, lv_name: str, extents: int) -> LogicalVolume:
        """Allocate ``extents`` extents (plus the filesystem superblock) over the VG's PVs."""
        host = self._up(host_name)
        self._forget(host_name)
        vg = self._vg(host, vg_name, active=True)
        used: dict[int, int] = {i: 1 for i in range(len(vg.pvs))}  # extent 0 holds the label
        for lv in vg.lvs.values():
            for seg in lv.segments:
                used[seg.pv] = max(used[seg.pv], seg.start + seg.count)
        need, segs = extents + 1, []
        for i, wwn in enumerate(vg.pvs):
            dev = self._device(host, wwn)
            free = self.world.arrays[dev.array].volume_extents(dev.volume) - used[i]
            take = min(free, need)
            if take > 0:
                segs.append(Segment(i, used[i], take))
                need -= take
            if need == 0:
                break
        if need:
            raise HostError(f"volume group {vg_name} has too few free extents", code="ENOSPC")
        lv = LogicalVolume(lv_name, tuple(segs))
        vg.lvs[lv_name] = lv
        self._write_labels(host, vg)
        return lv

    def _write_labels(self, host: Host, vg: VolumeGroup) -> None:
        table = tuple(
            (lv.name, tuple((s.pv, s.start, s.count) for s in lv.segments))
            for lv in vg.lvs.values()
        )
        for i, wwn in enumerate(vg.pvs):
            label = (PV_LABEL, vg.uuid, vg.name, i, tuple(vg.pvs), table)
            self._write(host, wwn, {0: label})

    def _vg(self, host: Host, vg_name: str, *, active: bool | None = None) -> VolumeGroup:
        vg = host.vgs.get(vg_name)
        if vg is None:
            raise HostError(f"{host.name}: no volume group {vg_name}", code="ENOENT")
        if active is True and not vg.active:
            raise HostError(f"{host.name}: volume group {vg_name} is not active", code="ENXIO")
        return vg

    def deactivate_vg(self, host_name: str, vg_name: str) -> None:
        host = self._up(host_name)
        self._forget(host_name)
        vg = self._vg(host, vg_name)
        busy = [m.mount_point for m in host.mounts.values() if m.vg == vg_name]
        if busy:
            raise HostError(f"volume group {vg_name} has mounted filesystems {busy}", code="EBUSY")
        vg.active = False

    def activate_vg(self, host_name: str, vg_name: str) -> None:
        host = self._up(host_name)
        self._forget(host_name)
        vg = self._vg(host, vg_name)
        for wwn in vg.pvs:
            label = self._read(host, wwn, 0)
            if not (isinstance(label, tuple) and label[0] == PV_LABEL and label[1] == vg.uuid):
                raise HostError(f"PV {wwn} carries no label of VG {vg_name}", code="EIO")
        self._load_lvs(host, vg)
        vg.active = True

    def import_vg(self, host_name: str, vg_uuid: str, as_name: str) -> VolumeGroup:
        """Import a volume group from the labels of visible devices (backup-host mount)."""
        host = self._up(host_name)
        self._forget(host_name)
        if as_name in host.vgs:
            raise HostError(f"volume group {as_name} exists on {host_name}", code="EEXIST")
        members: dict[int, str] = {}
        pv_list: tuple[str, ...] = ()
        for dev in host.devices.values():
            label = self.world.arrays[dev.array].block_read(dev.volume, 0)
            if isinstance(label, tuple) and label[0] == PV_LABEL and label[1] == vg_uuid:
                members[label[3]] = dev.wwn
                pv_list = label[4]
        if not members or len(members) != len(pv_list):
            raise HostError(
                f"{host_name}: volume group {vg_uuid} incomplete ({len(members)} of {len(pv_list)} PVs)",
                code="ENXIO",
            )
        vg = VolumeGroup(as_name, vg_uuid, [members[i] for i in sorted(members)])
        self._load_lvs(host, vg)
        host.vgs[as_name] = vg
        return vg

    def export_vg(self, host_name: str, vg_name: str) -> None:
        host = self._up(host_name)
        self._forget(host_name)
        vg = self._vg(host, vg_name)
        if vg.active:
            self.deactivate_vg(host_name, vg_name)
        del host.vgs[vg_name]

    def _load_lvs(self, host: Host, vg: VolumeGroup) -> None:
        label = self._read(host, vg.pvs[0], 0)
        vg.lvs = {
            name: LogicalVolume(name, tuple(Segment(*s) for s in segs)) for name, segs in label[5]
        }

    # --- filesystems ------------------------------------------------------------------

    def mkfs(self, host_name: str, vg_name: str, lv_name: str) -> str:
        host = self._up(host_name)
        self._forget(host_name)
        vg = self._vg(host, vg_name, active=True)
        fs_uuid = _uuid(vg.uuid, lv_name, "fs")
        self._lv_write(host, vg, vg.lvs[lv_name], {0: (FS_MAGIC, fs_uuid, ())})
        return fs_uuid

    def mount(
        self,
        host_name: str,
        vg_name: str,
        lv_name: str,
        mount_point: str,
        *,
        read_only: bool = False,
    ) -> Mount:
        host = self._up(host_name)
        self._forget(host_name)
        if mount_point in host.mounts:
            raise HostError(f"{mount_point} is already mounted on {host_name}", code="EBUSY")
        self.world.faults.check("host.mount", HostError, host=host_name, mount=mount_point)
        vg = self._vg(host, vg_name, active=True)
        if lv_name not in vg.lvs:
            raise HostError(f"{host_name}: no logical volume {vg_name}/{lv_name}", code="ENOENT")
        sb = self._lv_read(host, vg, vg.lvs[lv_name], 0)
        if not (isinstance(sb, tuple) and sb[0] == FS_MAGIC):
            raise HostError(f"{vg_name}/{lv_name}: no filesystem", code="EINVAL")
        files = {e[0]: FileEntry(*e) for e in sb[2]}
        mnt = Mount(mount_point, vg_name, lv_name, sb[1], read_only=read_only, files=files)
        host.mounts[mount_point] = mnt
        return mnt

    def unmount(self, host_name: str, mount_point: str, *, force: bool = False) -> None:
        host = self._up(host_name)
        self._forget(host_name)
        mnt = host.mounts.get(mount_point)
        if mnt is None:
            raise HostError(f"{mount_point} is not mounted on {host_name}", code="EINVAL")
        if mnt.holders and not force:
            raise HostError(
                f"{mount_point} on {host_name} is busy ({mnt.holders} users)", code="EBUSY"
            )
        del host.mounts[mount_point]

    def freeze(self, host_name: str, mount_point: str) -> None:
        mnt = self._mount(self._up(host_name), mount_point)
        if mnt.frozen:
            raise HostError(f"{mount_point} is already frozen", code="EBUSY")
        self.world.faults.check("host.freeze", HostError, host=host_name, mount=mount_point)
        mnt.frozen = True

    def thaw(self, host_name: str, mount_point: str) -> None:
        mnt = self._mount(self._up(host_name), mount_point)
        self.world.faults.check("host.thaw", HostError, host=host_name, mount=mount_point)
        mnt.frozen = False

    def hold(self, host_name: str, mount_point: str) -> None:
        self._mount(self._up(host_name), mount_point).holders += 1

    def release(self, host_name: str, mount_point: str) -> None:
        mnt = self._mount(self.host(host_name), mount_point)
        mnt.holders = max(0, mnt.holders - 1)

    def _mount(self, host: Host, mount_point: str) -> Mount:
        try:
            return host.mounts[mount_point]
        except KeyError:
            raise HostError(f"{mount_point} is not mounted on {host.name}", code="ENOENT") from None

    def mount_of(self, host_name: str, path: str) -> tuple[Mount, str]:
        """The mount holding ``path`` (longest prefix) and the path relative to it."""
        return self._mount_in(self._up(host_name), path)

    def _mount_in(self, host: Host, path: str) -> tuple[Mount, str]:
        hc = self._hc(host.name)
        found = hc.paths.get(path)
        if found is None:
            if len(hc.paths) >= PATHS_KEPT:  # bound it: new file names keep coming
                hc.paths.clear()
            found = hc.paths[path] = self._scan_mounts(host, path)
        return found

    @staticmethod
    def _scan_mounts(host: Host, path: str) -> tuple[Mount, str]:
        if host.storage == "windows":
            return win_scan_mounts(host, path)
        best = None
        for mp in host.mounts:
            if (path == mp or path.startswith(mp.rstrip("/") + "/")) and (
                best is None or len(mp) > len(best)
            ):
                best = mp
        if best is None:
            raise HostError(f"{path}: not on a mounted filesystem of {host.name}", code="ENOENT")
        return host.mounts[best], path[len(best.rstrip("/")) :].lstrip("/")

    def _lv_map(self, vg: VolumeGroup, lv: LogicalVolume, index: int) -> tuple[str, int]:
        for seg in lv.segments:
            if index < seg.count:
                return vg.pvs[seg.pv], seg.start + index
            index -= seg.count
        raise HostError(f"extent beyond logical volume {lv.name}", code="EINVAL")

    def _lv_read(self, host: Host, vg: VolumeGroup, lv: LogicalVolume, index: int) -> Any:
        wwn, ext = self._lv_map(vg, lv, index)
        return self._read(host, wwn, ext)

    def _lv_write(
        self, host: Host, vg: VolumeGroup, lv: LogicalVolume, items: dict[int, Any]
    ) -> None:
        segs = lv.segments
        if len(segs) == 1:  # the usual LV: one run of extents on one PV, one array call
            seg = segs[0]
            for index in items:
                if not index < seg.count:
                    raise HostError(f"extent beyond logical volume {lv.name}", code="EINVAL")
            start = seg.start
            self._write(host, vg.pvs[seg.pv], {start + i: p for i, p in items.items()})
            return
        per_pv: dict[str, dict[int, Any]] = {}
        for index, payload in items.items():
            wwn, ext = self._lv_map(vg, lv, index)
            per_pv.setdefault(wwn, {})[ext] = payload
        for wwn, batch in per_pv.items():
            self._write(host, wwn, batch)

    # --- scripts and crashes ------------------------------------------------------------

    def define_script(
        self, host_name: str, name: str, *, exit_code: int = 0, output: tuple[str, ...] = ()
    ) -> None:
        self.host(host_name).scripts[name] = Script(name, exit_code, output)

    def run_script(self, host_name: str, name: str) -> tuple[int, tuple[str, ...]]:
        host = self._up(host_name)
        script = host.scripts.get(name)
        if script is None:
            raise HostError(f"{host_name}: script {name} not found", code="ENOENT")
        self.world.faults.check("host.script", HostError, host=host_name, script=name)
        script.runs += 1
        return script.exit_code, script.output

    def crash(self, host_name: str) -> None:
        """Power loss: every mount and hold is gone; the volumes keep what was written."""
        host = self.host(host_name)
        self._forget(host_name)
        host.crashed = True
        if host.storage == "windows":
            self.windows.keep_paths(host)  # the mount manager remembers them across a boot
        host.mounts.clear()
        for vg in host.vgs.values():
            vg.active = False

    def boot(self, host_name: str) -> None:
        self._forget(host_name)
        host = self.host(host_name)
        host.crashed = False
        if host.storage == "windows":
            self.windows.automount(host)

    def check_invariants(self) -> list[str]:
        problems = []
        for host in self.hosts.values():
            if host.storage == "windows":
                problems += self.windows.problems(host)
                continue
            for mnt in host.mounts.values():
                vg = host.vgs.get(mnt.vg)
                if vg is None or not vg.active:
                    problems.append(
                        f"{host.name}: {mnt.mount_point} mounted on inactive VG {mnt.vg}"
                    )
        return problems + cache_problems(self)
