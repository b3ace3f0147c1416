"""The lab store: the world and the IDB in one database, changed by one transaction.

Why this design: a lab command changes two things, the simulated arrays (the world) and
the IDB that describes them. Kept apart (``world.json`` saved at the end, the IDB committed
call by call) a kill between the two left replicas describing a world never saved. Here
the world's serialized state is a row of the IDB's own database (``lab_world``: one row,
a generation number and the body), and a writer command runs in ONE transaction: the
repository holds it (:meth:`apprm_ref.idb.repository.SqlRepository.hold`: every per-call
commit becomes a savepoint release), the world row is written last, and one COMMIT makes
both durable or neither. It needs nothing but the database's own atomicity, so it holds
for SQLite and for any SQLAlchemy URL (``APPRM_IDB_URL``).

Around the transaction: the writer lock (:mod:`apprm_ref.lab.lock`, OPS-I1), the command
journal (:mod:`apprm_ref.lab.journal`) written before the work starts, and crash
reconciliation (:mod:`apprm_ref.lab.reconcile`, REL-I2) by the next lock holder. A
reader takes no lock: it reads world and IDB in one read transaction (one snapshot) with
writes refused. An old lab's ``world.json`` is moved into the database on first open.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from apprm_ref import crashpoint
from apprm_ref.errors import ConfigError, IdbError
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.lab.atomic import remove_durably
from apprm_ref.lab.journal import Journal, JournalSession
from apprm_ref.lab.lock import DEFAULT_WAIT, WriterLock, command_line
from apprm_ref.lab.reconcile import reconcile

WORLD_FILE = "world.json"  # a lab from before the store; moved into the database on open

metadata = MetaData()
WORLD_ROW = Table(
    "lab_world",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("body", LargeBinary, nullable=False),
)
SESSION_IDS = Table("lab_session_ids", metadata, Column("id", String(64), primary_key=True))


class LabRepository(SqlRepository):
    """The IDB of one lab command: inside its transaction, and every new session ID is
    journaled, then reserved in that transaction (a duplicate key refuses a second
    session with the same ID, whatever else runs on the same database)."""

    def __init__(self, engine: Engine, conn: Connection, journal: Journal | None) -> None:
        super().__init__(engine)
        self.hold(conn)
        self._conn = conn
        self._journal = journal
        self._reserved: set[str] = set()

    def reserve_session_id(self, sid: str, *, known: bool = False) -> None:
        if sid in self._reserved:
            return
        try:
            with self._conn.begin_nested():
                self._conn.execute(insert(SESSION_IDS).values(id=sid))
        except IntegrityError:
            if not known:
                raise IdbError(f"session ID {sid} is already taken") from None
        except SQLAlchemyError as exc:
            raise IdbError(f"IDB operation failed: {exc.__class__.__name__}: {exc}") from None
        self._reserved.add(sid)

    def close_held(self) -> None:
        """Forget the held connection (its transaction ended); later calls fail."""
        if self._fast_ops is not None:
            self._fast_ops.st.close()

    def save_session(self, session: Any) -> None:
        if session.id not in self._reserved:
            if self._journal is not None:
                entry = JournalSession(
                    session.id, session.type.value, session.spec, session.started
                )
                self._journal.add_session(entry)
            self.reserve_session_id(session.id)
        super().save_session(session)


@dataclass
class LabStore:
    """One command's view of a lab: ``open()``, use ``repo`` and ``world_body``,
    then ``commit(body)`` (writers) and ``close()`` (always)."""

    home: Path
    url: str
    write: bool
    wait: float = DEFAULT_WAIT
    reconciled: list[str] = field(default_factory=list)
    engine: Engine | None = field(default=None, init=False)
    repo: LabRepository | None = field(default=None, init=False)
    world_body: bytes | None = field(default=None, init=False)
    generation: int = field(default=0, init=False)
    _conn: Connection | None = field(default=None, init=False)
    _lock: WriterLock | None = field(default=None, init=False)
    _journal: Journal | None = field(default=None, init=False)

    # --- opening ---------------------------------------------------------------------

    def open(self) -> LabStore:
        try:
            if self.write:
                self._lock = WriterLock(self.home, self.wait)
                self._lock.acquire()
            self.engine = make_engine(self.url)
            _create_tables(self.engine)
            if self.write or self._reader_may_repair():
                self._repair()
            self._begin()
        except BaseException:
            self.close()
            raise
        return self

    def _reader_may_repair(self) -> bool:
        """A reader repairs a crashed lab only if no writer holds it (then it is one)."""
        if Journal(self.home).pending() is None:
            return False
        lock = WriterLock(self.home, 0)
        if not lock.try_acquire():
            return False
        self._lock = lock
        return True

    def _repair(self) -> None:
        """Migrate ``world.json`` and reconcile a dead command, each in its own commit."""
        legacy = self.home / WORLD_FILE
        if self.write and legacy.exists():
            body = legacy.read_bytes()
            _check_world_json(body, legacy)
            with self._tx() as conn:
                _put_world(conn, body, _generation(conn) + 1)
            remove_durably(legacy)
        journal = Journal(self.home)
        record = journal.pending()
        if record is not None:
            with self._tx() as conn:
                repo = LabRepository(self._engine(), conn, None)
                self.reconciled = reconcile(repo, record, _generation(conn))
                repo.close_held()
            journal.clear()
        if not self.write and self._lock is not None:
            self._lock.release()
            self._lock = None

    def _begin(self) -> None:
        conn = self._connect()
        self._conn = conn
        self.generation = _generation(conn)
        self.world_body = _world(conn)
        if self.write:
            self._journal = Journal(self.home)
            self._journal.start(command_line(), self.generation)
        self.repo = LabRepository(self._engine(), conn, self._journal)

    # --- the transaction -------------------------------------------------------------

    def _engine(self) -> Engine:
        if self.engine is None:
            raise IdbError("the lab store is closed")
        return self.engine

    def _connect(self) -> Connection:
        """A connection in its transaction: the writer's (SQLite: the write lock taken
        now, ``BEGIN IMMEDIATE``) or a reader's one snapshot with writes refused."""
        engine = self._engine()
        sqlite = engine.dialect.name == "sqlite"
        try:
            conn = engine.connect()
            if not self.write and not sqlite:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            conn.begin()
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if self.write else "BEGIN")
                if not self.write:
                    conn.exec_driver_sql("PRAGMA query_only=ON")
            elif engine.dialect.name == "postgresql":
                _pg_begin(conn, self.write)
        except SQLAlchemyError as exc:
            raise IdbError(f"cannot open the lab's IDB: {exc.__class__.__name__}: {exc}") from None
        return conn

    def _tx(self) -> _Tx:
        return _Tx(self)

    def commit(self, body: bytes) -> None:
        """Store the world as the next generation and commit world and IDB together."""
        conn = self._conn
        if not self.write or conn is None:
            raise IdbError("this lab command is read-only")
        try:
            crashpoint.hit("world")
            _put_world(conn, body, self.generation + 1)
            conn.commit()
        except SQLAlchemyError as exc:
            raise IdbError(f"cannot commit the lab: {exc.__class__.__name__}: {exc}") from None
        crashpoint.hit("idb")
        self.generation += 1
        self.world_body = body
        self._end_conn()
        if self._journal is not None:
            self._journal.clear()
            self._journal = None

    def close(self) -> None:
        """Roll back whatever was not committed, end the journal, release the lock."""
        self._end_conn()
        if self._journal is not None:  # alive and ending: nothing of it is left to repair
            self._journal.clear()
            self._journal = None
        if self.engine is not None:
            self.engine.dispose()
            self.engine = None
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def _end_conn(self) -> None:
        conn, self._conn = self._conn, None
        if self.repo is not None:
            self.repo.close_held()
        if conn is not None:
            try:
                if not self.write and conn.engine.dialect.name == "sqlite":
                    conn.rollback()
                    conn.exec_driver_sql("PRAGMA query_only=OFF")
                conn.close()
            except SQLAlchemyError:
                pass


