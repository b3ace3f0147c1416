"""The database's persisted backup-mode state, read from its volumes as the files are stored.

"Nothing left in backup mode" must hold for the database on disk, not only for a live
instance: a host that crashed in backup mode leaves the control file's and the datafile
headers' begin-backup SCNs set (ORA-01113 at the next open, until END BACKUP or recovery).
With the host down or its filesystems unmounted there is no mount table to follow, so each
path is found in the file tables that the host's logical volumes keep on their own extent 0
(``sim/host/models.py``), and every block is read from the array volume under it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.sim.host.models import FS_MAGIC, FileEntry, Host, LogicalVolume, VolumeGroup
from apprm_ref.sim.oracle import formats as F


@dataclass(frozen=True)
class _Stored:
    """One file as stored: the logical volume that holds it and its file-table entry."""

    vg: VolumeGroup
    lv: LogicalVolume
    entry: FileEntry


class StoredFiles:
    """Block reads of a host's files straight from its volumes (host up or down)."""

    def __init__(self, world: Any, host: Host) -> None:
        self.world, self.host = world, host
        self.tables: list[tuple[VolumeGroup, LogicalVolume, dict[str, FileEntry]]] = []
        for vg_name in sorted(host.vgs):
            vg = host.vgs[vg_name]
            for lv_name in sorted(vg.lvs):
                sb = self._extent(vg, vg.lvs[lv_name], 0)
                if isinstance(sb, tuple) and len(sb) == 3 and sb[0] == FS_MAGIC:
                    table = {e[0]: FileEntry(*e) for e in sb[2]}
                    self.tables.append((vg, vg.lvs[lv_name], table))

    def _extent(self, vg: VolumeGroup, lv: LogicalVolume, index: int) -> Any:
        for seg in lv.segments:
            if index < seg.count:
                dev = self.host.device_by_wwn(vg.pvs[seg.pv])
                if dev is None or dev.array not in self.world.arrays:
                    return None
                return self.world.arrays[dev.array].block_read(dev.volume, seg.start + index)
            index -= seg.count
        return None

    def find(self, path: str) -> _Stored | None:
        """The file at ``path``: the longest relative path that some filesystem holds
        (its mount point is then the rest), or None when no filesystem holds it."""
        best: _Stored | None = None
        for vg, lv, table in self.tables:
            parts = path.strip("/").split("/")
            for i in range(len(parts)):
                rel = "/".join(parts[i:])
                if rel in table:
                    if best is None or len(rel) > len(best.entry.path):
                        best = _Stored(vg, lv, table[rel])
                    break
        return best

    def block(self, path: str, block: int) -> Any:
        found = self.find(path)
        if found is None or not 0 <= block < found.entry.length:
            return None
        return self._extent(found.vg, found.lv, found.entry.start + block)


def persisted_backup_files(db: Any) -> dict[str, int] | None:
    """Datafile name -> begin-backup SCN of every file in backup mode per its stored control
    file or header; None when the stored control file cannot be read at all."""
    stored = StoredFiles(db.world, db.world.hosts.host(db.host))
    params = F.unpack(stored.block(db.layout.spfile, 0), F.SPFILE_MAGIC)
    paths = list(params["control_files"]) if params else list(db.layout.control_files)
    cf = None
    for path in paths:
        cf = F.unpack(stored.block(path, 0), F.CF_MAGIC)
        if cf is not None:
            break
    if cf is None:
        return None
    active: dict[str, int] = {}
    for no in sorted(cf["files"]):
        entry = cf["files"][no]
        head = F.unpack(stored.block(entry["name"], 0), F.DF_HEADER) or {}
        scn = entry["backup"] or head.get("backup", 0)
        if scn:
            active[entry["name"]] = scn
    return active


def oracle_in_backup_mode(db: Any) -> bool:
    """The kind's backup-mode probe: a datafile in backup mode per the live instance's
    ``V$BACKUP`` ACTIVE rows, or else per the control file and datafile headers as stored
    on the volumes, so a host that went down in backup mode does not pass for clean."""
    return bool(db.in_backup_mode()) or bool(persisted_backup_files(db))
