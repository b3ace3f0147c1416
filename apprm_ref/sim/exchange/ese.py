"""The ESE engine over one copy's files: headers, pages, the log stream and soft recovery.

Used by the running store (mount, crash recovery), by the replication service (replay into
the passive copy) and by ``eseutil /r`` alike, so a database is recovered the same way
whoever runs it. Replay is idempotent: a record is applied to a page only when the page's
log position is older, as ESE compares a page's dbtime with the record's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.models import CopyLayout, DatabaseDef, ExchangeError, StorageGroup, join

Rows = tuple[Any, ...]


@dataclass
class EseFiles:
    """File access of one host, raising JET errors for what ESE would refuse."""

    hosts: Any
    host: str

    def exists(self, path: str) -> bool:
        return bool(self.hosts.file_exists(self.host, path))

    def block(self, path: str, n: int) -> Any:
        try:
            return self.hosts.read_block(self.host, path, n)
        except HostError as exc:
            if exc.code == "ENOENT":
                raise ExchangeError(f"{path}: file not found", jet=-1811) from None
            raise

    def write(self, path: str, blocks: dict[int, Any]) -> None:
        self.hosts.write_file(self.host, path, blocks)

    def ensure(self, path: str, blocks: int) -> None:
        if not self.exists(path):
            self.hosts.create_file(self.host, path, blocks)

    def delete(self, path: str) -> None:
        self.hosts.delete_file(self.host, path)

    def length(self, path: str) -> int:
        mnt, rel = self.hosts.mount_of(self.host, path)
        return int(mnt.files[rel].length)

    # --- database files ---------------------------------------------------------------

    def header(self, path: str) -> dict[str, Any]:
        raw = self.block(path, 0)
        if not (isinstance(raw, tuple) and len(raw) == 2 and raw[0] == F.HDR):
            raise ExchangeError(f"{path} is not a database", jet=-1206)
        return dict(raw[1])

    def write_header(self, path: str, hdr: dict[str, Any]) -> None:
        self.write(path, {0: (F.HDR, dict(sorted(hdr.items())))})

    def page(self, path: str, pgno: int) -> Any:
        raw = self.block(path, pgno)
        if not F.page_ok(raw, pgno):
            raise ExchangeError(f"{path}: checksum error on page {pgno}", jet=-1018)
        return raw

    def rows(self, path: str, pgno: int) -> tuple[tuple[int, int], Rows]:
        raw = self.page(path, pgno)
        return ((0, 0), ()) if raw is None else (raw[2], raw[3])

    # --- the log stream ---------------------------------------------------------------

    def checkpoint(self, sg: StorageGroup, copy: CopyLayout) -> tuple[int, str] | None:
        path = join(copy.system_path, f"{sg.prefix}.chk")
        if not self.exists(path):
            return None
        raw = self.block(path, 0)
        if not (isinstance(raw, tuple) and raw and raw[0] == F.CHK):
            raise ExchangeError(f"{path} is not a checkpoint file", jet=-501)
        return int(raw[1]), str(raw[2])

    def write_checkpoint(self, sg: StorageGroup, copy: CopyLayout, gen: int, sig: str) -> None:
        path = join(copy.system_path, f"{sg.prefix}.chk")
        self.ensure(path, 1)
        attached = tuple(copy.edb(db) for db in sg.databases)
        self.write(path, {0: (F.CHK, gen, sig, attached)})

    def attachments(self, path: str) -> tuple[str, ...]:
        """The databases a checkpoint file records as attached to its stream."""
        raw = self.block(path, 0)
        if not (isinstance(raw, tuple) and len(raw) == 4 and raw[0] == F.CHK):
            raise ExchangeError(f"{path} is not a checkpoint file", jet=-501)
        return tuple(raw[3])

    def log(self, path: str) -> tuple[int, str, Rows]:
        raw = self.block(path, 0)
        if not F.log_ok(raw):
            raise ExchangeError(f"{path}: log file is corrupt", jet=-501)
        return int(raw[1]), str(raw[2]), raw[3]

    def closed_logs(self, sg: StorageGroup, copy: CopyLayout, version: int) -> dict[int, str]:
        """Generation -> path of every closed log in the copy's log directory."""
        out: dict[int, str] = {}
        prefix = copy.log_path.rstrip("\\") + "\\"
        for path in self._files(copy.log_path):
            if path.upper().startswith(prefix.upper()) and "\\" not in path[len(prefix) :]:
                gen = F.parse_log_name(sg.prefix, path[len(prefix) :], version)
                if gen is not None:
                    out[gen] = path
        return dict(sorted(out.items()))

    def _files(self, directory: str) -> list[str]:
        try:
            mnt, rel = self.hosts.mount_of(self.host, join(directory, "x"))
        except HostError:
            return []
        return [mnt.mount_point + p for p in sorted(mnt.files)]

    def stream(self, sg: StorageGroup, copy: CopyLayout, version: int) -> dict[int, str]:
        """Every log of the copy by generation, the current ``Enn.log`` included."""
        out = self.closed_logs(sg, copy, version)
        current = join(copy.log_path, f"{sg.prefix}.log")
        if self.exists(current):
            out[self.log(current)[0]] = current
        return dict(sorted(out.items()))


