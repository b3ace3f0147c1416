"""Transient memos of the instance: derived data kept only so hot paths do not recompute it.

Nothing here is durable or persisted, and nothing here is trusted blindly: every entry is
checked against what it was derived from (object identity or equality) before it is used,
so a memo can be dropped at any time (world load, crash) and only costs a recomputation.
"""

from __future__ import annotations

import contextlib
import operator
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.oracle import epoch_loop
from apprm_ref.sim.oracle import formats as F

ROW_LOCS_MAX = 4096  # distinct (table, key) placements kept before the memo starts over
# frozen archived-log records kept before the memo starts over. The memo keeps the frozen
# form of every record it froze, also of those the control file has since reused: at 1.6x
# a full control file (960 records) it starts over every ~600 new or changed records, with
# the live records only, instead of holding up to 4x the live ones (4 databases x 365
# days: peak RSS 128 -> 110 MB).
FROZEN_RECORDS_MAX = 1536


class ArchIndex:
    """What the hot paths ask of the control file's archived-log records, kept in step with
    the record list: appends are indexed incrementally; a replaced list (mount, circular
    reuse) or a changed last record starts it over. Records are never edited in place
    except their DELETED flag, which the index does not use.

    Answers "highest archived sequence" and "highest NEXT_CHANGE#" at once, and (built on
    first use, for recovery) "the records of one (sequence, incarnation)" and "the last
    record of each sequence of an incarnation", without walking the history each time.
    """

    def __init__(self) -> None:
        self._clear(None)

    def sync(self, archives: list[dict[str, Any]]) -> ArchIndex:
        """Bring the index up to date with ``archives`` (the control file's list)."""
        n, done = len(archives), self.count
        if (
            archives is not self.source
            or n < done
            or (done and archives[done - 1] is not self.last)
        ):
            self._clear(archives)
            self.max_seq = max(map(_SEQ, archives), default=0)
            self.max_next = max([x for x in map(_NEXT, archives) if x is not None], default=0)
        else:
            for rec in archives[done:]:
                self._add(rec)
        self.count, self.last = n, (archives[n - 1] if n else None)
        return self

    @property
    def by_log(self) -> dict[tuple[int, int], list[dict[str, Any]]]:
        """(seq, rl_id) -> its records, in control-file order."""
        if self._by_log is None:
            self._build()
        return self._by_log  # type: ignore[return-value]

    @property
    def known(self) -> dict[int, dict[int, dict[str, Any]]]:
        """rl_id -> seq -> the last record of that sequence."""
        if self._known is None:
            self._build()
        return self._known  # type: ignore[return-value]

    def _clear(self, archives: list[dict[str, Any]] | None) -> None:
        self.source, self.count, self.last = archives, 0, None
        self.max_seq = self.max_next = 0
        self._by_log: dict[tuple[int, int], list[dict[str, Any]]] | None = None
        self._known: dict[int, dict[int, dict[str, Any]]] | None = None

    def _add(self, rec: dict[str, Any]) -> None:
        seq, nxt = rec["seq"], rec["next"]
        if seq > self.max_seq:
            self.max_seq = seq
        if nxt is not None and nxt > self.max_next:
            self.max_next = nxt
        if self._by_log is not None:
            self._file(rec)

    def _build(self) -> None:
        """Both tables in one pass (what :meth:`_file` does per record, inlined: recovery
        after every mount builds them over the whole history, up to ~1000 records)."""
        by_log: dict[tuple[int, int], list[dict[str, Any]]] = {}
        known: dict[int, dict[int, dict[str, Any]]] = {}
        for rec in (self.source or [])[: self.count]:
            seq, rl_id = rec["seq"], rec["rl_id"]
            recs = by_log.get((seq, rl_id))
            if recs is None:
                by_log[(seq, rl_id)] = [rec]
            else:
                recs.append(rec)
            last = known.get(rl_id)
            if last is None:
                known[rl_id] = {seq: rec}
            else:
                last[seq] = rec
        self._by_log, self._known = by_log, known

    def _file(self, rec: dict[str, Any]) -> None:
        seq, rl_id = rec["seq"], rec["rl_id"]
        self._by_log.setdefault((seq, rl_id), []).append(rec)  # type: ignore[union-attr]
        self._known.setdefault(rl_id, {})[seq] = rec  # type: ignore[union-attr]


_SEQ, _NEXT = operator.itemgetter("seq"), operator.itemgetter("next")
# what names an archived-log record in the record memo: the same after a mount (which reads
# fresh dicts back) and after circular reuse (which moves every record to another chunk)
_REC_KEY = operator.itemgetter("rl_id", "seq", "completion_time")
_ALL_SCALAR = F.SCALARS.issuperset
_ALL_DICT = frozenset({dict}).issuperset
_ALL_LIST = frozenset({list}).issuperset


