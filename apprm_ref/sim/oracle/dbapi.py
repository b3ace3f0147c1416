"""DB-API 2.0 door of the Oracle simulator, shaped like python-oracledb (Thick mode).

``module(world)`` is a drop-in for the ``oracledb`` module object: the same constants and
exception classes, and ``connect(dsn=None, *, user=None, password=None, mode=None)`` where
``dsn`` is an Easy Connect string (``db1:1521/PRD``, ``db1/PRD``) or the service name
(``PRD``). ``connect(..., world=world)`` is the same call at module level. The exception
classes are python-oracledb's when it is installed (see ``dbapi_errors``); cursors accept
the SQL of ``sql``; every statement commits. Connection.startup()/shutdown() follow
python-oracledb's Thick-mode calls (protocols.md 3.6).
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import sql
from apprm_ref.sim.oracle.backend import OracleDatabase, password_digest
from apprm_ref.sim.oracle.dbapi_errors import (
    REAL_DRIVER_CLASSES,
    DatabaseError,
    DataError,
    Error,
    IntegrityError,
    InterfaceError,
    InternalError,
    NotSupportedError,
    OperationalError,
    ProgrammingError,
    Warning,
    _Error,
    internal,
    raise_code,
    raise_oracle,
)
from apprm_ref.sim.oracle.sqllex import DriverSideError

apilevel = "2.0"
threadsafety = 2
paramstyle = "named"

AUTH_MODE_DEFAULT = 0
AUTH_MODE_SYSDBA = 2
AUTH_MODE_SYSOPER = 4
AUTH_MODE_PRELIM = 8
SYSDBA, SYSOPER, PRELIM_AUTH = AUTH_MODE_SYSDBA, AUTH_MODE_SYSOPER, AUTH_MODE_PRELIM
DBSHUTDOWN_TRANSACTIONAL = 1
DBSHUTDOWN_TRANSACTIONAL_LOCAL = 2
DBSHUTDOWN_IMMEDIATE = 3
DBSHUTDOWN_ABORT = 4
DBSHUTDOWN_FINAL = 5
_BINDABLE = (str, int, float, bool, bytes, Decimal, datetime, date, type(None))
_EASY_CONNECT = re.compile(r"(?://)?(?:(?P<host>[\w.\-]+)(?::(?P<port>\d+))?/)?(?P<svc>[\w$#.]+)")


def connect(
    dsn: str | None = None,
    *,
    user: str | None = None,
    password: str | None = None,
    mode: int | None = None,
    world: Any,
) -> Connection:
    """python-oracledb's ``connect`` (the parameters a backup tool uses) over ``world``."""
    db = _resolve(world, dsn)
    mode = AUTH_MODE_DEFAULT if mode is None else int(mode)
    if not user or db.users.get(user.lower()) != password_digest(user, password or ""):
        raise_code("ORA-01017", "invalid username/password; logon denied")
    if not mode & (AUTH_MODE_SYSDBA | AUTH_MODE_SYSOPER) and not db.alive():
        raise_code(
            "ORA-01034", "ORACLE not available\nORA-27101: shared memory realm does not exist"
        )
    return Connection(world, db.name, user, mode, dsn or "")


def _resolve(world: Any, dsn: str | None) -> OracleDatabase:
    """The database an Easy Connect string names (ORA-12514 / ORA-12545 as the listener
    answers an unknown service or host)."""
    m = _EASY_CONNECT.fullmatch(dsn or "")
    if m is None:
        raise_code("ORA-12162", "TNS:net service name is incorrectly specified")
    dbs = [b for b in world.backends() if getattr(b, "kind", "") == "oracle"]
    svc = m["svc"].upper()
    found = [d for d in dbs if svc in (d.name.upper(), d.sid.upper())]
    if m["host"] is not None and not any(d.host == m["host"] for d in dbs):
        raise_code("ORA-12545", "Connect failed because target host or object does not exist")
    found = [d for d in found if m["host"] is None or d.host == m["host"]]
    if not found:
        raise_code(
            "ORA-12514",
            "TNS:listener does not currently know of service requested in connect descriptor",
        )
    return found[0]  # type: ignore[no-any-return]


class DoorModule:
    """An object usable wherever code expects the ``oracledb`` module: constants, exception
    classes and ``connect`` bound to one simulated world."""

    def __init__(self, world: Any) -> None:
        self._world = world
        for name, value in globals().items():
            if name.isupper() or name in _MODULE_NAMES:
                setattr(self, name, value)

    def connect(
        self,
        dsn: str | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
        mode: int | None = None,
    ) -> Connection:
        return connect(dsn, user=user, password=password, mode=mode, world=self._world)


_MODULE_NAMES = (
    "apilevel", "threadsafety", "paramstyle", "Warning", "Error", "InterfaceError",
    "DatabaseError", "DataError", "OperationalError", "IntegrityError", "InternalError",
    "ProgrammingError", "NotSupportedError",
)  # fmt: skip


def module(world: Any) -> DoorModule:
    return DoorModule(world)


