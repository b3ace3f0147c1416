"""The SQLite fast path: one DB-API connection per engine, SQL compiled once, a read cache.

Why: the ORM path pays a Session, a transaction and statement compilation per call, and a
backup session makes about ten calls. Here each call is a few prepared statements on one
connection, and every method still commits before it returns.

The cache never serves stale data: before using it, a call compares ``PRAGMA
data_version`` (which changes when ANOTHER connection commits, in this process or any
other, e.g. the ``apprm`` CLI) and the connection's ``total_changes`` (which changes when
anything else writes through this same connection, as on the shared in-memory database)
with their values after this store's own last statement. Any difference drops the whole
cache. Writes check the same inside their ``BEGIN IMMEDIATE`` (no one else can commit
then) and mirror what they committed into the cache.

:class:`HeldSqliteStore` is the same path inside a transaction its caller owns (a lab
command): each call's transaction becomes a savepoint and only the caller commits.
"""

from __future__ import annotations

import sqlite3
import weakref
from contextlib import suppress
from threading import get_ident
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, event
from sqlalchemy.exc import SQLAlchemyError

from apprm_ref import crashpoint
from apprm_ref.errors import IdbError
from apprm_ref.idb import statements as q
from apprm_ref.idb.replica_cache import ReplicaCache

if TYPE_CHECKING:
    from apprm_ref.core.specs import BackupSpec

_STORES: weakref.WeakKeyDictionary[Engine, SqliteStore] = weakref.WeakKeyDictionary()

MAX_SESSIONS = 256  # sessions whose last saved rows are kept to diff the next save against


def store_for(engine: Engine) -> SqliteStore:
    """The engine's store: repositories on one engine share its connection and cache."""
    store = _STORES.get(engine)
    if store is None:
        store = _STORES[engine] = SqliteStore(engine)
        event.listen(engine, "engine_disposed", store.close)
    return store


def idb_error(exc: BaseException) -> BaseException:
    """What a failed call raises: domain errors as they are, database errors as IdbError."""
    if isinstance(exc, sqlite3.Error | SQLAlchemyError):
        name = exc.__class__.__name__
        return IdbError(f"IDB operation failed: {name}: ({exc.__class__.__module__}.{name}) {exc}")
    return exc


