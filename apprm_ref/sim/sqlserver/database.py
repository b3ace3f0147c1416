"""One SQL Server database: write-ahead logging, checkpoints and crash/restore recovery.

The durable truth is on the files (``formats``); the rest of the dataclass is what the
instance holds in memory (buffer pool, dirty pages, log buffer, open transactions) and is
lost with the instance. A change is logged before the page holding it is written (WAL),
a commit flushes the log, a checkpoint writes every dirty page (uncommitted changes too, as
SQL Server does) and records MinLSN on the boot page. Recovery after a crash or a restore
reads the files alone: analysis from MinLSN, redo of every logged change newer than its
page (repeating history), undo of the transactions that never committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import HostError, InvariantViolation
from apprm_ref.persist import persistable
from apprm_ref.sim.sqlserver import formats as F
from apprm_ref.sim.sqlserver.errors import IoFrozenError, SqlServerError

ONLINE, OFFLINE, RESTORING = "ONLINE", "OFFLINE", "RESTORING"
# SIMPLE recovery: an automatic checkpoint once the log is 70% full, which truncates it
# (learn.microsoft.com/sql/relational-databases/logs/database-checkpoints-sql-server)
AUTO_CHECKPOINT = 0.7
LOG_RESERVE = 3  # log blocks kept for commit, rollback and checkpoint records
Rows = dict[tuple[str, str], Any]


@persistable("mssql.Database")
@dataclass(eq=False)
class SqlDatabase:
    name: str
    db_id: int
    guid: str
    data_path: str
    log_path: str
    pages: int  # data pages: blocks 1..pages of the data file
    log_blocks: int  # log blocks: 1..log_blocks of the log file
    state: str = ONLINE  # sys.databases state_desc the instance keeps (master is not modelled)
    # --- what the instance holds in memory (lost with it) ---
    open: bool = False  # files open, recovery done
    frozen: bool = False  # I/O frozen for a snapshot (BACKUP ... WITH SNAPSHOT)
    pool: dict[int, tuple[int, Rows]] = field(default_factory=dict)
    dirty: dict[int, bool] = field(default_factory=dict)
    log_buffer: list[F.Record] = field(default_factory=list)
    next_seq: int = 1  # the next log block to write
    buf_seq: int = 1  # the log block the buffer is filling
    slot: int = 0  # last slot used in the buffered block
    flushed_lsn: int = 0
    truncate_lsn: int = 0  # log below this may be reused (SIMPLE recovery: MinLSN)
    open_txns: dict[int, int] = field(default_factory=dict)  # txn -> its BEGIN LSN
    locks: dict[tuple[str, str], int] = field(default_factory=dict)  # row -> holding txn
    undo: dict[int, list[tuple[str, str, Any]]] = field(default_factory=dict)
    next_txn: int = 1

    # --- the files ----------------------------------------------------------------------

    def read_page(self, io: Any, page: int) -> tuple[int, Rows]:
        cached = self.pool.get(page)
        if cached is None:
            cached = self.pool[page] = F.page_rows(io.read_block(self.data_path, page))
        return cached

    def _write(self, io: Any, path: str, blocks: dict[int, Any]) -> None:
        if self.frozen:
            raise IoFrozenError(self.name)
        io.write_file(path, blocks)

    # --- logging ------------------------------------------------------------------------

    def _append(
        self, txn: int, op: str, table: str = "", key: str = "", old: Any = None, new: Any = None
    ) -> int:
        if self.slot >= F.LSN_SLOTS - 1:  # the buffered block is full: open the next one
            self.buf_seq, self.slot = self.buf_seq + 1, 0
        self.slot += 1
        value = F.lsn(self.buf_seq, self.slot)
        self.log_buffer.append((value, txn, op, table, key, old, new))
        return value

    def flush_log(self, io: Any) -> None:
        """Write the buffered log blocks (the WAL rule's flush); a full log is error 9002."""
        if not self.log_buffer:
            return
        blocks: dict[int, list[F.Record]] = {}
        for rec in self.log_buffer:
            blocks.setdefault(rec[0] // F.LSN_SLOTS, []).append(rec)
        for seq in blocks:
            self._check_reusable(seq)
        writes = {self._slot_of(seq): (F.LOGBLK, seq, tuple(recs)) for seq, recs in blocks.items()}
        self._write(io, self.log_path, writes)
        self.flushed_lsn = self.log_buffer[-1][0]
        self.next_seq = self.buf_seq = max(blocks) + 1
        self.log_buffer, self.slot = [], 0

    def log_used(self) -> float:
        """The share of the log between the truncation point and the next block."""
        return (self.next_seq - self.truncate_lsn // F.LSN_SLOTS) / self.log_blocks

    def _slot_of(self, seq: int) -> int:
        return 1 + (seq - 1) % self.log_blocks

    def _check_reusable(self, seq: int) -> None:
        """A log block is overwritten only below the truncation point (``_need_space``
        keeps the reserve that commits, rollbacks and checkpoints write into)."""
        overwritten = seq - self.log_blocks
        if overwritten >= 1 and F.lsn(overwritten + 1, 0) > self.truncate_lsn:
            raise InvariantViolation(
                f"{self.name}: log block {overwritten} still needed", code="INVARIANT"
            )

    def _need_space(self, io: Any) -> None:
        """A change needs log space beyond the reserve kept for ending transactions; an
        automatic checkpoint truncates the log first (SIMPLE recovery), and when the
        oldest active transaction still holds it the change fails with 9002."""
        if self._blocks_used() <= self.log_blocks - LOG_RESERVE:
            return
        self._truncate(io)
        if self._blocks_used() > self.log_blocks - LOG_RESERVE:
            why = "ACTIVE_TRANSACTION" if self.open_txns else "CHECKPOINT"
            raise SqlServerError(9002, db=self.name, why=why)

    def _truncate(self, io: Any) -> None:
        """An automatic checkpoint, when it moves the truncation point (an older active
        transaction holds the log otherwise, and a checkpoint would only fill it)."""
        oldest = min(self.open_txns.values(), default=None)
        if not self.frozen and (oldest is None or oldest > self.truncate_lsn):
            self.checkpoint(io)

    def _blocks_used(self) -> int:
        return self.buf_seq + 1 - self.truncate_lsn // F.LSN_SLOTS

    # --- transactions -------------------------------------------------------------------

    def _usable(self) -> None:
        if self.state == OFFLINE:
            raise SqlServerError(942, db=self.name)
        if not self.open or self.state != ONLINE:
            raise SqlServerError(945, db=self.name)

    def begin(self) -> int:
        self._usable()
        txn, self.next_txn = self.next_txn, self.next_txn + 1
        self.open_txns[txn] = self._append(txn, F.BEGIN)
        self.undo[txn] = []
        return txn

    def write(self, io: Any, txn: int, table: str, key: str, value: Any) -> None:
        """Insert/update (``value``) or delete (None) one row inside ``txn``."""
        self._usable()
        if txn not in self.open_txns:
            raise SqlServerError(911, db=f"transaction {txn}")
        holder = self.locks.setdefault((table, key), txn)
        if holder != txn:
            raise SqlServerError(1222)
        self._need_space(io)
        page = F.page_of(table, key, self.pages)
        _lsn, rows = self.read_page(io, page)
        old = rows.get((table, key))
        at = self._append(txn, F.MOD, table, key, old, value)
        self._apply(page, at, table, key, value)
        self.undo[txn].append((table, key, old))

    def _apply(self, page: int, at: int, table: str, key: str, value: Any) -> None:
        _lsn, rows = self.pool[page]
        rows = dict(rows)
        if value is None:
            rows.pop((table, key), None)
        else:
            rows[(table, key)] = value
        self.pool[page] = (at, rows)
        self.dirty[page] = True

    def commit(self, io: Any, txn: int) -> int:
        self._usable()
        if self.frozen:
            raise IoFrozenError(self.name)
        at = self._append(txn, F.COMMIT)
        self.flush_log(io)
        self._end(txn)
        if self.log_used() >= AUTO_CHECKPOINT:
            self._truncate(io)
        return at

    def _end(self, txn: int) -> None:
        del self.open_txns[txn]
        self.undo.pop(txn, None)
        self.locks = {row: t for row, t in self.locks.items() if t != txn}

    def rollback(self, io: Any, txn: int) -> None:
        if self.frozen:
            raise IoFrozenError(self.name)
        for table, key, old in reversed(self.undo[txn]):
            page = F.page_of(table, key, self.pages)
            cur = self.read_page(io, page)[1].get((table, key))
            self._apply(page, self._append(txn, F.MOD, table, key, cur, old), table, key, old)
        self._append(txn, F.ABORT)
        self.flush_log(io)
        self._end(txn)

    # --- checkpoint ---------------------------------------------------------------------

    def checkpoint(self, io: Any, *, clean: bool = False) -> int:
        """Flush the log, write every dirty page, then the boot page with MinLSN."""
        if self.frozen:
            raise IoFrozenError(self.name)
        at = self._append(0, F.CKPT)
        self.flush_log(io)
        pages = {p: F.page_block(p, *self.pool[p]) for p in sorted(self.dirty)}
        if pages:
            self._write(io, self.data_path, pages)
        self.dirty = {}
        min_lsn = min([at, *self.open_txns.values()])
        self._write(
            io,
            self.data_path,
            {0: F.boot_page(self.name, self.guid, self.db_id, at, min_lsn, clean)},
        )
        self.truncate_lsn = min_lsn
        return at

    # --- open, close, recovery ----------------------------------------------------------

    def drop_memory(self) -> None:
        """The instance is gone: everything not on the files is lost."""
        self.open = self.frozen = False
        self.pool, self.dirty, self.log_buffer = {}, {}, []
        self.open_txns, self.undo, self.locks, self.slot = {}, {}, {}, 0

    def close(self, io: Any) -> None:
        """Clean close (``SET OFFLINE WITH ROLLBACK IMMEDIATE``, service stop)."""
        for txn in sorted(self.open_txns, reverse=True):
            self.rollback(io, txn)
        self.checkpoint(io, clean=True)
        self.drop_memory()

    def boot(self, io: Any) -> tuple[Any, ...]:
        """Read and check the boot page and log header: 5120/945 if they are not this database's."""
        try:
            boot = io.read_block(self.data_path, 0)
            header = io.read_block(self.log_path, 0)
        except HostError as exc:
            raise SqlServerError(5120, path=self.data_path, os=2, text=exc.message) from None
        ok = F.is_boot_page(boot, self.name) and boot[2] == self.guid
        if not ok or not F.is_log_header(header, self.name) or header[2] != self.guid:
            raise SqlServerError(945, db=self.name)
        return boot  # type: ignore[no-any-return]

    def recover(self, io: Any) -> tuple[int, int]:
        """Analysis, redo, undo from the files; returns (rolled forward, rolled back)."""
        boot = self.boot(io)
        self.drop_memory()
        checkpoint, min_lsn = boot[4], boot[5]
        records = self._scan_log(io, min_lsn)
        done = {r[1] for r in records if r[2] in (F.COMMIT, F.ABORT)}
        begun = {r[1]: r[0] for r in records if r[2] == F.BEGIN}
        for rec in records:  # redo: repeat history
            if rec[2] == F.MOD:
                page = F.page_of(rec[3], rec[4], self.pages)
                if rec[0] > self.read_page(io, page)[0]:
                    self._apply(page, rec[0], rec[3], rec[4], rec[6])
        self._resume_log(records, boot)
        losers = sorted((t for t in begun if t not in done), reverse=True)
        for rec in reversed(records):  # undo the losers, newest change first
            if rec[2] == F.MOD and rec[1] in losers:
                page = F.page_of(rec[3], rec[4], self.pages)
                self._apply(
                    page,
                    self._append(rec[1], F.MOD, rec[3], rec[4], rec[6], rec[5]),
                    rec[3],
                    rec[4],
                    rec[5],
                )
        for txn in losers:
            self._append(txn, F.ABORT)
        forward = len({r[1] for r in records if r[2] == F.COMMIT and r[0] > checkpoint})
        self.open = True
        self.checkpoint(io)
        return forward, len(losers)

    def _scan_log(self, io: Any, min_lsn: int) -> list[F.Record]:
        """Every record from MinLSN on, from the contiguous run of log blocks holding it."""
        blocks: dict[int, tuple[F.Record, ...]] = {}
        for i in range(1, self.log_blocks + 1):
            found = F.log_records(io.read_block(self.log_path, i))
            if found is not None:
                blocks[found[0]] = found[1]
        seq, out = min_lsn // F.LSN_SLOTS, []
        while seq in blocks:
            out.extend(r for r in blocks[seq] if r[0] >= min_lsn)
            seq += 1
        return out

    def _resume_log(self, records: list[F.Record], boot: tuple[Any, ...]) -> None:
        last = records[-1][0] if records else boot[4]
        self.next_seq = self.buf_seq = last // F.LSN_SLOTS + 1
        self.flushed_lsn = last
        self.truncate_lsn = boot[5]
        self.next_txn = max([self.next_txn, *(r[1] + 1 for r in records)])

    # --- reading committed data ---------------------------------------------------------

    def committed_rows(self, io: Any) -> dict[str, dict[str, Any]]:
        """Every committed row: the pages as the server sees them, open transactions undone."""
        self._usable()
        rows: Rows = {}
        for page in range(1, self.pages + 1):
            rows.update(self.read_page(io, page)[1])
        for txn in sorted(self.undo, reverse=True):
            for table, key, old in reversed(self.undo[txn]):
                if old is None:
                    rows.pop((table, key), None)
                else:
                    rows[(table, key)] = old
        out: dict[str, dict[str, Any]] = {}
        for (table, key), value in sorted(rows.items()):
            out.setdefault(table, {})[key] = value
        return out