class Connection:
    def __init__(self, world: Any, db_name: str, user: str, mode: int, dsn: str) -> None:
        self._world, self._db_name = world, db_name
        self.username, self.mode, self.dsn = user, mode, dsn
        self.autocommit = True  # every statement of the door commits
        self.thin = False
        self._closed = False
        self._session = sql.SqlSession()

    @property
    def _db(self) -> OracleDatabase:
        return self._world.app(self._db_name)  # type: ignore[no-any-return]

    @property
    def sysdba(self) -> bool:
        return bool(self.mode & (AUTH_MODE_SYSDBA | AUTH_MODE_SYSOPER))

    def _open(self) -> None:
        if self._closed:
            raise_code("DPY-1001", "not connected to database")

    def cursor(self) -> Cursor:
        self._open()
        return Cursor(self)

    def commit(self) -> None:
        self._open()

    def rollback(self) -> None:
        self._open()

    def close(self) -> None:
        self._open()
        self._closed = True

    def ping(self) -> None:
        self._open()
        if not self._db.alive():
            raise_code("ORA-01034", "ORACLE not available")

    def is_healthy(self) -> bool:
        return not self._closed

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._closed:
            self.close()

    def startup(
        self, force: bool = False, restrict: bool = False, pfile: str | None = None
    ) -> None:
        """Start the instance (NOMOUNT), as python-oracledb's Connection.startup()."""
        self._privileged()
        if restrict or pfile is not None:
            raise_code("DPY-3001", "startup(restrict=, pfile=) is not supported by the door")
        self._guard(lambda: self._startup(force))

    def _startup(self, force: bool) -> None:
        if force and self._db.alive():
            self._db.shutdown("ABORT")
        self._db.startup("NOMOUNT")

    def shutdown(self, mode: int = 0) -> None:
        """ABORT stops at once; other modes close/dismount via SQL, then FINAL stops."""
        self._privileged()
        self._guard(lambda: self._shutdown(mode))

    def _shutdown(self, mode: int) -> None:
        db = self._db
        if mode == DBSHUTDOWN_ABORT:
            db.shutdown("ABORT")
        elif mode == DBSHUTDOWN_FINAL:
            db.shutdown("IMMEDIATE")
        elif db.status == "OPEN" and db.backup_files():
            db.close()  # raises ORA-01149 like the first shutdown call

    def _privileged(self) -> None:
        self._open()
        if not self.sysdba:
            raise_code("ORA-01031", "insufficient privileges")

    def _guard(self, fn: Any) -> Any:
        try:
            return fn()
        except OracleError as exc:
            raise_oracle(exc)
        except DriverSideError as exc:
            raise_code(exc.code, str(exc).split(": ", 1)[1])
        except Error:
            raise
        except Exception as exc:  # a defect must still reach the client as a DB-API error
            internal(exc)


class Cursor:
    arraysize = 100

    def __init__(self, conn: Connection) -> None:
        self.connection = conn
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []
        self._executed = False

    def execute(self, statement: str, parameters: Any = None, **kw: Any) -> Cursor | None:
        self.connection._open()
        if kw:
            parameters = dict(parameters or {}, **kw)
        if not isinstance(statement, str):
            raise_code("DPY-2003", "expecting a string for the statement")
        for value in parameters.values() if isinstance(parameters, dict) else (parameters or ()):
            if not isinstance(value, _BINDABLE):
                raise_code(
                    "DPY-3002", f'Python value of type "{type(value).__name__}" is not supported'
                )
        conn = self.connection
        out = conn._guard(
            lambda: sql.execute(
                conn._db, statement, parameters, sysdba=conn.sysdba, session=conn._session
            )
        )
        self._executed = True
        if out.columns is None:
            self.description, self._rows, self.rowcount = None, [], out.rowcount
            return None
        self.description = [(c, None, None, None, None, None, True) for c in out.columns]
        self._rows, self.rowcount = list(out.rows), 0
        return self

    def fetchone(self) -> tuple[Any, ...] | None:
        self._check_rows()
        if not self._rows:
            return None
        self.rowcount += 1
        return self._rows.pop(0)

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        self._check_rows()
        n = size or self.arraysize
        out, self._rows = self._rows[:n], self._rows[n:]
        self.rowcount += len(out)
        return out

    def fetchall(self) -> list[tuple[Any, ...]]:
        self._check_rows()
        out, self._rows = self._rows, []
        self.rowcount += len(out)
        return out

    def _check_rows(self) -> None:
        if not self._executed:
            raise_code("DPY-1004", "no statement executed")
        if self.description is None:
            raise_code("DPY-1003", "the executed statement does not return rows")

    def __iter__(self) -> Any:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._rows = []

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = [
    "REAL_DRIVER_CLASSES", "DataError", "DatabaseError", "Error", "IntegrityError",
    "InterfaceError", "InternalError", "NotSupportedError", "OperationalError",
    "ProgrammingError", "Warning", "_Error", "connect", "module",
]  # fmt: skip