def _copy(value: Any) -> Any:
    """A deep copy of plain control-file data (dicts, lists, scalars), to compare with later."""
    t = type(value)
    if t is dict:
        if _ALL_SCALAR(map(type, value.values())):
            return dict(value)
        return {k: v if type(v) in F.SCALARS else _copy(v) for k, v in value.items()}
    if t is list:
        if _ALL_SCALAR(map(type, value)):
            return list(value)
        return [v if type(v) in F.SCALARS else _copy(v) for v in value]
    return value


def _entry(value: dict[Any, Any]) -> tuple[dict[Any, Any], Any]:
    """(snapshot, frozen form) of one section entry in one call: what ``_copy`` and
    ``F.freeze`` give, with values that are lists or dicts of scalars (a log group's members)
    done in place; deeper values go through them."""
    snapshot: dict[Any, Any] = {}
    items = []
    for k, v in value.items():
        t = type(v)
        if t in F.SCALARS:
            snapshot[k] = v
        elif t is list and _ALL_SCALAR(map(type, v)):
            snapshot[k] = list(v)
            v = ("[]", tuple(v))
        elif t is dict and _ALL_SCALAR(map(type, v.values())):
            snapshot[k] = dict(v)
            v = ("{}", tuple(sorted(v.items())))
        else:
            snapshot[k] = _copy(v)
            v = F.freeze(v)
        items.append((k, v))
    items.sort()
    return snapshot, ("{}", tuple(items))


def _rows(value: list[list[Any]]) -> tuple[list[Any], Any]:
    """(snapshot, frozen form) of a list of lists (the incarnations, one more per RESETLOGS)
    in one call when every row holds scalars; what ``_copy`` and ``F.freeze`` give."""
    snapshot, frozen = [], []
    for row in value:
        if not _ALL_SCALAR(map(type, row)):
            return _copy(value), F.freeze(value)
        snapshot.append(list(row))
        frozen.append(("[]", tuple(row)))
    return snapshot, ("[]", tuple(frozen))


