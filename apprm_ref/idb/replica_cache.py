"""What the SQLite fast path remembers of the ZDB database between calls.

Entries hold a replica's rows exactly as the IDB stores them (so a write can be diffed
against them), the parts of its record that never change and the keys of its details.
Each read builds a new record: the immutable parts (volume refs, layouts, enums) are
shared and the JSON parts are copied (``plain_copy``), so a caller mutating what it got
cannot touch the cache. The owner (:class:`apprm_ref.idb.sqlite_store.SqliteStore`) clears
everything as soon as another connection may have written.
"""

from __future__ import annotations

import copy
import json
import os
from bisect import bisect_left, insort
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from pydantic import BaseModel

from apprm_ref.core.records import MountLayout, ReplicaRecord
from apprm_ref.idb.convert import to_layout
from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef

SortKey = tuple[str, int, str]  # (spec, sequence, id): the order list_replicas promises
ListKey = tuple[str | None, str | None, str | None]  # (spec, array, status) filters
Keys = tuple[str, ...]  # detail keys of a replicas_with_details query

M = TypeVar("M", bound=BaseModel)

MAX_ROWS = 4096  # past this many cached replicas, start over (memory stays bounded)
MAX_LIST = 512  # a longer query result is not kept (it is not on a session's path)


class Entry(NamedTuple):
    row: tuple[Any, ...]  # the replicas row, in statements.REPLICA_COLS order
    targets: tuple[tuple[Any, ...], ...]  # its replica_targets rows, TARGET_COLS order
    key: SortKey
    base: tuple[Any, ...]  # the scalar fields of the record, in constructor order
    layout: tuple[MountLayout, ...]
    refs: tuple[tuple[VolumeRef, VolumeRef, ReplicaType], ...]
    # (details, ((target details, identity), ...)) as parsed from the JSON columns: the
    # mutable parts, never handed out (every build copies them, see plain_copy)
    parts: tuple[dict[str, Any], tuple[tuple[dict[str, Any], dict[str, Any]], ...]]
    dkeys: frozenset[str]  # the keys of its details (replicas_with_details filters on them)

    def build(self) -> ReplicaRecord:
        details, tdetails = self.parts
        targets = [
            TargetVolume(s, t, k, plain_copy(d), plain_copy(i))
            for (s, t, k), (d, i) in zip(self.refs, tdetails, strict=True)
        ]
        rid, spec, session_id, array, created_at, rtype, tracked, status, seq, mu = self.base
        layout = list(self.layout)
        rest = (tracked, status, seq, mu, plain_copy(details))
        return ReplicaRecord(
            rid, spec, session_id, array, created_at, rtype, targets, layout, *rest
        )

    def filters(self) -> tuple[str, str, str]:
        return self.row[1], self.row[3], self.row[7]


def make_entry(row: tuple[Any, ...], targets: tuple[tuple[Any, ...], ...]) -> Entry:
    """An entry from rows as SQLite returns them (JSON as text), read the way the ORM path
    reads them (``convert.replica_from``), so both paths build equal records."""
    rid, spec, seq, lay, det = row[0], row[1], row[8], row[10], row[11]
    layout = tuple(to_layout(m) for m in (_json(lay) or []))
    details = dict(_json(det) or {})
    refs, tdetails = [], []
    for t in targets:
        refs.append((VolumeRef(t[2], t[3]), VolumeRef(t[4], t[5]), ReplicaType(t[6])))
        tdetails.append((dict(_json(t[7]) or {}), dict(_json(t[8]) or {})))
    key = (spec, seq, rid)
    parts = (details, tuple(tdetails))
    return Entry(row, targets, key, _base(row), layout, tuple(refs), parts, frozenset(details))


_PLAIN = frozenset({str, int, float, bool, type(None)})
_ALL_PLAIN = _PLAIN.issuperset  # _ALL_PLAIN(map(type, values)): every value a JSON scalar


def python_plain_copy(value: Any) -> Any:
    """A deep copy of what ``json.loads`` returns (dicts, lists, JSON scalars): new
    containers, the scalars shared (they are immutable), so a caller changing its copy
    cannot touch the cache. What a pickle round trip gave, without the pickle: JSON never
    aliases a container, so there is no sharing to keep. A frozen model is shared too (a
    spec's schedules); anything else is deep-copied. The reference for ``_copyc``."""
    t = type(value)
    if t is dict:
        if _ALL_PLAIN(map(type, value.values())):
            return dict(value)
        return {k: python_plain_copy(v) for k, v in value.items()}
    if t is list:
        if _ALL_PLAIN(map(type, value)):
            return list(value)
        return [python_plain_copy(v) for v in value]
    if t in _PLAIN:
        return value
    return other_copy(value)


def other_copy(value: Any) -> Any:
    """The copy of a value that is no JSON container or scalar: a frozen model is shared,
    anything else deep-copied."""
    if isinstance(value, BaseModel) and value.model_config.get("frozen"):
        return value
    return copy.deepcopy(value)


def _compiled_copy() -> Callable[[Any], Any]:
    """``_copyc.plain_copy`` (the loop over containers compiled, built by ``pip install``)
    unless it is missing or ``APPRM_PURE_PYTHON=1`` asks for the reference Python."""
    if os.environ.get("APPRM_PURE_PYTHON", "") not in ("", "0"):
        return python_plain_copy
    try:
        from apprm_ref.idb import _copyc  # type: ignore[attr-defined]
    except ImportError:
        return python_plain_copy
    _copyc.configure(other_copy)
    copy_: Callable[[Any], Any] = _copyc.plain_copy
    return copy_


plain_copy = _compiled_copy()


