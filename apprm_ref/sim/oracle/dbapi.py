"""DB-API 2.0 door of the Oracle simulator, shaped like python-oracledb.

``connect(world, db_name, user, password, mode=AUTH_MODE_SYSDBA)`` returns a connection
whose cursors accept the SQL a backup tool issues (see ``sql.py``); errors are raised as
``DatabaseError(err)`` with ``err.full_code`` ("ORA-01146"), ``err.code`` (1146) and
``err.message``, exactly what a real driver reads from python-oracledb.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import sql
from apprm_ref.sim.oracle.backend import OracleDatabase, password_digest

apilevel = "2.0"
threadsafety = 2
paramstyle = "named"

AUTH_MODE_DEFAULT = 0
AUTH_MODE_SYSDBA = 2
AUTH_MODE_SYSOPER = 4
AUTH_MODE_PRELIM = 8
DBSHUTDOWN_TRANSACTIONAL = 1
DBSHUTDOWN_TRANSACTIONAL_LOCAL = 2
DBSHUTDOWN_IMMEDIATE = 3
DBSHUTDOWN_ABORT = 4
DBSHUTDOWN_FINAL = 5


class Warning(Exception):  # noqa: A001 - DB-API name
    pass


class Error(Exception):
    pass


class InterfaceError(Error):
    pass


class DatabaseError(Error):
    pass


class OperationalError(DatabaseError):
    pass


class ProgrammingError(DatabaseError):
    pass


class NotSupportedError(DatabaseError):
    pass


@dataclass(frozen=True)
class _Error:
    """What python-oracledb puts in ``exc.args[0]``."""

    full_code: str
    code: int
    message: str
    offset: int = 0
    context: str | None = None
    isrecoverable: bool = False

    def __str__(self) -> str:
        return self.message


def _raise(exc: OracleError) -> None:
    code = exc.code or "ORA-00600"
    err = _Error(code, int(code.split("-")[1]) if code.startswith("ORA-") else 0, str(exc))
    cls = OperationalError if code in ("ORA-01034", "ORA-01089", "ORA-03113") else DatabaseError
    if code == "ORA-00900":
        cls = ProgrammingError
    raise cls(err) from None


def connect(
    world: Any, db_name: str, user: str, password: str, mode: int = AUTH_MODE_DEFAULT, **_: Any
) -> Connection:
    db: OracleDatabase = world.app(db_name)
    if db.users.get(user.lower()) != password_digest(user, password):
        _raise(OracleError("invalid username/password; logon denied", code="ORA-01017"))
    if not mode & (AUTH_MODE_SYSDBA | AUTH_MODE_SYSOPER) and not db.alive():
        _raise(OracleError("ORACLE not available", code="ORA-01034", stack=("ORA-27101",)))
    return Connection(db, user, mode)


class Connection:
    def __init__(self, db: OracleDatabase, user: str, mode: int) -> None:
        self._db = db
        self.username = user
        self.mode = mode
        self.autocommit = False
        self.thin = False
        self._closed = False
        self._pending_shutdown: str | None = None

    @property
    def sysdba(self) -> bool:
        return bool(self.mode & (AUTH_MODE_SYSDBA | AUTH_MODE_SYSOPER))

    def cursor(self) -> Cursor:
        if self._closed:
            raise InterfaceError(_Error("DPY-1001", 0, "DPY-1001: not connected to database"))
        return Cursor(self)

    def commit(self) -> None:
        return None  # every statement of the door autocommits

    def rollback(self) -> None:
        return None

    def close(self) -> None:
        self._closed = True

    def ping(self) -> None:
        if not self._db.alive():
            _raise(OracleError("ORACLE not available", code="ORA-01034"))

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def startup(
        self, force: bool = False, restrict: bool = False, pfile: str | None = None
    ) -> None:
        """Start the instance (NOMOUNT), as python-oracledb's Connection.startup()."""
        self._privileged()
        try:
            if force and self._db.alive():
                self._db.shutdown("ABORT")
            self._db.startup("NOMOUNT")
        except OracleError as exc:
            _raise(exc)

    def shutdown(self, mode: int = 0) -> None:
        """ABORT stops at once; other modes close/dismount via SQL, then FINAL stops."""
        self._privileged()
        try:
            if mode == DBSHUTDOWN_ABORT:
                self._db.shutdown("ABORT")
            elif mode == DBSHUTDOWN_FINAL:
                self._db.shutdown("IMMEDIATE")
            else:
                if self._db.status == "OPEN" and self._db.backup_files():
                    self._db.close()  # raises ORA-01149 like the first shutdown call
                self._pending_shutdown = {1: "TRANSACTIONAL", 3: "IMMEDIATE"}.get(mode, "NORMAL")
        except OracleError as exc:
            _raise(exc)

    def _privileged(self) -> None:
        if not self.sysdba:
            _raise(OracleError("insufficient privileges", code="ORA-01031"))


class Cursor:
    arraysize = 100

    def __init__(self, conn: Connection) -> None:
        self.connection = conn
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def execute(self, statement: str, parameters: Any = None, **kw: Any) -> Cursor | None:
        binds = (
            dict(parameters or {}, **kw)
            if not isinstance(parameters, list | tuple)
            else {str(i + 1): v for i, v in enumerate(parameters)}
        )
        try:
            result = sql.execute(
                self.connection._db, statement, binds, sysdba=self.connection.sysdba
            )
        except OracleError as exc:
            _raise(exc)
            return None
        if result is None:
            self.description, self._rows, self.rowcount = None, [], 0
            return None
        cols, rows = result
        self.description = [(c, None, None, None, None, None, True) for c in cols]
        self._rows, self.rowcount = list(rows), 0
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
        if self.description is None:
            raise InterfaceError(
                _Error("DPY-1003", 0, "DPY-1003: the executed statement does not return rows")
            )

    def __iter__(self) -> Any:
        while (row := self.fetchone()) is not None:
            yield row

    def close(self) -> None:
        self._rows = []

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
