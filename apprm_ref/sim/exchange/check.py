"""What ``eseutil`` computes: a header dump (/mh), page and log checksums (/k) and soft
recovery of files no store has attached (/r). ``doors/eseutil.py`` prints it.

Files a running store has attached are locked (``JET_errFileAccessDenied``, -1032): eseutil
reads a dismounted database or a replica (the consistency check runs on the backup system).
An unwritten page counts as uninitialized, a page whose checksum or number is wrong as a bad
checksum or wrong page number (ESE ``_esefile/checksum.cxx`` counters, addendum VSS-13).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.sim.exchange import ese
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import CopyLayout, DatabaseDef, ExchangeError, StorageGroup


@dataclass(frozen=True)
class PageCheck:
    path: str
    pages: int
    bad: int
    uninitialized: int
    wrong_pgno: int
    highest_dbtime: tuple[int, int]
    highest_pgno: int

    @property
    def jet(self) -> int:
        return -1018 if self.bad or self.wrong_pgno else 0


def in_use(world: Any, host: str, path: str) -> bool:
    """A file an Exchange store on ``host`` has attached (mounted database, its logs)."""
    for app in world.apps.values():
        if getattr(app, "kind", "") != "exchange" or not app.alive():
            continue
        for sg in app.storage_groups:
            if sg.active.host != host or not app.mounted_dbs(sg):
                continue
            dirs = (sg.active.log_path.upper() + "\\", sg.active.system_path.upper() + "\\")
            mine = [p.upper() for db in app.mounted_dbs(sg) for p in sg.active.files_of(db)]
            if path.upper() in mine or path.upper().startswith(dirs):
                return True
    return False


def _unlocked(world: Any, host: str, path: str) -> ese.EseFiles:
    files = ese.EseFiles(world.hosts, host)
    if not files.exists(path):
        raise ExchangeError(f"{path}: file not found", jet=-1811)
    if in_use(world, host, path):
        raise ExchangeError(f"{path} is attached to a running store", jet=-1032)
    world.faults.check("exchange.eseutil", ExchangeError, host=host, path=path)
    return files


def header(world: Any, host: str, path: str) -> dict[str, Any]:
    return _unlocked(world, host, path).header(path)


def checksum_pages(world: Any, host: str, path: str) -> PageCheck:
    files = _unlocked(world, host, path)
    pages = files.length(path) - 1
    bad = uninit = wrong = 0
    best, best_pgno = (0, 0), 0
    for pgno in range(1, pages + 1):
        raw = files.block(path, pgno)
        if raw is None:
            uninit += 1
        elif not F.page_ok(raw, pgno):
            numbered = isinstance(raw, tuple) and len(raw) == 5 and raw[0] == F.PAGE
            if numbered and raw[1] != pgno and raw[4] == F.checksum(raw[1], raw[2], raw[3]):
                wrong += 1
            else:
                bad += 1
        elif tuple(raw[2]) > best:
            best, best_pgno = tuple(raw[2]), pgno
    return PageCheck(path, pages, bad, uninit, wrong, best, best_pgno)


def checksum_log(world: Any, host: str, path: str) -> int:
    """0 when the log's checksum holds, else -501 (JET_errLogFileCorrupt)."""
    files = _unlocked(world, host, path)
    return 0 if F.log_ok(files.block(path, 0)) else -501


@dataclass(frozen=True)
class Recovered:
    base: str
    log_path: str
    system_path: str
    databases: tuple[str, ...]
    last_generation: int


def recover(
    world: Any, host: str, base: str, log_path: str, system_path: str, databases: list[str]
) -> Recovered:
    """Soft recovery of ``databases`` (.edb paths) from the logs of ``base`` in ``log_path``:
    every log from the lowest one required to the end of the stream is replayed, then the
    headers say Clean Shutdown, 0-0, and the checkpoint is at the last generation."""
    files = ese.EseFiles(world.hosts, host)
    for path in [*databases, log_path + "\\" + f"{base}.log"]:
        if in_use(world, host, path):
            raise ExchangeError(f"{path} is attached to a running store", jet=-1032)
    if not databases:
        raise ExchangeError("no database to recover (give /d)", jet=-1811)
    dbs, version = _databases(files, databases)
    data_dir = databases[0].rsplit("\\", 1)[0]
    if any(p.rsplit("\\", 1)[0].upper() != data_dir.upper() for p in databases):
        raise ExchangeError("the databases of one recovery share a directory", jet=-1003)
    sg = StorageGroup(base, "", base, dbs, CopyLayout(host, log_path, system_path, data_dir))
    last = ese.replay(files, sg, sg.active, version, dbs)
    sig = ""
    for db in dbs:
        hdr = files.header(sg.active.edb(db))
        hdr.update(state=F.CLEAN, log_required=(0, 0), last_consistent=(last, world.now()))
        files.write_header(sg.active.edb(db), hdr)
        sig = hdr["log_signature"]
    files.write_checkpoint(sg, sg.active, last, sig)
    return Recovered(base, log_path, system_path, tuple(databases), last)


def _databases(files: ese.EseFiles, paths: list[str]) -> tuple[list[DatabaseDef], int]:
    dbs, version = [], 2007
    for path in paths:
        hdr = files.header(path)
        version = int(hdr.get("version", 2007))
        name = path.rsplit("\\", 1)[-1]
        stem = name.rsplit(".", 1)[0]
        stm = f"{stem}.stm" if files.exists(path.rsplit(".", 1)[0] + ".stm") else None
        dbs.append(DatabaseDef(stem, hdr["guid"], name, stm, files.length(path) - 1))
    return dbs, version