def redo(files: EseFiles, copy: CopyLayout, db: DatabaseDef, record: tuple[Any, ...]) -> None:
    """Apply one log record to the database's pages on disk, if they are older."""
    gen, n, _, op, mailbox, msg, subject, body = record
    if op == "backup":
        _redo_backup(files, copy, db, record)
        return
    pgno = F.mailbox_page(mailbox, db.pages)
    for path, value in ((copy.edb(db), subject), (copy.stm(db), body)):
        if path is None:
            continue
        lgpos, rows = files.rows(path, pgno)
        if lgpos >= (gen, n):
            continue
        keep = tuple(r for r in rows if (r[0], r[1]) != (mailbox, msg))
        if op == "deliver":
            row = (mailbox, msg, value) if copy.stm(db) else (mailbox, msg, subject, body)
            keep = tuple(sorted((*keep, row)))
        files.write(path, {pgno: F.page(pgno, (gen, n), keep)})


def _redo_backup(
    files: EseFiles, copy: CopyLayout, db: DatabaseDef, record: tuple[Any, ...]
) -> None:
    """A finished passive-copy backup's header update, replayed into this copy's header."""
    _, _, _, _, kind, lo, hi, when = record
    path = copy.edb(db)
    hdr = files.header(path)
    hdr[f"previous_{kind}"] = (lo, hi, when, True)
    files.write_header(path, hdr)


def replay(
    files: EseFiles,
    sg: StorageGroup,
    copy: CopyLayout,
    version: int,
    dbs: list[DatabaseDef],
    *,
    start: int | None = None,
) -> int:
    """Soft recovery: apply every log from ``start`` (the checkpoint, else the lowest
    required generation) to the end of the stream into ``dbs``; returns the last generation.

    Refuses, before changing a page, a missing required log (-543), a gap in the stream
    (-528) and a log of another stream (-530)."""
    hdrs = {db.guid: files.header(copy.edb(db)) for db in dbs}
    stream = files.stream(sg, copy, version)
    dirty = [h for h in hdrs.values() if h["state"] == F.DIRTY]
    need_lo = min((h["log_required"][0] for h in dirty), default=0)
    need_hi = max((h["log_required"][1] for h in dirty), default=0)
    first = start if start is not None else need_lo
    if dirty:
        first = min(first, need_lo)
        missing = [g for g in range(need_lo, need_hi + 1) if g not in stream]
        if missing:
            raise ExchangeError(
                f"{sg.name}: required log {F.log_name(sg.prefix, missing[0], version)} missing",
                jet=-543,
            )
    gens = [g for g in stream if g >= first]
    for a, b in zip(gens, gens[1:], strict=False):
        if b != a + 1:
            raise ExchangeError(
                f"{sg.name}: log {F.log_name(sg.prefix, a + 1, version)} missing", jet=-528
            )
    logs = [files.log(stream[g]) for g in gens]
    signatures = {h["log_signature"] for h in hdrs.values() if h["state"] != F.JUST_CREATED}
    for gen, sig, _ in logs:
        if signatures and sig not in signatures:
            name = F.log_name(sg.prefix, gen, version)
            raise ExchangeError(f"{sg.name}: {name} has another log signature", jet=-530)
    by_guid = {db.guid: db for db in dbs}
    for _gen, _sig, records in logs:
        for rec in records:
            db = by_guid.get(rec[2])
            if db is not None:
                redo(files, copy, db, rec)
    return gens[-1] if gens else max(need_hi, 0)
