"""Transient memos of the instance: derived data kept only so hot paths do not recompute it.

Nothing here is durable or persisted, and nothing here is trusted blindly: every entry is
checked against what it was derived from (object identity or equality) before it is used,
so a memo can be dropped at any time (world load, crash) and only costs a recomputation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.oracle import formats as F

ROW_LOCS_MAX = 4096  # distinct (table, key) placements kept before the memo starts over
FROZEN_RECORDS_MAX = 4096  # frozen archived-log records kept before the memo starts over


@dataclass
class ArchIndex:
    """What the hot paths ask of the control file's archived-log records, kept in step with
    the record list: appends are indexed incrementally; a replaced list (mount, circular
    reuse) or a changed last record rebuilds it. Records are never edited in place except
    their DELETED flag, which the index does not use.

    Answers "highest archived sequence", "highest NEXT_CHANGE#" and "the records of one
    (sequence, incarnation)" without walking the whole history each time.
    """

    source: list[dict[str, Any]] | None = None
    count: int = 0
    last: dict[str, Any] | None = None
    max_seq: int = 0
    max_next: int = 0
    by_log: dict[tuple[int, int], list[dict[str, Any]]] = field(default_factory=dict)
    known: dict[int, dict[int, dict[str, Any]]] = field(default_factory=dict)  # rl_id -> seq
    max_next_of: dict[int, int] = field(default_factory=dict)  # rl_id -> highest next

    def sync(self, archives: list[dict[str, Any]]) -> ArchIndex:
        """Bring the index up to date with ``archives`` (the control file's list): index
        what was appended since, or start over if the list was replaced or rewritten."""
        n, done = len(archives), self.count
        if (
            archives is not self.source
            or n < done
            or (done and archives[done - 1] is not self.last)
        ):
            self._clear(archives)
            done = 0
        for rec in archives[done:]:
            self._add(rec)
        self.count, self.last = n, (archives[n - 1] if n else None)
        return self

    def _clear(self, archives: list[dict[str, Any]]) -> None:
        self.source, self.count, self.last = archives, 0, None
        self.max_seq = self.max_next = 0
        self.by_log, self.known, self.max_next_of = {}, {}, {}

    def _add(self, rec: dict[str, Any]) -> None:
        seq, rl_id, nxt = rec["seq"], rec["rl_id"], rec["next"]
        self.max_seq = max(self.max_seq, seq)
        self.by_log.setdefault((seq, rl_id), []).append(rec)
        self.known.setdefault(rl_id, {})[seq] = rec  # the last record of a sequence wins
        if nxt is not None:
            self.max_next = max(self.max_next, nxt)
            self.max_next_of[rl_id] = max(self.max_next_of.get(rl_id, nxt), nxt)


def _copy(value: Any) -> Any:
    """A deep copy of plain control-file data (dicts, lists, scalars), to compare with later."""
    t = type(value)
    if t is dict:
        return {k: v if type(v) in F.SCALARS else _copy(v) for k, v in value.items()}
    if t is list:
        return [v if type(v) in F.SCALARS else _copy(v) for v in value]
    return value


@dataclass
class FrozenCf:
    """Frozen forms of control-file sections, archived-log chunks and records, reused while
    the live value is still equal to the one they were frozen from (so payloads are
    identical to freezing from scratch)."""

    sections: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    chunks: dict[int, tuple[list[dict[str, Any]], tuple[Any, ...]]] = field(default_factory=dict)
    records: dict[int, tuple[dict[str, Any], dict[str, Any], Any]] = field(default_factory=dict)
    thawed: dict[int, tuple[Any, dict[str, Any]]] = field(default_factory=dict)

    def section(self, key: str, value: Any) -> Any:
        hit = self.sections.get(key)
        if hit is not None and hit[0] == value:
            return hit[1]
        frozen = F.freeze(value)
        self.sections[key] = (_copy(value), frozen)
        return frozen

    def chunk(self, index: int, recs: list[dict[str, Any]]) -> tuple[Any, ...]:
        """The frozen records of one archived-log chunk. Records are only ever appended to
        the last chunk, so a chunk whose known part is unchanged only freezes the new ones."""
        hit = self.chunks.get(index)
        if hit is not None:
            snaps, frozen = hit
            done = len(snaps)
            if done <= len(recs) and snaps == recs[:done]:
                if done == len(recs):
                    return frozen
                new = recs[done:]
                frozen += tuple([self.record(r) for r in new])
                self.chunks[index] = (snaps + [dict(r) for r in new], frozen)
                return frozen
        frozen = tuple([self.record(r) for r in recs])
        self.chunks[index] = ([dict(r) for r in recs], frozen)
        return frozen

    def record(self, rec: dict[str, Any]) -> Any:
        hit = self.records.get(id(rec))
        if hit is not None and hit[0] is rec and hit[1] == rec:
            return hit[2]
        if len(self.records) >= FROZEN_RECORDS_MAX:
            self.records, self.thawed = {}, {}
        frozen = F.freeze(rec)
        snapshot = F.thaw(frozen)  # equal to rec, in the key order a thaw gives
        self.records[id(rec)] = (rec, snapshot, frozen)
        self.thawed[id(frozen)] = (frozen, snapshot)
        return frozen

    def thaw_record(self, frozen: Any) -> dict[str, Any]:
        """A record read back from a control-file block: a fresh dict, thawed only if this
        instance did not freeze that very payload itself (mounting reads every record)."""
        hit = self.thawed.get(id(frozen))
        if hit is not None and hit[0] is frozen:
            return dict(hit[1])
        return F.thaw(frozen)  # type: ignore[no-any-return]


@dataclass
class Memo:
    """Every memo of one instance."""

    row_locs: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    blocks: dict[tuple[int, int], tuple[Any, int, dict[tuple[str, str], Any]]] = field(
        default_factory=dict
    )
    cf: FrozenCf = field(default_factory=FrozenCf)
    arch: ArchIndex = field(default_factory=ArchIndex)