def copy_model(model: M) -> M:
    """A copy of a validated model that no caller can reach the cache through: pydantic's
    own shallow copy (its fields, the set of fields given, extras), then every field
    value copied by :func:`plain_copy`. Equal to the pickle round trip it replaces, the
    set of fields given included."""
    copied = model.__copy__()
    values = copied.__dict__
    for k, v in values.items():
        if type(v) not in _PLAIN:
            values[k] = plain_copy(v)
    return copied


def remake_entry(old: Entry, row: tuple[Any, ...], targets: tuple[tuple[Any, ...], ...]) -> Entry:
    """The entry of ``row``: when only its scalar columns differ from ``old``'s (the same
    layout and details text, the same target rows, as when a rotation changes a status),
    the parsed parts are ``old``'s, which are immutable or copied on every build."""
    if row[10:] != old.row[10:] or targets != old.targets:
        return make_entry(row, targets)
    return old._replace(row=row, key=(row[1], row[8], row[0]), base=_base(row))


def _base(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """The record's scalar fields, from its row, in constructor order."""
    rid, spec, session_id, array, created_at, rtype, tracked, status, seq, mu = row[:10]
    flag = None if tracked is None else bool(tracked)
    return (rid, spec, session_id, array, created_at, ReplicaType(rtype), flag, status, seq, mu)


# the scanner json.loads ends in (JSONDecoder sets it in __init__; typeshed omits it)
_SCAN: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]


def _json(text: str | None) -> Any:
    """``json.loads(text)`` (None for NULL): the scanner straight away for a text that is
    one JSON value and nothing else, as the IDB's columns are; json.loads itself for
    anything else (leading or trailing whitespace, extra data, an error to raise)."""
    if text is None:
        return None
    try:
        value, end = _SCAN(text, 0)
    except StopIteration:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)


def list_keys(spec: str, array: str, status: str) -> list[ListKey]:
    """Every (spec, array, status) filter a replica with these values matches."""
    s, a, t = spec, array, status
    return [
        (s, a, t),
        (s, a, None),
        (s, None, t),
        (s, None, None),
        (None, a, t),
        (None, a, None),
        (None, None, t),
        (None, None, None),
    ]


class ReplicaCache:
    """Replica entries by ID, the sorted keys of recent queries (by filters, and by spec
    and detail keys), next sequence by spec.

    Invariant: an ID in any cached query result has an entry, so a write that knows no
    entry for its replica knows that no cached result holds it."""

    def __init__(self) -> None:
        self.rows: dict[str, Entry] = {}
        self.lists: dict[ListKey, list[SortKey]] = {}
        self.noted: dict[str, dict[Keys, list[SortKey]]] = {}  # spec -> detail keys -> keys
        self.next_seq: dict[str, int] = {}

    def clear(self) -> None:
        self.rows.clear()
        self.lists.clear()
        self.noted.clear()
        self.next_seq.clear()

    def records(self, key: ListKey) -> list[ReplicaRecord] | None:
        keys = self.lists.get(key)
        if keys is None:
            return None
        rows = self.rows
        return [rows[k[2]].build() for k in keys]

    def entries(self, key: ListKey) -> list[Entry] | None:
        keys = self.lists.get(key)
        if keys is None:
            return None
        rows = self.rows
        return [rows[k[2]] for k in keys]

    def noted_entries(self, spec: str, keys: Keys) -> list[Entry] | None:
        got = self.noted.get(spec, {}).get(keys)
        if got is None:
            return None
        rows = self.rows
        return [rows[k[2]] for k in got]

    def remember_noted(self, spec: str, keys: Keys, entries: list[Entry]) -> None:
        """The answer of ``replicas_with_details(spec, keys)``: exactly these entries."""
        self.remember(None, entries)
        if len(entries) <= MAX_LIST:
            self.noted.setdefault(spec, {})[keys] = [e.key for e in entries]

    def remember(self, key: ListKey | None, entries: list[Entry]) -> None:
        """Entries read from the IDB; ``key`` the query they answer (None: not a list)."""
        if len(self.rows) + len(entries) > MAX_ROWS:
            self.clear()
        for e in entries:
            self.rows[e.key[2]] = e
        if key is not None and len(entries) <= MAX_LIST:
            self.lists[key] = [e.key for e in entries]

    def replace(self, old: Entry | None, new: Entry) -> None:
        """``new`` was committed over ``old`` (None: a new replica)."""
        if old is not None:
            for k in list_keys(*old.filters()):
                keys = self.lists.get(k)
                if keys is not None:
                    i = bisect_left(keys, old.key)
                    if i < len(keys) and keys[i] == old.key:
                        del keys[i]
                    else:  # cannot happen while the invariant holds; stay correct anyway
                        del self.lists[k]
            self._unnote(old)
        if len(self.rows) >= MAX_ROWS:
            self.clear()
        for k in list_keys(*new.filters()):
            keys = self.lists.get(k)
            if keys is not None:
                insort(keys, new.key)
        for wanted, keys in self.noted.get(new.key[0], {}).items():
            if not new.dkeys.isdisjoint(wanted):
                insort(keys, new.key)
        self.rows[new.key[2]] = new

    def _unnote(self, old: Entry) -> None:
        by_keys = self.noted.get(old.key[0])
        if not by_keys:
            return
        for wanted, keys in list(by_keys.items()):
            i = bisect_left(keys, old.key)
            if i < len(keys) and keys[i] == old.key:
                del keys[i]
            elif not old.dkeys.isdisjoint(wanted):  # cannot happen; stay correct anyway
                del by_keys[wanted]

    def forget(self, replica_id: str) -> None:
        """Drop what is known of one replica (a write whose outcome is not mirrored)."""
        e = self.rows.pop(replica_id, None)
        if e is not None:
            for k in list_keys(*e.filters()):
                self.lists.pop(k, None)
            self.noted.pop(e.key[0], None)
