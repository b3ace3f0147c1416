"""Transactions and the workload: commits at consecutive SCNs, one redo batch per call.

A transaction is a tuple of row operations on the key/value tables of the data dictionary
(``insert``/``update``/``delete``). A call applies a whole batch: one SCN per commit, one redo
block, the changed blocks into the buffer cache, then DBWR writes part of them. A refused
batch changes nothing (every insert is checked first).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import OPEN, Commit

Op = tuple[Any, ...]


class TransactionsMixin:
    name: str
    world: Any
    cf: dict[str, Any]
    cache: dict[tuple[int, int], Any]
    dirty: dict[tuple[int, int], int]
    scn: int
    history: Any
    ts_files_cache: dict[str, list[int]]

    # --- row placement ------------------------------------------------------------------

    def _locate_row(self, table: str, key: str) -> tuple[int, int]:
        ts = self.cf["tables"].get(table)
        if ts is None:
            raise ora("ORA-00942")
        files = self.ts_files_cache.get(ts)
        if files is None:  # the file list of a tablespace is fixed while mounted
            files = [no for no, f in sorted(self.cf["files"].items()) if f["ts"] == ts]
            self.ts_files_cache[ts] = files
        nblocks = self._file_blocks(files[0])
        idx, block = F.placement(table, key, len(files), nblocks - 1)
        return files[idx], block

    def _file_blocks(self, file_no: int) -> int:
        return int(self.cf["files"][file_no]["blocks"])

    def _block(self, loc: tuple[int, int]) -> tuple[int, dict[tuple[str, str], Any]]:
        if loc not in self.cache:
            path = self.cf["files"][loc[0]]["name"]
            self.cache[loc] = self.read_block(path, loc[1])  # type: ignore[attr-defined]
        return F.parse_data_block(self.cache[loc])

    # --- commits --------------------------------------------------------------------------

    def transact(self, transactions: list[tuple[Op, ...]]) -> list[Commit]:
        """Commit each transaction at the next SCN; one redo batch for the whole call."""
        self.require_state(OPEN)  # type: ignore[attr-defined]
        staged: dict[tuple[int, int], tuple[int, dict[tuple[str, str], Any]]] = {}
        records, commits = [], []
        scn, now = self.scn, self.world.now()
        for ops in transactions:
            scn += 1
            vectors = []
            for op in ops:
                loc = self._locate_row(op[1], op[2])
                if loc not in staged:
                    bscn, rows = self._block(loc)
                    staged[loc] = (bscn, dict(rows))
                rows = staged[loc][1]
                value = self._apply_op(op, rows)
                staged[loc] = (scn, rows)
                vectors.append((loc[0], loc[1], op[1], op[2], value))
            records.append((scn, now, "tx", tuple(vectors)))
            commits.append(Commit(scn, now, tuple(tuple(o) for o in ops)))
        if not records:
            return []
        self.write_redo(tuple(records))  # type: ignore[attr-defined]
        for loc, (bscn, rows) in staged.items():
            self.cache[loc] = F.data_block(bscn, rows)
            self.dirty[loc] = bscn
        self.scn = scn
        if self.history is not None:
            self.history.commits.extend(commits)
        self.dbwr()  # type: ignore[attr-defined]
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
        self.require_state(OPEN)  # type: ignore[attr-defined]
        ts = self.cf["tables"].get(table)
        if ts is None:
            raise ora("ORA-00942")
        out: dict[str, Any] = {}
        for no, f in sorted(self.cf["files"].items()):
            if f["ts"] != ts:
                continue
            for block in range(1, self._file_blocks(no)):
                _, rows = self._block((no, block))
                out.update({k: v for (t, k), v in rows.items() if t == table})
        return dict(sorted(out.items()))

    def data(self) -> dict[str, dict[str, Any]]:
        """All committed data, as :func:`~apprm_ref.sim.oracle.models.fold` shapes it."""
        out = {t: self.select(t) for t in sorted(self.cf["tables"])}
        return {t: rows for t, rows in out.items() if rows}

    # --- workload ---------------------------------------------------------------------------

    def workload(self, commits: int, *, ops_per_commit: int = 2, keys: int = 40) -> list[Commit]:
        """One epoch: ``commits`` random transactions (seeded stream), one redo batch."""
        self.require_state(OPEN)  # type: ignore[attr-defined]  # before touching the instance
        rng = self.world.streams.get(f"oracle.{self.name}.workload")
        tables = sorted(self.cf["tables"])
        present: dict[tuple[str, str], bool] = {}
        txs = []
        for _ in range(commits):
            ops = []
            for _ in range(ops_per_commit):
                table, key = rng.choice(tables), f"k{rng.randrange(keys):04d}"
                if (table, key) not in present:
                    present[(table, key)] = self._row_exists(table, key)
                if not present[(table, key)]:
                    ops.append(("insert", table, key, f"v{rng.randrange(10**6)}"))
                    present[(table, key)] = True
                elif rng.random() < 0.2:
                    ops.append(("delete", table, key))
                    present[(table, key)] = False
                else:
                    ops.append(("update", table, key, f"v{rng.randrange(10**6)}"))
            txs.append(tuple(ops))
        return self.transact(txs)

    def _row_exists(self, table: str, key: str) -> bool:
        loc = self._locate_row(table, key)
        return (table, key) in self._block(loc)[1]