class SqliteStore:
    def __init__(self, engine: Engine) -> None:
        self._engine = weakref.ref(engine)
        self.owner = get_ident()  # the one thread that uses this connection and cache
        self._fairy: Any = None  # the pool's proxy, kept checked out
        self._db: sqlite3.Connection | None = None
        self._token: tuple[int, int] | None = None  # (data_version, total_changes)
        self.replicas = ReplicaCache()
        # name -> the BackupSpec (handed out as a copy), or ABSENT (no such spec)
        self.specs: dict[str, BackupSpec | bytes] = {}
        self.configs: dict[tuple[str, str], bytes] = {}  # (kind, name) -> pickled AppConfig
        self.sessions: dict[str, tuple[Any, ...]] = {}  # id -> (row, messages, objects)

    # --- connection and validity --------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        engine = self._engine()
        if engine is None:
            raise IdbError("IDB engine is gone")
        try:
            self._fairy = engine.raw_connection()
        except SQLAlchemyError as exc:
            raise idb_error(exc) from None
        db = self._fairy.driver_connection
        if db.in_transaction:  # the pool hands connections back rolled back; be sure
            db.rollback()
        self._db = db
        self._token = None
        return db

    def close(self, *_: Any) -> None:
        """Give the connection back (``engine.dispose()`` calls this); reopened on use."""
        self.drop()
        fairy, self._fairy, self._db = self._fairy, None, None
        if fairy is not None:
            with suppress(sqlite3.Error, SQLAlchemyError):
                fairy.close()

    def drop(self) -> None:
        self._token = None
        self.replicas.clear()
        self.specs.clear()
        self.configs.clear()
        self.sessions.clear()

    def fresh(self) -> sqlite3.Connection:
        """The connection, the cache dropped first if anyone else wrote since we looked."""
        db = self._db or self._open()
        try:
            dv = db.execute(q.DATA_VERSION).fetchone()[0]
        except sqlite3.Error as exc:
            raise idb_error(exc) from None
        token = (dv, db.total_changes)
        if token != self._token:
            self.drop()
            self._token = token
        return db

    def begin(self) -> tuple[sqlite3.Connection, int]:
        """A write transaction (the write lock taken now) with the cache validated in it."""
        db = self._db or self._open()
        try:
            db.execute("BEGIN IMMEDIATE")
            dv = db.execute(q.DATA_VERSION).fetchone()[0]
        except BaseException as exc:
            self.abort(db)
            raise idb_error(exc) from None
        if (dv, db.total_changes) != self._token:
            self.drop()
        return db, dv

    def commit(self, db: sqlite3.Connection, dv: int) -> None:
        """Commit; the cache is valid again only once the commit succeeded."""
        self._token = None
        try:
            db.commit()
        except BaseException as exc:
            self.abort(db)
            raise idb_error(exc) from None
        self._token = (dv, db.total_changes)

    def abort(self, db: sqlite3.Connection) -> None:
        self._token = None
        self.drop()
        try:
            if db.in_transaction:
                db.rollback()
        except sqlite3.Error:
            pass

    def fail(self, db: sqlite3.Connection, exc: BaseException) -> BaseException:
        """Roll back the open transaction; the exception to raise for ``exc``."""
        self.abort(db)
        return idb_error(exc)

    def read(self, sql: str, params: tuple[Any, ...]) -> list[Any]:
        """One SELECT outside any transaction (its own snapshot)."""
        db = self._db or self._open()
        try:
            return db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise idb_error(exc) from None

    def read_many(self, *stmts: tuple[str, tuple[Any, ...]]) -> list[list[Any]]:
        """Several SELECTs in one read transaction, so they see one snapshot."""
        db = self._db or self._open()
        try:
            db.execute("BEGIN")
            out = [db.execute(sql, params).fetchall() for sql, params in stmts]
            db.commit()
        except BaseException as exc:
            raise self.fail(db, exc) from None
        return out

    def __del__(self) -> None:  # a store outliving its engine's pool gives its proxy back
        fairy = getattr(self, "_fairy", None)
        if fairy is not None:
            with suppress(Exception):  # at interpreter shutdown there is nothing to do
                fairy.close()


SAVEPOINT = "apprm_call"


class HeldSqliteStore(SqliteStore):
    """The fast path inside a transaction someone else owns (a lab command's one
    transaction, :mod:`apprm_ref.lab.store`): each call's ``BEGIN IMMEDIATE`` ... ``COMMIT``
    becomes ``SAVEPOINT`` ... ``RELEASE``, so a failed call still undoes only itself while
    nothing is durable before the owner commits. Reads run in the owner's snapshot."""

    def __init__(self, engine: Engine, db: sqlite3.Connection) -> None:
        super().__init__(engine)
        self._db = db

    def _open(self) -> sqlite3.Connection:
        raise IdbError("the lab's IDB transaction has ended")

    def close(self, *_: Any) -> None:
        self.drop()
        self._db = None  # the connection belongs to the transaction's owner

    def begin(self) -> tuple[sqlite3.Connection, int]:
        db = self._db or self._open()
        try:
            db.execute(f"SAVEPOINT {SAVEPOINT}")
            dv = db.execute(q.DATA_VERSION).fetchone()[0]
        except BaseException as exc:
            raise self.fail(db, exc) from None
        if (dv, db.total_changes) != self._token:
            self.drop()
        return db, dv

    def commit(self, db: sqlite3.Connection, dv: int) -> None:
        self._token = None
        try:
            db.execute(f"RELEASE {SAVEPOINT}")
        except BaseException as exc:
            raise self.fail(db, exc) from None
        crashpoint.hit("idb")
        self._token = (dv, db.total_changes)

    def abort(self, db: sqlite3.Connection) -> None:
        self._token = None
        self.drop()
        with suppress(sqlite3.Error):
            db.execute(f"ROLLBACK TO {SAVEPOINT}")
            db.execute(f"RELEASE {SAVEPOINT}")

    def read_many(self, *stmts: tuple[str, tuple[Any, ...]]) -> list[list[Any]]:
        db = self._db or self._open()
        try:
            return [db.execute(sql, params).fetchall() for sql, params in stmts]
        except sqlite3.Error as exc:
            raise idb_error(exc) from None
