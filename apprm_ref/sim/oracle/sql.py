"""The SQL the door accepts, with Oracle's semantics; everything else is refused with the
code Oracle gives it.

Statements: SELECT (see ``sqlselect``); INSERT/UPDATE/DELETE on the application tables
(``KEY``, ``VALUE``; each statement commits, as with ``autocommit``); ``COMMIT``,
``ROLLBACK`` (nothing is pending); ``ALTER SESSION SET NLS_...``; ``ALTER TABLESPACE ts
BEGIN|END BACKUP``; ``ALTER DATABASE`` ``BEGIN|END BACKUP``, ``DATAFILE n|'name' [, ...]
END BACKUP``, ``MOUNT``, ``OPEN [RESETLOGS|NORESETLOGS]``, ``CLOSE [NORMAL]``,
``DISMOUNT``, ``ARCHIVELOG|NOARCHIVELOG``, ``BACKUP CONTROLFILE TO 'f' [REUSE]``,
``BACKUP CONTROLFILE TO TRACE [AS 'f' [REUSE]] [RESETLOGS|NORESETLOGS]``, ``RECOVER ...``
(see ``dialogue``); ``ALTER SYSTEM ARCHIVE LOG CURRENT | SWITCH LOGFILE | CHECKPOINT |
SUSPEND | RESUME``.

Every statement is scanned, parsed and its binds resolved and converted before anything
runs, so a refused statement changes nothing (statement-level atomicity).
Sources: Oracle Database SQL Language Reference ("ALTER DATABASE", "ALTER SYSTEM",
"ALTER SESSION", "ALTER TABLESPACE", "INSERT", "UPDATE", "DELETE"); protocols.md section 3.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import dml
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.dialogue import Dialogue, parse_recover
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import OPEN
from apprm_ref.sim.oracle.sqlexpr import Session
from apprm_ref.sim.oracle.sqllex import Cursor, resolve_binds, sql_error, tokenize
from apprm_ref.sim.oracle.sqlselect import parse_select, run_select
from apprm_ref.sim.oracle.sqltypes import check_date_format


@dataclass
class Outcome:
    """What a statement returns: a result set (columns, rows) or a DML row count."""

    columns: list[str] | None = None
    rows: list[tuple[Any, ...]] = field(default_factory=list)
    rowcount: int = 0


@dataclass
class SqlSession:
    """A server session: its NLS settings and its media-recovery dialogue."""

    nls: dict[str, str] = field(
        default_factory=lambda: {"NLS_DATE_FORMAT": "DD-MON-RR", "NLS_LANGUAGE": "AMERICAN"}
    )
    dialogue: Dialogue = field(default_factory=Dialogue)

    def expr_session(self, db: OracleDatabase) -> Session:
        s = Session(db.world.clock.datetime().replace(tzinfo=None), self.nls)
        s.subquery = lambda q: run_select(db, q, s)
        return s


Action = Callable[[], Outcome]


def execute(
    db: OracleDatabase, statement: str, params: Any, *, sysdba: bool, session: SqlSession
) -> Outcome:
    """Parse everything first (a refusal changes nothing), then run."""
    toks = tokenize(statement)
    if not toks:
        raise sql_error("ORA-00900")
    c = Cursor(toks, resolve_binds(toks, params))
    action = _plan(db, c, sysdba, session)
    return action()


def _plan(db: OracleDatabase, c: Cursor, sysdba: bool, session: SqlSession) -> Action:
    first = c.next()
    if first.is_kw("SELECT"):
        q = parse_select(c)
        return lambda: Outcome(*run_select(db, q, session.expr_session(db)))
    if first.is_kw("INSERT", "UPDATE", "DELETE"):
        count = dml.plan(db, first.text, c, session.expr_session(db))
        return lambda: Outcome(rowcount=count())
    if first.is_kw("COMMIT", "ROLLBACK"):
        c.kw("WORK")
        c.end()
        return Outcome
    if first.is_kw("ALTER") and c.kw("SESSION"):
        return _alter_session(c, session)
    if not first.is_kw("ALTER") or c.peek() is None:
        raise sql_error("ORA-00900" if not first.is_kw("ALTER") else "ORA-00940")
    if not sysdba:
        raise ora("ORA-01031")
    if c.kw("TABLESPACE"):
        return _alter_tablespace(db, c)
    if c.kw("SYSTEM"):
        return _alter_system(db, c)
    if c.kw("DATABASE"):
        return _alter_database(db, c, session)
    raise OracleError("invalid ALTER command", code="ORA-00940")


def _done(fn: Callable[[], Any]) -> Action:
    def run() -> Outcome:
        fn()
        return Outcome()

    return run


_NLS = ("NLS_DATE_FORMAT", "NLS_TIMESTAMP_FORMAT", "NLS_LANGUAGE", "NLS_TERRITORY")
_NLS += ("NLS_NUMERIC_CHARACTERS", "NLS_SORT", "NLS_COMP", "TIME_ZONE", "CURRENT_SCHEMA")


def _alter_session(c: Cursor, session: SqlSession) -> Action:
    c.expect_kw("SET", code="ORA-00922")
    changes: dict[str, str] = {}
    while not c.at_end():
        name = c.ident("ORA-00922")
        if name not in _NLS:
            raise sql_error("ORA-02248")
        c.expect_op("=", "ORA-00922")
        tok = c.next("ORA-00922")
        value = tok.text
        if name in ("NLS_DATE_FORMAT", "NLS_TIMESTAMP_FORMAT"):
            if tok.kind != "str":
                raise OracleError("missing or invalid option", code="ORA-00922")
            check_date_format(value)
        changes[name] = value
    if not changes:
        raise OracleError("missing or invalid option", code="ORA-00922")
    return _done(lambda: session.nls.update(changes))


def _alter_tablespace(db: OracleDatabase, c: Cursor) -> Action:
    ts = c.ident("ORA-02140")
    if c.kw("BEGIN", "BACKUP"):
        c.end()
        return _done(lambda: db.begin_backup(ts))
    if c.kw("END", "BACKUP"):
        c.end()
        return _done(lambda: db.end_backup(ts))
    raise OracleError("missing or invalid option", code="ORA-02142")


def _alter_system(db: OracleDatabase, c: Cursor) -> Action:
    table: list[tuple[tuple[str, ...], Callable[[], Any]]] = [
        (("ARCHIVE", "LOG", "CURRENT"), db.archive_log_current),
        (("SWITCH", "LOGFILE"), db.switch_logfile),
        (("CHECKPOINT", "GLOBAL"), lambda: (db.require_state(OPEN), db.checkpoint())),
        (("CHECKPOINT", "LOCAL"), lambda: (db.require_state(OPEN), db.checkpoint())),
        (("CHECKPOINT",), lambda: (db.require_state(OPEN), db.checkpoint())),
        (("SUSPEND",), db.suspend),
        (("RESUME",), db.resume),
    ]
    for words, fn in table:
        if c.kw(*words):
            c.end()
            if words[0] not in ("SUSPEND", "RESUME"):
                db.require_io()
            return _done(fn)
    raise OracleError("invalid option for ALTER SYSTEM", code="ORA-02065")


def _alter_database(db: OracleDatabase, c: Cursor, session: SqlSession) -> Action:
    simple: list[tuple[tuple[str, ...], Callable[[], Any]]] = [
        (("BEGIN", "BACKUP"), lambda: db.begin_backup(None)),
        (("END", "BACKUP"), lambda: db.end_backup(None)),
        (("MOUNT",), db.mount),
        (("OPEN", "RESETLOGS"), lambda: db.open(True)),
        (("OPEN", "NORESETLOGS"), lambda: db.open(False)),
        (("OPEN",), lambda: db.open(None)),
        (("CLOSE", "NORMAL"), db.close),
        (("CLOSE",), db.close),
        (("DISMOUNT",), db.dismount),
        (("ARCHIVELOG",), lambda: db.set_log_mode("ARCHIVELOG")),
        (("NOARCHIVELOG",), lambda: db.set_log_mode("NOARCHIVELOG")),
    ]
    if c.kw("RECOVER"):
        return parse_recover(db, c, session.dialogue)
    if c.kw("DATAFILE"):
        return _datafile_end_backup(db, c)
    if c.kw("BACKUP", "CONTROLFILE", "TO"):
        return _backup_controlfile(db, c)
    for words, fn in simple:
        if c.kw(*words):
            c.end()
            if words[0] in ("BEGIN", "END"):
                db.require_io()
            return _done(fn)
    raise OracleError("missing or invalid option", code="ORA-02231")


def _datafile_end_backup(db: OracleDatabase, c: Cursor) -> Action:
    """``ALTER DATABASE DATAFILE 2, '/u01/x.dbf' END BACKUP``: those files only."""
    refs: list[int | str] = []
    while True:
        tok = c.next()
        if tok.kind == "num" and tok.text.isdigit():
            refs.append(int(tok.text))
        elif tok.kind == "str":
            refs.append(tok.text)
        else:
            raise sql_error("ORA-00936")
        if not c.op(","):
            break
    c.expect_kw("END", "BACKUP", code="ORA-00905")
    c.end()
    db.require_io()
    return _done(lambda: db.end_backup_datafiles(refs))


def _backup_controlfile(db: OracleDatabase, c: Cursor) -> Action:
    if c.kw("TRACE"):
        path = c.string() if c.kw("AS") else None
        reuse = c.kw("REUSE")
        resetlogs = c.kw("RESETLOGS")
        if not resetlogs:
            c.kw("NORESETLOGS")
        c.end()
        db.require_io()
        return _done(lambda: db.backup_controlfile_trace(path, reuse=reuse, resetlogs=resetlogs))
    path = c.string("ORA-00905")
    reuse = c.kw("REUSE")
    c.end()
    db.require_io()
    return _done(lambda: db.backup_controlfile(path, reuse=reuse))
