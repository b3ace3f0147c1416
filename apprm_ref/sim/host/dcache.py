"""Per-host lookups of the host backend (a "dentry cache"), so a file write costs a few dict
lookups instead of a scan of the mounts, the devices and the file table.

Never saved. The backend drops a host's :class:`HostCache` at every change of what it
derives from (rescan, volume-group and mount commands, crash, attach) and the file
dentries at every file create or delete. Only successful lookups are kept, so every
refusal is still decided by the full resolution, in the same order. ``problems`` compares
each kept entry with a fresh resolution, so ``check_invariants`` catches a missed drop.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError
from apprm_ref.frozen_init import fast_init
from apprm_ref.sim.host.models import Device, FileEntry, Host, LogicalVolume, Mount, VolumeGroup

if TYPE_CHECKING:
    from apprm_ref.sim.host.backend import HostBackend


@fast_init
@dataclass(frozen=True, slots=True)
class Dentry:
    """A resolved file path: everything a read or write of the file needs."""

    host: Host
    mnt: Mount
    entry: FileEntry
    vg: VolumeGroup
    lv: LogicalVolume
    # (array, volume, PV extent of block 0) when the whole file lies in one PV run and
    # that PV's device is known: a block maps to its array extent by one addition
    direct: tuple[str, str, int] | None


@dataclass
class FileTable:
    """A mount's file table as written to LV extent 0 (sorted by path) and where the next
    file goes (after the highest allocated extent, as a full scan would find)."""

    rows: list[tuple[str, int, int]]
    next_free: int

    @classmethod
    def of(cls, mnt: Mount) -> FileTable:
        files = mnt.files
        rows = sorted((e.path, e.start, e.length) for e in files.values())
        return cls(rows, _next_free(mnt))

    def add(self, entry: FileEntry) -> None:
        insort(self.rows, (entry.path, entry.start, entry.length))
        self.next_free = max(self.next_free, entry.start + entry.length)

    def remove(self, entry: FileEntry, mnt: Mount) -> None:
        """``entry`` has just left ``mnt.files``."""
        del self.rows[bisect_left(self.rows, (entry.path,))]
        if entry.start + entry.length >= self.next_free:  # it was the last file: rescan
            self.next_free = _next_free(mnt)


def _next_free(mnt: Mount) -> int:
    return max((e.start + e.length for e in mnt.files.values()), default=1)


@dataclass
class HostCache:
    paths: dict[str, tuple[Mount, str]] = field(default_factory=dict)  # path -> mount, rel
    files: dict[str, Dentry] = field(default_factory=dict)  # path -> resolved file
    wwns: dict[str, Device] | None = None  # WWN -> device (first by device name)
    tables: dict[str, FileTable] = field(default_factory=dict)  # mount point -> table
    # mount point -> (the mount, (array, volume) of each PV under it), as ``volumes_under``
    # resolves them: a backup's configuration check asks once per datafile, log and
    # control file, and files of one mount share its answer
    volumes: dict[str, tuple[Mount, tuple[tuple[str, str], ...]]] = field(default_factory=dict)

    def device(self, host: Host, wwn: str) -> Device | None:
        wwns = self.wwns
        if wwns is None:
            wwns = self.wwns = devices_by_wwn(host)
        return wwns.get(wwn)


def devices_by_wwn(host: Host) -> dict[str, Device]:
    """What :meth:`Host.device_by_wwn` finds for every WWN (the first device carrying it)."""
    out: dict[str, Device] = {}
    for dev in host.devices.values():
        out.setdefault(dev.wwn, dev)
    return out


# --- verification (check_invariants) -------------------------------------------------------


def cache_problems(hb: HostBackend) -> list[str]:
    """Where a cached lookup differs from a fresh resolution (a missed drop). The fresh
    resolutions run on an empty cache, which is thrown away afterwards."""
    kept, hb._cache = hb._cache, {}
    try:
        return [
            f"{name}: cache: {p}" for name in sorted(kept) for p in _stale(hb, name, kept[name])
        ]
    finally:
        hb._cache = kept


def _stale(hb: HostBackend, name: str, hc: HostCache) -> list[str]:
    host, out = hb.hosts.get(name), []
    if host is None:
        return ["cached lookups of a host that does not exist"]
    for path, (mnt, rel) in sorted(hc.paths.items()):
        fresh = _attempt(lambda p=path: hb.mount_of(name, p))  # type: ignore[misc]
        if fresh is None or fresh[0] is not mnt or fresh[1] != rel:
            out.append(f"path {path} resolves elsewhere now")
    for path, d in sorted(hc.files.items()):
        if not _same(d, _attempt(lambda p=path: hb._file(name, p))):  # type: ignore[misc]
            out.append(f"file {path} resolves elsewhere now")
    if hc.wwns is not None and _ids(hc.wwns) != _ids(devices_by_wwn(host)):
        out.append("the WWN index differs from the devices")
    for mp, (kept, vols) in sorted(hc.volumes.items()):
        fresh = _attempt(lambda m=mp: hb.volumes_under(name, m))  # type: ignore[misc]
        if host.mounts.get(mp) is not kept or fresh is None or tuple(fresh) != vols:
            out.append(f"the volumes under {mp} differ from its volume group's")
    for mp, table in sorted(hc.tables.items()):
        live = host.mounts.get(mp)
        if live is None or table != FileTable.of(live):
            out.append(f"the file table of {mp} differs from its files")
    return out


def _attempt(resolve: Callable[[], Any]) -> Any:
    try:
        return resolve()
    except (HostError, KeyError):
        return None


def _same(kept: Dentry, fresh: Dentry | None) -> bool:
    if fresh is None or kept.direct != fresh.direct:
        return False
    return all(getattr(kept, f) is getattr(fresh, f) for f in ("host", "mnt", "entry", "vg", "lv"))


def _ids(devices: dict[str, Device]) -> dict[str, int]:
    return {wwn: id(dev) for wwn, dev in devices.items()}
