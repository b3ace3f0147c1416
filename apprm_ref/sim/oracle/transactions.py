"""Transactions and the workload: commits at consecutive SCNs, one redo batch per call.

A transaction is a tuple of row operations on the key/value tables of the data dictionary
(``insert``/``update``/``delete``). A call applies a whole batch: one SCN per commit, one redo
block, the changed blocks into the buffer cache, then DBWR writes part of them. A refused
batch changes nothing (every insert is checked first).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from apprm_ref.sim.oracle import epoch_loop
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.memo import ROW_LOCS_MAX
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import OPEN, Commit

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase

Op = tuple[Any, ...]
# (file#, block) -> [block SCN, copy of its rows, whether that copy is still in key order]
Staged = dict[tuple[int, int], list[Any]]


class Transactions:
    """Commits and the workload: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    # --- row placement ------------------------------------------------------------------

    def _locate_row(self, table: str, key: str) -> tuple[int, int]:
        """(file#, block) of a row; placements are memoized while mounted (the tables and
        the files of each tablespace do not change then)."""
        locs = self.db.memo.row_locs
        loc = locs.get((table, key))
        if loc is None:
            loc = self._place_row(table, key)
            if len(locs) >= ROW_LOCS_MAX:
                locs.clear()
            locs[(table, key)] = loc
        return loc

    def _place_row(self, table: str, key: str) -> tuple[int, int]:
        ts = self.db.cf["tables"].get(table)
        if ts is None:
            raise ora("ORA-00942")
        files = self.db.ts_files_cache.get(ts)
        if files is None:  # the file list of a tablespace is fixed while mounted
            files = [no for no, f in sorted(self.db.cf["files"].items()) if f["ts"] == ts]
            self.db.ts_files_cache[ts] = files
        nblocks = self._file_blocks(files[0])
        idx, block = F.placement(table, key, len(files), nblocks - 1)
        return files[idx], block

    def _file_blocks(self, file_no: int) -> int:
        return int(self.db.cf["files"][file_no]["blocks"])

    def _block(self, loc: tuple[int, int]) -> tuple[int, dict[tuple[str, str], Any]]:
        """(block SCN, rows) of a block as the instance sees it. The rows dict is shared
        with the memo: callers must copy it before changing it."""
        if loc not in self.db.cache:
            path = self.db.cf["files"][loc[0]]["name"]
            self.db.cache[loc] = self.db.files.read_block(path, loc[1])
        payload = self.db.cache[loc]
        hit = self.db.memo.blocks.get(loc)
        if hit is not None and hit[0] is payload:
            return hit[1], hit[2]
        bscn, rows = F.parse_data_block(payload)
        self.db.memo.blocks[loc] = (payload, bscn, rows, False)  # order as read: not trusted
        return bscn, rows

    # --- commits --------------------------------------------------------------------------

    def transact(self, transactions: list[tuple[Op, ...]]) -> list[Commit]:
        """Commit each transaction at the next SCN; one redo batch for the whole call."""
        self.db.lifecycle.require_state(OPEN)
        staged: Staged = {}
        records, commits = [], []
        scn, now = self.db.scn, self.db.world.now()
        for ops in transactions:
            scn += 1
            vectors = tuple([self._stage_op(op, staged, scn) for op in ops])
            records.append((scn, now, "tx", vectors))
            commits.append(Commit(scn, now, tuple(map(tuple, ops))))
        return self._commit_batch(staged, records, commits, scn) or []

    def _stage_op(self, op: Op, staged: Staged, scn: int) -> tuple[Any, ...]:
        """Apply one row operation to a private copy of its block; its change vector."""
        loc = self._locate_row(op[1], op[2])
        block = staged.get(loc) or self._stage_block(staged, loc)
        value = self._apply_op(op, block[1])
        block[0] = scn
        if op[0] == "insert":
            block[2] = False  # a new key goes last: no longer in key order
        return (loc[0], loc[1], op[1], op[2], value)

    def _stage_block(self, staged: Staged, loc: tuple[int, int]) -> list[Any]:
        """A private copy of a block's rows for this batch (a refused batch changes nothing).
        Updates and deletes keep a dict's key order, so a copy of rows the memo knows to be
        in key order stays so until an insert (then the payload is sorted again)."""
        self._block(loc)
        hit = self.db.memo.blocks[loc]
        block = staged[loc] = [0, dict(hit[2]), hit[3]]
        return block

    def _commit_batch(
        self, staged: Staged, records: list[F.Record], commits: list[Commit] | None, scn: int
    ) -> list[Commit] | None:
        """Redo first, then the changed blocks into the buffer cache, then DBWR. ``commits``
        is None when the caller keeps no Commit objects (then no history is kept either)."""
        if not records:
            return commits
        self.db.write_redo(tuple(records))
        memo, cache, dirty, magic = self.db.memo.blocks, self.db.cache, self.db.dirty, _BLK
        compiled = epoch_loop.COMPILED
        if compiled is not None:  # the same loop, compiled
            compiled.commit_blocks(staged, memo, cache, dirty, magic)
        else:
            for loc, (bscn, rows, ordered) in staged.items():
                if ordered:  # F.data_block without the sort: the rows are in key order
                    payload = cache[loc] = (magic, bscn, tuple(rows.items()))
                else:  # F.data_block, inline: once per changed block per epoch
                    items = sorted(rows.items())
                    payload = cache[loc] = (magic, bscn, tuple(items))
                    rows = dict(items)  # the memo's copy in key order, for the next batch
                memo[loc] = (payload, bscn, rows, True)
                dirty[loc] = bscn
        self.db.scn = scn
        if self.db.history is not None and commits is not None:
            self.db.history.commits.extend(commits)
        self.dbwr()
        return commits

    @staticmethod
    def _apply_op(op: Op, rows: dict[tuple[str, str], Any]) -> Any:
        key = (op[1], op[2])
        kind = op[0]
        if kind == "insert":
            if key in rows:
                raise ora("ORA-00001", f"{op[1]}_PK")
            rows[key] = op[3]
            return op[3]
        if kind == "update":
            if key in rows:
                rows[key] = op[3]
            return rows.get(key)
        if kind == "delete":
            rows.pop(key, None)
            return None
        raise ValueError(f"unknown row operation {kind!r}")

    # --- queries --------------------------------------------------------------------------

    def select(self, table: str) -> dict[str, Any]:
        """Every committed row of ``table`` (SELECT key, value FROM table)."""
        self.db.lifecycle.require_state(OPEN)
        ts = self.db.cf["tables"].get(table)
        if ts is None:
            raise ora("ORA-00942")
        out: dict[str, Any] = {}
        for no, f in sorted(self.db.cf["files"].items()):
            if f["ts"] != ts:
                continue
            for block in range(1, self._file_blocks(no)):
                _, rows = self._block((no, block))
                out.update({k: v for (t, k), v in rows.items() if t == table})
        return dict(sorted(out.items()))

    def data(self) -> dict[str, dict[str, Any]]:
        """All committed data, as :func:`~apprm_ref.sim.oracle.models.fold` shapes it; like
        any query it needs an open database (ORA-01034 / ORA-01219 otherwise)."""
        self.db.lifecycle.require_state(OPEN)
        out = {t: self.select(t) for t in sorted(self.db.cf["tables"])}
        return {t: rows for t, rows in out.items() if rows}

    # --- workload ---------------------------------------------------------------------------

    def workload(self, commits: int, *, ops_per_commit: int = 2, keys: int = 40) -> list[Commit]:
        """One epoch: ``commits`` random transactions (seeded stream), one redo batch.

        Each operation is drawn against the rows as the batch has left them so far (insert
        an absent key, else delete one time in five or update) and staged at once, which is
        what drawing them all first and then calling :meth:`transact` gives, in one pass.
        """
        return self._epoch(commits, ops_per_commit, keys, True) or []

    def apply_workload(self, commits: int, *, ops_per_commit: int = 2, keys: int = 40) -> int:
        """:meth:`workload` for callers that only count the commits (the bench, the drill):
        the same draws, redo and blocks, without building the Commit list when the commit
        history is off and nothing else would read it."""
        done = self._epoch(commits, ops_per_commit, keys, self.db.history is not None)
        return commits if done is None else len(done)

    def _epoch(
        self, commits: int, ops_per_commit: int, keys: int, keep: bool
    ) -> list[Commit] | None:
        """The epoch of :meth:`workload`; the Commit list only if ``keep`` (else None)."""
        self.db.lifecycle.require_state(OPEN)  # before touching the instance
        rng = self.db.world.streams.get(f"oracle.{self.db.name}.workload")
        tables = sorted(self.db.cf["tables"])
        if commits > 0 and ops_per_commit > 0 and (not tables or keys <= 0):
            rng.choice(tables)  # refused exactly as the draws below always were
            rng.randrange(keys)
        # choice(seq) and randrange(n) draw getrandbits(n.bit_length()) until below n
        # (Random._randbelow); drawn inline here, the same numbers without three calls each
        bits, random = rng.getrandbits, rng.random
        ntables, tbits, kbits = len(tables), len(tables).bit_length(), keys.bit_length()
        grid = self._row_grid(tables, keys)
        memo, cache = self.db.memo.blocks, self.db.cache
        staged: Staged = {}
        records: list[F.Record] = []
        done: list[Commit] | None = [] if keep else None
        ops: list[Op] = []
        scn, now = self.db.scn, self.db.world.now()
        compiled = epoch_loop.COMPILED
        if compiled is not None and not keep:  # the same loop, compiled (epoch_loop.py)
            scn = compiled.run(
                commits, ops_per_commit, ntables, keys, scn, now, records, bits, random,
                grid, memo, cache, staged, self._stage_block,
                lambda t, k: self._grid_cell(grid, tables, t, k), tbits, kbits, VALUE_BITS,
            )  # fmt: skip
            return self._commit_batch(staged, records, None, scn)
        for _ in range(commits):
            scn += 1
            vectors: list[tuple[Any, ...]] = []
            for _ in range(ops_per_commit):
                t = bits(tbits)
                while t >= ntables:
                    t = bits(tbits)
                k = bits(kbits)
                while k >= keys:
                    k = bits(kbits)
                cell = grid[t][k] or self._grid_cell(grid, tables, t, k)
                row, loc, file_no, block_no, table, key = cell
                block = staged.get(loc)
                if block is None:
                    hit, payload = memo.get(loc), cache.get(loc)
                    if hit is not None and payload is not None and hit[0] is payload:
                        block = staged[loc] = [0, dict(hit[2]), hit[3]]
                    else:
                        block = self._stage_block(staged, loc)
                block[0] = scn
                rows = block[1]
                # _draw_op inlined: insert an absent key, else delete one time in five,
                # else update (with a value drawn as randrange(VALUES))
                if row not in rows:
                    kind = "insert"
                    block[2] = False
                elif random() < 0.2:
                    del rows[row]
                    vectors.append((file_no, block_no, table, key, None))
                    if keep:
                        ops.append(("delete", table, key))
                    continue
                else:
                    kind = "update"
                v = bits(VALUE_BITS)
                while v >= VALUES:
                    v = bits(VALUE_BITS)
                value = rows[row] = f"v{v}"
                vectors.append((file_no, block_no, table, key, value))
                if keep:
                    ops.append((kind, table, key, value))
            records.append((scn, now, "tx", tuple(vectors)))
            if done is not None:
                done.append(Commit(scn, now, tuple(ops)))
                ops = []
        return self._commit_batch(staged, records, done, scn)

    def _row_grid(self, tables: list[str], keys: int) -> list[list[Any]]:
        """[table index][key index] -> placement cell (filled on first use), kept while
        mounted like the row placements it is derived from."""
        grids = self.db.memo.grids
        grid = grids.get((tuple(tables), keys))
        if grid is None:
            grid = grids[(tuple(tables), keys)] = [[None] * keys for _ in tables]
        return grid

    def _grid_cell(self, grid: list[list[Any]], tables: list[str], t: int, k: int) -> Any:
        table, key = tables[t], _key_names(len(grid[t]))[k]
        loc = self._locate_row(table, key)
        cell = grid[t][k] = ((table, key), loc, loc[0], loc[1], table, key)
        return cell

    def checkpoint(self) -> None:
        """Full checkpoint: DBWR writes every dirty block; headers (not in backup) advance.

        One pass in block order gives what ``write_data_blocks`` of the dirty blocks gives:
        the payloads grouped per file, in file order; and the highest block SCN per file."""
        per_file, written = self._per_file(sorted(self.db.dirty))
        files, host = self.db.cf["files"], self.db.host
        write = self.db.world.hosts.write_file  # Files.write_blocks, one call less per file
        for no, items in per_file.items():
            write(host, files[no]["name"], items)
        self.db.dirty = {}
        now = self.db.world.now()
        for no, entry in self.db.cf["files"].items():
            h = self.db.hdr[no]
            if h["backup"]:
                h["fuzzy_scn"] = max(h["fuzzy_scn"], written.get(no, 0))
            else:
                h.update(ckpt=self.db.scn, ckpt_time=now, fuzzy_scn=0)
            entry["ckpt"] = self.db.scn
            self.db.files.write_header(no)
        for g in self.db.cf["groups"].values():
            if g["status"] == "ACTIVE":
                g["status"] = "INACTIVE"
        self.db.cf.update(ckpt_scn=self.db.scn, ckpt_time=now)
        self.db.files.write_controlfile()

    def _per_file(
        self, blocks: list[tuple[int, int]]
    ) -> tuple[dict[int, dict[int, Any]], dict[int, int]]:
        """Dirty ``blocks`` (in block order) as ``write_data_blocks`` groups them: their
        cached payloads per file, in file order; and the highest block SCN per file."""
        cache, dirty = self.db.cache, self.db.dirty
        compiled = epoch_loop.COMPILED
        if compiled is not None:  # the same loop, compiled
            return compiled.per_file(blocks, dirty, cache)  # type: ignore[no-any-return]
        per_file: dict[int, dict[int, Any]] = {}
        top: dict[int, int] = {}
        for k in blocks:
            no, scn = k[0], dirty[k]
            items = per_file.get(no)
            if items is None:
                items = per_file[no] = {}
                top[no] = 0
            items[k[1]] = cache[k]
            if scn > top[no]:
                top[no] = scn
        return per_file, top

    def dbwr(self) -> None:
        """Lazy writer: some dirty blocks reach disk now, so datafiles are genuinely fuzzy.

        The draw per dirty block in block order, then the chosen payloads grouped per file
        with the highest block SCN per file (:meth:`_per_file`, what ``write_data_blocks``
        would write for the chosen blocks, without sorting them again); then the header of
        each file whose fuzzy SCN rises."""
        db = self.db
        rng = db.world.streams.get(f"oracle.{db.name}.dbwr")
        random, fraction, dirty = rng.random, db.dbwr_fraction, db.dirty
        compiled = epoch_loop.COMPILED
        if compiled is not None:  # the same draws, compiled
            chosen = compiled.choose(dirty, random, fraction)
        else:
            chosen = [k for k in sorted(dirty) if random() < fraction]
        if not chosen:
            return
        per_file, top = self._per_file(chosen)
        files, host = db.cf["files"], db.host
        write = db.world.hosts.write_file  # Files.write_blocks, one call less per file
        for no, items in per_file.items():
            write(host, files[no]["name"], items)
        dirty = db.dirty
        for k in chosen:
            del dirty[k]
        for no, scn in top.items():
            h = db.hdr[no]
            if scn > h["fuzzy_scn"]:
                h["fuzzy_scn"] = scn
                db.files.write_header(no)


_BLK = F.DATA_BLOCK
VALUES = 10**6  # workload values are v0 .. v999999
VALUE_BITS = VALUES.bit_length()


@functools.lru_cache(maxsize=8)
def _key_names(keys: int) -> tuple[str, ...]:
    """The workload's key names ``k0000``.. (formatted once, not per operation)."""
    return tuple(f"k{i:04d}" for i in range(max(keys, 0)))
