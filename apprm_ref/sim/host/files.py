"""File operations of the host backend (a mixin of :class:`HostBackend`).

Files are contiguous runs of LV extents recorded in the file table at LV extent 0, so
everything a host knows about its files is read back from the arrays after a remount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError
from apprm_ref.sim import iopath
from apprm_ref.sim.host.dcache import Dentry, FileTable
from apprm_ref.sim.host.models import (
    NTFS_MAGIC,
    FileEntry,
    Host,
    LogicalVolume,
    Mount,
    VolumeGroup,
)
from apprm_ref.sim.host.windows_names import win_error

if TYPE_CHECKING:
    from apprm_ref.sim.host.backend import HostBackend


class FileOps:
    # --- files --------------------------------------------------------------------------

    def create_file(self: HostBackend, host_name: str, path: str, extents: int) -> FileEntry:
        mnt, rel = self.mount_of(host_name, path)
        host = self.host(host_name)
        self._writable(mnt, path)
        if rel in mnt.files:
            raise HostError(f"{path} exists", code="EEXIST")
        vg, lv = self._backing(host, mnt)
        table = self._table(host_name, mnt)
        start = table.next_free
        if start + extents > lv.size_extents:
            raise HostError(f"{mnt.mount_point}: no space for {path}", code="ENOSPC")
        entry = FileEntry(rel, start, extents)
        mnt.files[rel] = entry
        table.add(entry)  # no cached dentry can name a file that did not exist
        self._lv_write(host, vg, lv, {0: (mnt.fs, mnt.fs_uuid, tuple(table.rows))})
        return entry

    def delete_file(self: HostBackend, host_name: str, path: str) -> None:
        """``rm``: drop the file from the table and trim its extents (they read as zeros),
        so the array stops holding its content. New files go after the last file in the
        table: space freed at the end is reused, holes in the middle are not."""
        d = self._file(host_name, path)
        mnt, entry = d.mnt, d.entry
        self._writable(mnt, path)
        table = self._table(host_name, mnt)
        del mnt.files[entry.path]
        table.remove(entry, mnt)
        self._forget_file(host_name, entry)
        items: dict[int, Any] = {entry.start + i: None for i in range(entry.length)}
        items[0] = (mnt.fs, mnt.fs_uuid, tuple(table.rows))
        self._lv_write(d.host, d.vg, d.lv, items)

    def _table(self: HostBackend, host_name: str, mnt: Mount) -> FileTable:
        """The mount's sorted file table and next free extent, kept between creates."""
        tables = self._hc(host_name).tables
        table = tables.get(mnt.mount_point)
        if table is None:
            table = tables[mnt.mount_point] = FileTable.of(mnt)
        return table

    def _forget_file(self: HostBackend, host_name: str, entry: FileEntry) -> None:
        """Drop the dentries of a deleted file (every path spelling that reached it)."""
        hc = self._cache.get(host_name)
        if hc is not None:
            gone = [p for p, d in hc.files.items() if d.entry is entry]
            for path in gone:
                del hc.files[path]

    def _backing(self: HostBackend, host: Host, mnt: Mount) -> tuple[Any, Any]:
        """The extent container of a mount: (VolumeGroup, LogicalVolume) under LVM,
        (Disk, Partition) for an NTFS volume; each refuses when it is not usable."""
        if mnt.fs == NTFS_MAGIC:
            return self.windows.backing(host, mnt)
        vg = self._vg(host, mnt.vg, active=True)
        return vg, vg.lvs[mnt.lv]

    def _writable(self: HostBackend, mnt: Mount, path: str) -> None:
        if mnt.read_only and mnt.fs == NTFS_MAGIC:
            raise win_error("ERROR_WRITE_PROTECT", path)
        if mnt.read_only:
            raise HostError(f"{path}: read-only filesystem", code="EROFS")
        if mnt.frozen:
            raise HostError(f"{path}: filesystem {mnt.mount_point} is frozen", code="EAGAIN")

    def _file(self: HostBackend, host_name: str, path: str) -> Dentry:
        hc = self._cache.get(host_name)
        if hc is not None:
            d = hc.files.get(path)
            if d is not None and not d.host.crashed:
                return d
        host = self._up(host_name)
        mnt, rel = self._mount_in(host, path)
        entry = mnt.files.get(rel)
        if entry is None:
            raise HostError(f"{path}: no such file on {host_name}", code="ENOENT")
        vg, lv = self._backing(host, mnt)
        d = Dentry(host, mnt, entry, vg, lv, self._direct(host, vg, lv, entry))
        self._hc(host_name).files[path] = d
        return d

    def _direct(
        self: HostBackend, host: Host, vg: VolumeGroup, lv: LogicalVolume, entry: FileEntry
    ) -> tuple[str, str, int] | None:
        """(array, volume, PV extent of block 0) when the file lies in one segment whose
        device is known; otherwise None and I/O takes the per-extent path (and its errors)."""
        offset = 0
        for seg in lv.segments:
            if offset <= entry.start and entry.start + entry.length <= offset + seg.count:
                dev = self._hc(host.name).device(host, vg.pvs[seg.pv])
                if dev is None:
                    return None
                return dev.array, dev.volume, seg.start + entry.start - offset
            offset += seg.count
        return None

    def write_file(self: HostBackend, host_name: str, path: str, blocks: dict[int, Any]) -> None:
        """Write file blocks (block index -> payload) through to the array extents; the
        compiled part (``iopath``) takes a cached dentry of a writable one-run file whole,
        straight to the array's own compiled write, and declines any other case unchanged."""
        fast = iopath.COMPILED
        if fast is not None and fast.host_write(self, host_name, path, blocks):
            return
        hc = self._cache.get(host_name)  # the dentry hit of ``_file``, without its call
        d = hc.files.get(path) if hc is not None else None
        if d is None or d.host.crashed:
            d = self._file(host_name, path)
        mnt = d.mnt
        if mnt.read_only or mnt.frozen:
            self._writable(mnt, path)
        length, direct = d.entry.length, d.direct
        base = d.entry.start if direct is None else direct[2]
        items = {}
        for block, payload in blocks.items():
            if not 0 <= block < length:
                raise HostError(f"{path}: block {block} beyond end of file", code="EFBIG")
            items[base + block] = payload
        if direct is None:
            self._lv_write(d.host, d.vg, d.lv, items)
        else:
            self.world.arrays[direct[0]].block_write(direct[1], items, host=d.host.name)

    def read_file(self: HostBackend, host_name: str, path: str) -> tuple[Any, ...]:
        d = self._file(host_name, path)
        start, length, direct = d.entry.start, d.entry.length, d.direct
        if direct is None:
            return tuple(self._lv_read(d.host, d.vg, d.lv, start + i) for i in range(length))
        array, volume, base = direct
        return self.world.arrays[array].block_read_run(volume, base, length)

    def read_block(self: HostBackend, host_name: str, path: str, block: int) -> Any:
        d = self._file(host_name, path)
        if not 0 <= block < d.entry.length:
            raise HostError(f"{path}: block {block} beyond end of file", code="EFBIG")
        direct = d.direct
        if direct is None:
            return self._lv_read(d.host, d.vg, d.lv, d.entry.start + block)
        return self.world.arrays[direct[0]].block_read(direct[1], direct[2] + block)

    def file_exists(self: HostBackend, host_name: str, path: str) -> bool:
        try:
            mnt, rel = self.mount_of(host_name, path)
        except HostError:
            return False
        return rel in mnt.files

    def list_files(self: HostBackend, host_name: str, mount_point: str) -> list[str]:
        mnt = self._mount(self._up(host_name), mount_point)
        if mount_point.endswith("\\"):  # a Windows drive letter or mount folder
            return [mount_point + p for p in sorted(mnt.files)]
        return [mount_point.rstrip("/") + "/" + p for p in sorted(mnt.files)]

    def volumes_under(self: HostBackend, host_name: str, path: str) -> list[tuple[str, str]]:
        """(array, volume) of every PV of the volume group holding ``path`` (of the disk
        holding it on a Windows host)."""
        mnt, _ = self.mount_of(host_name, path)
        hc = self._hc(host_name)
        kept = hc.volumes.get(mnt.mount_point)
        if kept is not None and kept[0] is mnt:
            return list(kept[1])
        host = self.host(host_name)
        vg = self.windows.backing(host, mnt)[0] if mnt.fs == NTFS_MAGIC else self._vg(host, mnt.vg)
        out = []
        for wwn in vg.pvs:
            dev = self._device(host, wwn)
            out.append((dev.array, dev.volume))
        hc.volumes[mnt.mount_point] = (mnt, tuple(out))
        return out