@dataclass
class FrozenCf:
    """Frozen forms of control-file sections, archived-log chunks and records, reused while
    the live value is still equal to the one they were frozen from (so payloads are
    identical to freezing from scratch).

    Equality, not a version bumped by the writers, is what says "unchanged": the control
    file is edited in place from every part of the engine, and one comparison in C costs
    less than a missed bump would (a stale block on disk)."""

    sections: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    entries: dict[str, dict[Any, tuple[Any, Any]]] = field(default_factory=dict)
    chunks: dict[int, tuple[list[dict[str, Any]], tuple[Any, ...]]] = field(default_factory=dict)
    # (rl_id, seq, completion_time) -> (snapshot, frozen form) of an archived-log record
    records: dict[Any, tuple[dict[str, Any], Any]] = field(default_factory=dict)
    thawed: dict[int, tuple[Any, dict[str, Any]]] = field(default_factory=dict)
    thawed_chunks: dict[int, tuple[Any, list[dict[str, Any]]]] = field(default_factory=dict)
    limit: int = FROZEN_RECORDS_MAX  # frozen records kept before the memo starts over
    # the compiled main block's last keys in dict order and the permutation sorting them
    order: list[Any] = field(default_factory=list)

    def section(self, key: str, value: Any) -> Any:
        """The frozen form of one control-file section. A dict of dicts (files, groups) is
        frozen entry by entry: an entry still equal to its snapshot keeps its frozen form
        (a log switch changes two groups, an archive one), and an entry of scalars (a
        datafile, what every checkpoint changes) costs no call. The same tuple as
        ``F.freeze(value)``."""
        hit = self.sections.get(key)
        if hit is not None and hit[0] == value:
            return hit[1]
        if type(value) is dict and value and _ALL_DICT(map(type, value.values())):
            entries = self.entries.setdefault(key, {})
            compiled = epoch_loop.COMPILED
            if compiled is not None:  # the same loop, compiled
                snapshot, frozen = compiled.section_entries(value, entries, _entry, "{}")
                self.sections[key] = (snapshot, frozen)
                return frozen
            snapshot: Any = {}
            items = []
            for k, v in value.items():
                entry = entries.get(k)
                if entry is None or entry[0] != v:
                    if _ALL_SCALAR(map(type, v.values())):  # _copy and F.freeze, inline
                        entry = (dict(v), ("{}", tuple(sorted(v.items()))))
                    else:
                        entry = _entry(v)
                    entries[k] = entry
                snapshot[k] = entry[0]  # snapshots are never changed: sections share them
                items.append((k, entry[1]))
            items.sort()
            frozen: Any = ("{}", tuple(items))
        elif type(value) is list and _ALL_LIST(map(type, value)):
            snapshot, frozen = _rows(value)
        else:
            snapshot, frozen = _copy(value), F.freeze(value)
        self.sections[key] = (snapshot, frozen)
        return frozen

    def chunk(self, index: int, recs: list[dict[str, Any]]) -> tuple[Any, ...]:
        """The frozen records of one archived-log chunk. Records are only ever appended to
        the last chunk, so a chunk whose known part is unchanged only freezes the new ones.
        The chunk compares against the records' own snapshots (one copy per record, shared
        by the chunks; snapshots are never changed nor handed out). A chunk that changed
        otherwise (a purge flags records, circular reuse moves them all, a mount brought
        them back as fresh dicts) is rebuilt from the record memo, where each record is
        found by its incarnation, sequence and completion time and used only if still
        equal to its snapshot: only a record that changed itself is frozen again."""
        hit = self.chunks.get(index)
        snaps: list[dict[str, Any]] = []
        frozen: list[Any] = []
        new = recs
        if hit is not None:
            done = len(hit[0])
            if done <= len(recs) and hit[0] == recs[:done]:
                if done == len(recs):
                    return hit[1]
                snaps, frozen, new = list(hit[0]), list(hit[1]), recs[done:]
        records, thawed = self.records, self.thawed
        for rec in new:  # what freezing each record gives, one record at a time, no call
            try:
                key: Any = _REC_KEY(rec)
                entry = records.get(key)
            except (KeyError, TypeError):  # not a record of the usual shape: not kept
                key = entry = None
            if entry is None or entry[0] != rec:
                if len(thawed) >= self.limit:
                    records, thawed = self._start_over()
                if type(rec) is dict and _ALL_SCALAR(map(type, rec.values())):
                    items = tuple(sorted(rec.items()))
                    entry = (dict(items), ("{}", items))  # dict(items): the thaw of items
                else:
                    value = F.freeze(rec)
                    entry = (F.thaw(value), value)
                if key is not None:
                    records[key] = entry
                thawed[id(entry[1])] = (entry[1], entry[0])
            snaps.append(entry[0])
            frozen.append(entry[1])
        out = tuple(frozen)
        self.chunks[index] = (snaps, out)
        return out

    def _start_over(self) -> tuple[dict[Any, Any], dict[int, Any]]:
        """The record memo, emptied of everything but the records of the chunks last
        encoded (the live ones, at most a control file's worth): a record the memo
        dropped would be frozen again when circular reuse moves every record."""
        records: dict[Any, tuple[dict[str, Any], Any]] = {}
        thawed: dict[int, tuple[Any, dict[str, Any]]] = {}
        for snaps, frozen in self.chunks.values():
            for snap, value in zip(snaps, frozen, strict=True):
                with contextlib.suppress(KeyError, TypeError):  # a record of another shape
                    records[_REC_KEY(snap)] = (snap, value)
                thawed[id(value)] = (value, snap)
        self.records, self.thawed = records, thawed
        self.limit = max(FROZEN_RECORDS_MAX, len(thawed) + FROZEN_RECORDS_MAX // 2)
        return records, thawed

    def thaw_chunk(self, index: int, frozen: Any) -> list[Any]:
        """The records of archived-log chunk ``index`` read back, as fresh dicts. The chunk
        this instance encoded last at that index is read back as copies of its snapshots
        (the thaw of its records); otherwise the thawed records of the payload last read at
        that index are kept, so mounting again copies each record instead of thawing it (a
        full control file holds ~1000 records)."""
        built = self.chunks.get(index)
        if built is not None and built[1] is frozen:
            copies = []
            for snap in built[0]:
                if not _ALL_SCALAR(map(type, snap.values())):
                    break  # a copy would share what the snapshot holds
                copies.append(dict(snap))
            else:
                return copies
        hit = self.thawed_chunks.get(index)
        if hit is not None and hit[0] is frozen:
            return list(map(dict, hit[1]))
        records = []  # fresh dicts (handed out), thawed only if not frozen here
        thawed = self.thawed
        for r in frozen:
            known = thawed.get(id(r))
            records.append(dict(known[1]) if known is not None and known[0] is r else F.thaw(r))
        if _ALL_DICT(map(type, records)):  # a damaged chunk is not kept
            self.thawed_chunks[index] = (frozen, list(map(dict, records)))
        return records


@dataclass
class Memo:
    """Every memo of one instance."""

    row_locs: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)
    # (tables, keys) -> [table index][key index] -> the workload's placement cell
    grids: dict[tuple[tuple[str, ...], int], list[list[Any]]] = field(default_factory=dict)
    # (file#, block) -> (payload, block SCN, rows, rows known to be in key order)
    blocks: dict[tuple[int, int], tuple[Any, int, dict[tuple[str, str], Any], bool]] = field(
        default_factory=dict
    )
    cf: FrozenCf = field(default_factory=FrozenCf)
    arch: ArchIndex = field(default_factory=ArchIndex)
