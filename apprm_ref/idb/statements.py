"""SQL text for the SQLite fast path, generated once from the ORM's ``Table`` objects.

The fast path binds positional tuples, so each column list below is checked against the
table at import: a column added to ``models`` without updating this module fails loudly
instead of binding values to the wrong columns.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Table
from sqlalchemy.dialects import sqlite

from apprm_ref.idb.models import (
    AppConfigRow,
    BackupObjectRow,
    MessageRow,
    ReplicaRow,
    ReplicaSetRow,
    SessionRow,
    SpecRow,
    TargetRow,
)

_quote = sqlite.dialect().identifier_preparer.quote


def _table(row: type) -> Table:
    t = row.__table__  # type: ignore[attr-defined]
    assert isinstance(t, Table)
    return t


def _columns(table: Table, expected: tuple[str, ...], *, skip: tuple[str, ...] = ()) -> str:
    """``expected`` quoted and joined, after checking it is exactly the table's columns."""
    actual = tuple(c.name for c in table.columns if c.name not in skip)
    if actual != expected:
        raise RuntimeError(f"IDB fast path out of date for {table.name}: {actual} != {expected}")
    return ", ".join(_quote(c) for c in expected)


def _insert(table: Table, cols: tuple[str, ...], *, skip: tuple[str, ...] = ()) -> str:
    names = _columns(table, cols, skip=skip)
    return f"INSERT INTO {_quote(table.name)} ({names}) VALUES ({', '.join('?' * len(cols))})"


def _upsert(table: Table, cols: tuple[str, ...], key: tuple[str, ...]) -> str:
    sets = ", ".join(f"{_quote(c)} = excluded.{_quote(c)}" for c in cols if c not in key)
    conflict = ", ".join(_quote(c) for c in key)
    return f"{_insert(table, cols)} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"


SESSIONS, MESSAGES, OBJECTS = _table(SessionRow), _table(MessageRow), _table(BackupObjectRow)
SPECS, RSETS, REPLICAS = _table(SpecRow), _table(ReplicaSetRow), _table(ReplicaRow)
TARGETS, CONFIGS = _table(TargetRow), _table(AppConfigRow)

SESSION_COLS = (
    "id",
    "day",
    "number",
    "type",
    "spec",
    "started",
    "status",
    "finished",
    "pre_exec_failed",
    "post_exec_failed",
    "replica_id",
    "backup_mode_seconds",
    "metrics",
    "restored_from",
)
MESSAGE_COLS = ("session_id", "seq", "at", "severity", "origin", "text", "code", "obj")
OBJECT_COLS = ("session_id", "seq", "name", "kind", "status", "detail")
REPLICA_COLS = (
    "id",
    "spec",
    "session_id",
    "array",
    "created_at",
    "replica_type",
    "tracked",
    "status",
    "sequence",
    "mu",
    "layout",
    "details",
)
TARGET_COLS = (
    "replica_id",
    "seq",
    "source_array",
    "source_volume",
    "target_array",
    "target_volume",
    "replica_type",
    "details",
    "identity",
)

DATA_VERSION = "PRAGMA data_version"

SESSION_UPSERT = _upsert(SESSIONS, SESSION_COLS, ("id",))
SESSION_INSERT = _insert(SESSIONS, SESSION_COLS)
LAST_NUMBER = f"SELECT max(number) FROM {_quote(SESSIONS.name)} WHERE day = ?"
MESSAGE_INSERT = _insert(MESSAGES, MESSAGE_COLS, skip=("id",))
MESSAGE_CUT = f"DELETE FROM {_quote(MESSAGES.name)} WHERE session_id = ? AND seq >= ?"
OBJECT_INSERT = _insert(OBJECTS, OBJECT_COLS, skip=("id",))
OBJECT_CUT = f"DELETE FROM {_quote(OBJECTS.name)} WHERE session_id = ? AND seq >= ?"

SPEC_UPSERT = _upsert(SPECS, ("name", "type", "array", "application_system", "body"), ("name",))
SPEC_BODY = f"SELECT body FROM {_quote(SPECS.name)} WHERE name = ?"
SPEC_DELETE = f"DELETE FROM {_quote(SPECS.name)} WHERE name = ?"

