"""The floor of a simulated day: what the day would cost with nothing but its bookkeeping.

A day of the estate processes some SimPy events and writes some IDB rows in some sessions.
Its floor is the CPU time of the same counts with empty bodies: the day's events as bare
timeouts in a fresh environment, and the day's rows written with plain ``sqlite3`` into an
empty IDB (its own tables and indexes, its pragmas: WAL, synchronous NORMAL, foreign keys),
one transaction per session, each shaped as a session (its row, an object, messages).
The counts come from the run being measured (:class:`WriteCounter`, the event counter of
``bench.metrics``), so ``cost_over_floor`` = ``cpu_ms_per_day`` / ``floor_ms_per_day``
compares across machines and loads: both sides are measured in the same process, minutes
apart.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import simpy
from sqlalchemy import Engine, event

from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.sqlite_store import store_for

ROW_PAYLOAD = "x" * 64  # about one session message text
REPLAY_DAYS = 5  # days replayed per measurement (a single day is a few ms: too noisy)
REPEATS = 3  # best of


@dataclass(frozen=True)
class DayCounts:
    """What one average day of a run did: events processed, IDB rows written, sessions."""

    events: float
    rows: float
    sessions: float

    @classmethod
    def of_run(cls, days: int, events: int, rows: int, sessions: int) -> DayCounts:
        return cls(events / days, rows / days, sessions / days)


class WriteCounter:
    """Rows the IDB writes from now on: the fast path's connection (``total_changes``:
    rows inserted, updated or deleted, as SQLite counts them) plus the DML the ORM path
    runs on the engine's other connections (their cursors' ``rowcount``)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._db = store_for(engine).fresh()
        self._start = self._db.total_changes
        self._orm = 0
        event.listen(engine, "after_cursor_execute", self._on_execute)

    def _on_execute(self, conn: Any, cursor: Any, stmt: str, *_: Any) -> None:
        if stmt.lstrip()[:6].upper() in ("INSERT", "UPDATE", "DELETE"):
            self._orm += max(cursor.rowcount, 0)

    def rows(self) -> int:
        """Rows written since the counter was made."""
        return self._db.total_changes - self._start + self._orm

    def close(self) -> int:
        """Stop counting; the final count."""
        event.remove(self._engine, "after_cursor_execute", self._on_execute)
        return self.rows()


def _ticks(env: simpy.Environment, n: int) -> Generator[Any, Any, None]:
    for _ in range(n):
        yield env.timeout(1.0)


def replay_events(n: int) -> None:
    """``n`` SimPy events with empty bodies (the process's start counts as one)."""
    env = simpy.Environment()
    env.process(_ticks(env, max(n - 1, 0)))
    env.run()


SESSION_SQL = (
    "INSERT INTO sessions (id, day, number, type, spec, started, status, finished,"
    " pre_exec_failed, post_exec_failed, replica_id, backup_mode_seconds, metrics,"
    " restored_from) VALUES (?, ?, ?, 'Backup', 'floor', ?, 'Completed', ?, 0, 0, ?, 1.0,"
    " '{}', NULL)"
)
OBJECT_SQL = (
    "INSERT INTO backup_objects (session_id, seq, name, kind, status, detail)"
    " VALUES (?, 0, '/oradata', 'oracle', 'Completed', '')"
)
MESSAGE_SQL = (
    "INSERT INTO session_messages (session_id, seq, at, severity, origin, text, code, obj)"
    " VALUES (?, ?, ?, 1, 'BSM', ?, NULL, NULL)"
)


def replay_rows(db: sqlite3.Connection, rows: int, sessions: int, first: int) -> int:
    """``rows`` rows in ``sessions`` transactions (spread evenly), each shaped as a session
    of the IDB: its session row, one object row, the rest message rows (the bulk of a real
    session's rows), into the IDB's own tables and indexes. Returns the next session number."""
    k = first
    for s in range(sessions):
        share = rows * (s + 1) // sessions - rows * s // sessions
        sid = f"2008/03/03-{k}"
        db.execute("BEGIN IMMEDIATE")
        if share > 0:
            db.execute(SESSION_SQL, (sid, "2008/03/03", k, float(k), k + 60.0, f"floor#{k}"))
        if share > 1:
            db.execute(OBJECT_SQL, (sid,))
        for m in range(share - 2):
            db.execute(MESSAGE_SQL, (sid, m, float(k + m), ROW_PAYLOAD))
        db.commit()
        k += 1
    return k


def open_empty_idb(path: Path) -> sqlite3.Connection:
    """An empty IDB (its schema made by the IDB's engine), then opened with plain sqlite3
    and the IDB's pragmas."""
    make_engine(file_url(path)).dispose()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def floor_ms_per_day(day: DayCounts, *, replay_days: int = REPLAY_DAYS) -> float:
    """CPU milliseconds of one bare day of ``day``'s counts (best of :data:`REPEATS`
    replays of ``replay_days`` days each, divided by ``replay_days``)."""
    events = round(day.events * replay_days)
    rows = round(day.rows * replay_days)
    sessions = max(1, round(day.sessions * replay_days))
    best = float("inf")
    with tempfile.TemporaryDirectory(prefix="apprm-floor-") as tmp:
        for i in range(REPEATS):
            db = open_empty_idb(Path(tmp) / f"floor{i}.sqlite")
            try:
                c0 = time.process_time()
                replay_events(events)
                replay_rows(db, rows, sessions, 0)
                best = min(best, time.process_time() - c0)
            finally:
                db.close()
    return 1000.0 * best / replay_days


def floor_keys(days: int, events: int, rows: int, sessions: int, cpu_s: float) -> dict[str, Any]:
    """The floor keys of a run (``bench.estate`` adds them to its result)."""
    day = DayCounts.of_run(days, events, rows, sessions)
    floor = floor_ms_per_day(day)
    cpu_ms = 1000.0 * cpu_s / days
    return {
        "cpu_ms_per_day": round(cpu_ms, 3),
        "floor_ms_per_day": round(floor, 3),
        "cost_over_floor": round(cpu_ms / floor, 2) if floor > 0 else None,
        "floor_events_per_day": round(day.events, 1),
        "floor_rows_per_day": round(day.rows, 1),
        "floor_sessions_per_day": round(day.sessions, 2),
    }
