"""File operations of the host backend (a mixin of :class:`HostBackend`).

Files are contiguous runs of LV extents recorded in the file table at LV extent 0, so
everything a host knows about its files is read back from the arrays after a remount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError
from apprm_ref.sim.host.models import FS_MAGIC, FileEntry, Host, LogicalVolume, Mount, VolumeGroup

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
        vg = self._vg(host, mnt.vg, active=True)
        lv = vg.lvs[mnt.lv]
        start = max((e.start + e.length for e in mnt.files.values()), default=1)
        if start + extents > lv.size_extents:
            raise HostError(f"{mnt.mount_point}: no space for {path}", code="ENOSPC")
        entry = FileEntry(rel, start, extents)
        mnt.files[rel] = entry
        table = tuple(
            (e.path, e.start, e.length) for e in sorted(mnt.files.values(), key=lambda e: e.path)
        )
        self._lv_write(host, vg, lv, {0: (FS_MAGIC, mnt.fs_uuid, table)})
        return entry

    def delete_file(self: HostBackend, host_name: str, path: str) -> None:
        """``rm``: drop the file from the table and trim its extents (they read as zeros),
        so the array stops holding its content. Space is not reused by later files."""
        host, vg, lv, mnt, entry = self._file(host_name, path)
        self._writable(mnt, path)
        del mnt.files[entry.path]
        table = tuple(
            (e.path, e.start, e.length) for e in sorted(mnt.files.values(), key=lambda e: e.path)
        )
        items: dict[int, Any] = {entry.start + i: None for i in range(entry.length)}
        items[0] = (FS_MAGIC, mnt.fs_uuid, table)
        self._lv_write(host, vg, lv, items)

    def _writable(self: HostBackend, mnt: Mount, path: str) -> None:
        if mnt.read_only:
            raise HostError(f"{path}: read-only filesystem", code="EROFS")
        if mnt.frozen:
            raise HostError(f"{path}: filesystem {mnt.mount_point} is frozen", code="EAGAIN")

    def _file(
        self, host_name: str, path: str
    ) -> tuple[Host, VolumeGroup, LogicalVolume, Mount, FileEntry]:
        host = self._up(host_name)
        mnt, rel = self._mount_in(host, path)
        entry = mnt.files.get(rel)
        if entry is None:
            raise HostError(f"{path}: no such file on {host_name}", code="ENOENT")
        vg = self._vg(host, mnt.vg, active=True)
        return host, vg, vg.lvs[mnt.lv], mnt, entry

    def write_file(self: HostBackend, host_name: str, path: str, blocks: dict[int, Any]) -> None:
        """Write file blocks (block index -> payload) through to the array extents."""
        host, vg, lv, mnt, entry = self._file(host_name, path)
        self._writable(mnt, path)
        items = {}
        for block, payload in blocks.items():
            if not 0 <= block < entry.length:
                raise HostError(f"{path}: block {block} beyond end of file", code="EFBIG")
            items[entry.start + block] = payload
        self._lv_write(host, vg, lv, items)

    def read_file(self: HostBackend, host_name: str, path: str) -> tuple[Any, ...]:
        host, vg, lv, _mnt, entry = self._file(host_name, path)
        return tuple(self._lv_read(host, vg, lv, entry.start + i) for i in range(entry.length))

    def read_block(self: HostBackend, host_name: str, path: str, block: int) -> Any:
        host, vg, lv, _mnt, entry = self._file(host_name, path)
        if not 0 <= block < entry.length:
            raise HostError(f"{path}: block {block} beyond end of file", code="EFBIG")
        return self._lv_read(host, vg, lv, entry.start + block)

    def file_exists(self: HostBackend, host_name: str, path: str) -> bool:
        try:
            mnt, rel = self.mount_of(host_name, path)
        except HostError:
            return False
        return rel in mnt.files

    def list_files(self: HostBackend, host_name: str, mount_point: str) -> list[str]:
        mnt = self._mount(self._up(host_name), mount_point)
        return [mount_point.rstrip("/") + "/" + p for p in sorted(mnt.files)]

    def volumes_under(self: HostBackend, host_name: str, path: str) -> list[tuple[str, str]]:
        """(array, volume) of every PV of the volume group holding ``path``."""
        mnt, _ = self.mount_of(host_name, path)
        host = self.host(host_name)
        vg = self._vg(host, mnt.vg)
        out = []
        for wwn in vg.pvs:
            dev = self._device(host, wwn)
            out.append((dev.array, dev.volume))
        return out