CONFIG_UPSERT = _upsert(CONFIGS, ("kind", "name", "host", "data"), ("kind", "name"))
CONFIG_GET = (
    f"SELECT kind, name, host, data FROM {_quote(CONFIGS.name)} WHERE kind = ? AND name = ?"
)
CONFIG_DELETE = f"DELETE FROM {_quote(CONFIGS.name)} WHERE kind = ? AND name = ?"

_columns(RSETS, ("spec", "last_sequence"))
# a new set starts at max(0, n); an existing one keeps the higher sequence (never reused)
RSET_BUMP = (
    f"INSERT INTO {_quote(RSETS.name)} (spec, last_sequence) VALUES (?1, max(0, ?2)) "
    f"ON CONFLICT (spec) DO UPDATE SET "
    f"last_sequence = max(coalesce({_quote(RSETS.name)}.last_sequence, 0), ?2)"
)
NEXT_SEQUENCE = (
    f"SELECT (SELECT last_sequence FROM {_quote(RSETS.name)} WHERE spec = ?1), "
    f"(SELECT max(sequence) FROM {_quote(REPLICAS.name)} WHERE spec = ?1)"
)
REPLICA_INSERT = _insert(REPLICAS, REPLICA_COLS)
TARGET_INSERT = _insert(TARGETS, TARGET_COLS, skip=("id",))
TARGET_CUT = f"DELETE FROM {_quote(TARGETS.name)} WHERE replica_id = ? AND seq >= ?"


@lru_cache(maxsize=64)
def session_update(cols: tuple[str, ...]) -> str:
    """``UPDATE`` of only ``cols``: an index whose columns are untouched is not rewritten."""
    sets = ", ".join(f"{_quote(c)} = ?" for c in cols)
    return f"UPDATE {_quote(SESSIONS.name)} SET {sets} WHERE id = ?"


@lru_cache(maxsize=64)
def replica_update(cols: tuple[str, ...]) -> str:
    sets = ", ".join(f"{_quote(c)} = ?" for c in cols)
    return f"UPDATE {_quote(REPLICAS.name)} SET {sets} WHERE id = ?"


_CHILDREN = {
    "messages": (MESSAGES, MESSAGE_COLS),
    "objects": (OBJECTS, OBJECT_COLS),
    "targets": (TARGETS, TARGET_COLS),
}


@lru_cache(maxsize=64)
def child_update(kind: str, idx: tuple[int, ...]) -> str:
    """``UPDATE`` of columns ``idx`` of one child row, found by (parent, seq)."""
    table, cols = _CHILDREN[kind]
    sets = ", ".join(f"{_quote(cols[i])} = ?" for i in idx)
    return f"UPDATE {_quote(table.name)} SET {sets} WHERE {_quote(cols[0])} = ? AND seq = ?"


@lru_cache(maxsize=16)
def replica_select(where: tuple[str, ...], order: tuple[str, ...]) -> tuple[str, str]:
    """Replica rows matching ``col = ?`` for each of ``where``, and their target rows."""
    cond = " AND ".join(f"{_quote(c)} = ?" for c in where) or "1"
    return _replicas_where(cond, order)


def _replicas_where(cond: str, order: tuple[str, ...]) -> tuple[str, str]:
    """Replica rows matching the SQL condition ``cond`` in ``order``, and their targets."""
    rt, tt = _quote(REPLICAS.name), _quote(TARGETS.name)
    rows = (
        f"SELECT {', '.join(_quote(c) for c in REPLICA_COLS)} FROM {rt} WHERE {cond} "
        f"ORDER BY {', '.join(_quote(c) for c in order)}"
    )
    targets = (
        f"SELECT {', '.join(_quote(c) for c in TARGET_COLS)} FROM {tt} "
        f"WHERE replica_id IN (SELECT id FROM {rt} WHERE {cond}) ORDER BY replica_id, seq"
    )
    return rows, targets


@lru_cache(maxsize=8)
def replica_select_noted(n_keys: int) -> tuple[str, str]:
    """Replica rows of one spec (``?1``) whose details text holds any of ``n_keys`` needles
    (``?2``...), ordered like ``list_replicas``, and their target rows. A prefilter: the
    caller checks each row's parsed details (a needle may also match a value)."""
    found = " OR ".join(f"instr(details, ?{i + 2}) > 0" for i in range(n_keys)) or "0"
    return _replicas_where(f"spec = ?1 AND ({found})", ("spec", "sequence", "id"))
