"""Rows as the IDB stores them, built from domain values, for the SQLite fast path.

Each function builds exactly what the ORM path's ``convert`` module writes, so a row the
fast path wrote reads back the same through either path and can be diffed against the
next write of the same record.
"""

from __future__ import annotations

import json
import math
import sqlite3
from collections.abc import Sequence
from typing import Any

from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.session import Session
from apprm_ref.errors import IdbError
from apprm_ref.idb import statements as q
from apprm_ref.idb.convert import layout_plain, split_session_id
from apprm_ref.idb.replica_cache import Entry, make_entry, remake_entry
from apprm_ref.types import ReplicaType

_C_ENCODER = getattr(json.encoder, "c_make_encoder", None)
_DEFAULT = json.JSONEncoder()


def _encoder() -> Any:
    """The C encoder ``json.dumps(value)`` builds on every call with its default settings
    (circular check, ASCII, no indent, ``", "`` and ``": "``), built once instead. Its
    markers dict is empty again after every value it encodes; after a failure it may
    still hold the ids of the containers it was inside, so a failure builds it again."""
    return _C_ENCODER(  # type: ignore[misc]
        {}, _DEFAULT.default, json.encoder.encode_basestring_ascii, None,
        _DEFAULT.key_separator, _DEFAULT.item_separator, False, False, True,
    )  # fmt: skip


_ENCODE = [_encoder()] if _C_ENCODER is not None else None


def dumps(value: Any) -> str:
    """A JSON column's text, exactly ``json.dumps(value)``; a value JSON cannot hold fails
    as the ORM's flush did."""
    encode = _ENCODE
    try:
        if encode is None or type(value) is str:
            return json.dumps(value)
        return "".join(encode[0](value, 0))
    except (TypeError, ValueError) as exc:
        if encode is not None:
            encode[0] = _encoder()
        raise IdbError(f"IDB operation failed: StatementError: {exc}") from None


def _flag(v: Any) -> int | None:
    return None if v is None else int(bool(v))


def _type_value(t: Any) -> str:
    return t.value if type(t) is ReplicaType else ReplicaType(t).value  # type: ignore[no-any-return]


def session_rows(s: Session) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[Any]]:
    """The session's row, message rows and object rows (``convert.fill_session_scalars``)."""
    day, number = split_session_id(s.id)
    sid = s.id
    row = (
        sid,
        day,
        number,
        s.type.value,
        s.spec,
        float(s.started),
        s.status.value,
        s.finished,
        _flag(s.pre_exec_failed),
        _flag(s.post_exec_failed),
        s.replica_id,
        float(s.backup_mode_seconds),
        dumps({k: s.metrics[k] for k in sorted(s.metrics)}),
        s.restored_from,
    )
    msgs = [
        (sid, i, float(m.at), int(m.severity), m.origin, m.text, m.code, m.obj)
        for i, m in enumerate(s.messages)
    ]
    objs = [(sid, i, o.name, o.kind, o.status, o.detail) for i, o in enumerate(s.objects)]
    return row, msgs, objs


def replica_rows(rec: ReplicaRecord) -> tuple[tuple[Any, ...], tuple[tuple[Any, ...], ...]]:
    """The replica's row and target rows (``convert.fill_replica_scalars``, ``target_params``)."""
    row = (
        rec.id,
        rec.spec,
        rec.session_id,
        rec.array,
        float(rec.created_at),
        _type_value(rec.replica_type),
        _flag(rec.tracked),
        rec.status,
        rec.sequence,
        rec.mu,
        dumps([layout_plain(m) for m in rec.layout]),
        dumps(dict(rec.details)),
    )
    targets = tuple(
        (
            rec.id,
            i,
            t.source.array,
            t.source.volume,
            t.target.array,
            t.target.volume,
            t.replica_type.value,
            dumps({k: t.details[k] for k in sorted(t.details)}),
            dumps({k: t.identity[k] for k in sorted(t.identity)}),
        )
        for i, t in enumerate(rec.targets)
    )
    return row, targets


def mirror(
    cache: Any, old: Any, row: tuple[Any, ...], targets: tuple[tuple[Any, ...], ...]
) -> bool:
    """Put a committed replica row in the cache (in place of ``old``); a row the cache
    cannot hold faithfully empties it instead. True if the row is now cached."""
    if not _mirrorable(row, targets):
        cache.clear()
        return False
    cache.replace(old, make_entry(row, targets) if old is None else remake_entry(old, row, targets))
    return True


def _mirrorable(row: tuple[Any, ...], targets: tuple[tuple[Any, ...], ...]) -> bool:
    """True when SQLite returns exactly these values (plain str and int, a non-NaN float),
    so the cache may hold them without reading them back."""
    # list comprehensions, not generators: one call each, not one per value
    if not all([type(row[i]) is str for i in (0, 1, 2, 3, 7)]):
        return False
    if math.isnan(row[4]) or type(row[8]) is not int or not (row[9] is None or type(row[9]) is int):
        return False
    return all([type(v) is str for t in targets for v in t[2:6]])


def sync_children(
    db: sqlite3.Connection,
    kind: str,
    parent: str,
    old: Sequence[tuple[Any, ...]],
    new: Sequence[tuple[Any, ...]],
) -> None:
    """Turn the stored child rows ``old`` (rows are (parent, seq, ...)) into ``new``: update
    only the columns that differ, cut the surplus, insert the rest. A changed column that
    no index holds rewrites one page instead of every index of the table."""
    insert, cut = _CHILD_SQL[kind]
    n = min(len(old), len(new))
    for i in range(n):
        o, r = old[i], new[i]
        if o != r:
            idx = tuple(j for j in range(2, len(r)) if r[j] != o[j])
            db.execute(q.child_update(kind, idx), (*(r[j] for j in idx), parent, i))
    if len(old) > n:
        db.execute(cut, (parent, n))
    if len(new) > n:
        db.executemany(insert, new[n:])


_CHILD_SQL = {
    "messages": (q.MESSAGE_INSERT, q.MESSAGE_CUT),
    "objects": (q.OBJECT_INSERT, q.OBJECT_CUT),
    "targets": (q.TARGET_INSERT, q.TARGET_CUT),
}


def entries_of(rows: list[Any], trows: list[Any]) -> list[Entry]:
    by_id: dict[str, list[tuple[Any, ...]]] = {}
    for t in trows:
        by_id.setdefault(t[0], []).append(t)
    return [make_entry(tuple(r), tuple(by_id.get(r[0], ()))) for r in rows]