class _Tx:
    """A short writer transaction of the store's own (migration, reconciliation)."""

    def __init__(self, store: LabStore) -> None:
        self.store = store
        self.conn: Connection | None = None

    def __enter__(self) -> Connection:
        write, self.store.write = self.store.write, True
        try:
            self.conn = self.store._connect()
        finally:
            self.store.write = write
        return self.conn

    def __exit__(self, exc_type: Any, *_: Any) -> None:
        conn = self.conn
        if conn is None:
            return
        try:
            if exc_type is None:
                conn.commit()
        finally:
            conn.close()


WRITER_KEY = 0x61707072  # "appr": the advisory lock every writer of a lab database takes


def _pg_begin(conn: Connection, write: bool) -> None:
    """PostgreSQL's ``BEGIN IMMEDIATE``: a writer takes a transaction-level advisory lock
    before its first read, so writers of the database (from any host: the lab's file lock
    is per machine) run one at a time, and, at READ COMMITTED, each statement after it sees
    everything the previous writer committed (a REPEATABLE READ snapshot would be taken by
    the lock's own statement, before the wait, and miss it). The lock ends with the
    transaction, on COMMIT, ROLLBACK or a dropped connection. A reader runs at REPEATABLE
    READ (one snapshot) and READ ONLY, the equivalent of ``PRAGMA query_only``."""
    if write:
        conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_KEY})")
    else:
        conn.exec_driver_sql("SET TRANSACTION READ ONLY")


def _create_tables(engine: Engine) -> None:
    try:
        metadata.create_all(engine)
    except SQLAlchemyError as exc:
        raise IdbError(f"cannot open the lab's IDB: {exc.__class__.__name__}: {exc}") from None


def _generation(conn: Connection) -> int:
    return int(
        conn.execute(select(WORLD_ROW.c.generation).where(WORLD_ROW.c.id == 1)).scalar() or 0
    )


def _world(conn: Connection) -> bytes | None:
    body = conn.execute(select(WORLD_ROW.c.body).where(WORLD_ROW.c.id == 1)).scalar()
    return None if body is None else bytes(body)


def _put_world(conn: Connection, body: bytes, generation: int) -> None:
    values = {"generation": generation, "body": body}
    if not conn.execute(update(WORLD_ROW).where(WORLD_ROW.c.id == 1).values(**values)).rowcount:
        conn.execute(insert(WORLD_ROW).values(id=1, **values))


def _check_world_json(body: bytes, path: Path) -> None:
    try:
        json.loads(body)
    except ValueError as exc:
        raise ConfigError(f"saved world is not valid JSON: {exc}", file=str(path)) from None
