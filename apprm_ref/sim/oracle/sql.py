"""The SQL the simulator understands: what a backup/recovery tool issues, and simple reads.

Statements (case-insensitive, trailing ``;`` allowed):
``ALTER TABLESPACE ts BEGIN|END BACKUP``, ``ALTER DATABASE BEGIN|END BACKUP``,
``ALTER SYSTEM ARCHIVE LOG CURRENT``, ``ALTER SYSTEM SWITCH LOGFILE``, ``ALTER SYSTEM CHECKPOINT``,
``ALTER DATABASE BACKUP CONTROLFILE TO 'path' [REUSE]``, ``ALTER DATABASE MOUNT``,
``ALTER DATABASE OPEN [RESETLOGS|NORESETLOGS]``, ``ALTER DATABASE CLOSE [NORMAL]``,
``ALTER DATABASE DISMOUNT``, ``ALTER DATABASE [DATAFILE n] END BACKUP``,
``ALTER DATABASE RECOVER [AUTOMATIC] DATABASE [UNTIL CHANGE n | UNTIL TIME 'YYYY-MM-DD:HH24:MI:SS'
| UNTIL CANCEL] [USING BACKUP CONTROLFILE]``, ``ALTER DATABASE RECOVER CANCEL``,
``SELECT cols|*|MAX(col)|MIN(col) FROM view|table [WHERE col = value|:bind [AND ...] | col IN (...)]
[ORDER BY cols]``
over the V$ views and the application tables (columns ``KEY``, ``VALUE``),
``INSERT INTO t (KEY, VALUE) VALUES (:k, :v)``, ``UPDATE t SET VALUE = :v WHERE KEY = :k``,
``DELETE FROM t WHERE KEY = :k`` (each one commit).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from apprm_ref.drivers.oracle import RecoveryTarget
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, STARTED
from apprm_ref.sim.oracle.views import VIEWS, query_view

Result = tuple[list[str], list[tuple[Any, ...]]] | None

_ADMIN = [
    (r"ALTER TABLESPACE (\w+) BEGIN BACKUP", lambda db, m: db.begin_backup(m[1].upper())),
    (r"ALTER TABLESPACE (\w+) END BACKUP", lambda db, m: db.end_backup(m[1].upper())),
    (r"ALTER DATABASE BEGIN BACKUP", lambda db, m: db.begin_backup(None)),
    (r"ALTER DATABASE (?:DATAFILE \d+ )?END BACKUP", lambda db, m: db.end_backup(None)),
    (r"ALTER SYSTEM ARCHIVE LOG CURRENT", lambda db, m: db.archive_log_current()),
    (r"ALTER SYSTEM SWITCH LOGFILE", lambda db, m: db.switch_logfile()),
    (r"ALTER SYSTEM CHECKPOINT", lambda db, m: (db.require_state(OPEN), db.checkpoint())),
    (
        r"ALTER DATABASE BACKUP CONTROLFILE TO '([^']+)'( REUSE)?",
        lambda db, m: db.backup_controlfile(m[1], reuse=bool(m[2])),
    ),
    (r"ALTER DATABASE MOUNT", lambda db, m: db.mount()),
    (r"ALTER DATABASE OPEN RESETLOGS", lambda db, m: db.open(True)),
    (r"ALTER DATABASE OPEN NORESETLOGS", lambda db, m: db.open(False)),
    (r"ALTER DATABASE OPEN", lambda db, m: db.open(None)),
    (r"ALTER DATABASE CLOSE(?: NORMAL)?", lambda db, m: db.close()),
    (r"ALTER DATABASE DISMOUNT", lambda db, m: db.dismount()),
    (r"ALTER DATABASE RECOVER CANCEL", lambda db, m: db.require_state(MOUNTED)),
]


def _norm(statement: str) -> str:
    s = statement.strip().rstrip(";").strip()
    return re.sub(r"\s+", " ", s)


def execute(db: OracleDatabase, statement: str, binds: dict[str, Any], *, sysdba: bool) -> Result:
    s = _norm(statement)
    upper = s.upper()
    if upper.startswith("SELECT "):
        return _select(db, s, binds)
    if upper.startswith(("INSERT ", "UPDATE ", "DELETE ")):
        return _dml(db, s, binds)
    if not sysdba:
        raise ora("ORA-01031")
    if upper.startswith("ALTER DATABASE RECOVER ") and upper != "ALTER DATABASE RECOVER CANCEL":
        _recover(db, upper, s)
        return None
    for pattern, action in _ADMIN:
        m = re.fullmatch(pattern, s, flags=re.IGNORECASE)
        if m:
            action(db, m)
            return None
    raise OracleError("invalid SQL statement", code="ORA-00900")


def _recover(db: OracleDatabase, upper: str, original: str) -> None:
    m = re.fullmatch(
        r"ALTER DATABASE RECOVER (AUTOMATIC )?DATABASE"
        r"(?: (USING BACKUP CONTROLFILE))?"
        r"(?: UNTIL (CHANGE (\d+)|TIME '([^']+)'|CANCEL))?"
        r"(?: (USING BACKUP CONTROLFILE))?",
        upper,
    )
    if m is None:
        raise OracleError("invalid SQL statement", code="ORA-00900")
    using = bool(m[2] or m[6])
    if m[3] is None:
        target = RecoveryTarget("complete")
    elif m[4] is not None:
        target = RecoveryTarget("scn", scn=int(m[4]))
    elif m[5] is not None:
        target = RecoveryTarget("time", time=_parse_time(m[5]))
    else:
        target = RecoveryTarget("cancel")
    db.recover(target, using_backup_controlfile=using)


def _parse_time(text: str) -> datetime:
    for fmt in ("%Y-%m-%d:%H:%M:%S", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise OracleError(f"literal does not match format string: {text}", code="ORA-01861")


# --- SELECT ------------------------------------------------------------------------------------

_SELECT = re.compile(
    r"SELECT (?P<cols>.+?) FROM (?P<src>[\w$#]+)(?: WHERE (?P<where>.+?))?(?: ORDER BY (?P<order>.+))?",
    re.IGNORECASE,
)


def _select(db: OracleDatabase, s: str, binds: dict[str, Any]) -> Result:
    m = _SELECT.fullmatch(s)
    if m is None:
        raise OracleError("invalid SQL statement", code="ORA-00900")
    src = m["src"].upper()
    if src in VIEWS:
        rows = query_view(db, src)
    else:
        if db.status in (STARTED, MOUNTED):
            raise ora("ORA-01219")
        rows = [{"KEY": k, "VALUE": v} for k, v in db.select(src).items()]
    for cond in _split_and(m["where"]):
        rows = [r for r in rows if _match(r, cond, binds)]
    aggregate = _AGGREGATE.fullmatch(m["cols"].strip())
    if aggregate:
        return _aggregate(aggregate[1].upper(), aggregate[2].upper(), rows)
    if m["order"]:
        for col in reversed([c.strip().upper() for c in m["order"].split(",")]):
            desc = col.endswith(" DESC")
            col = col.removesuffix(" DESC").removesuffix(" ASC")
            rows.sort(key=lambda r, c=col: (r.get(c) is None, r.get(c)), reverse=desc)
    cols = _columns(m["cols"], rows, src)
    return cols, [tuple(r.get(c) for c in cols) for r in rows]


_AGGREGATE = re.compile(r"(MAX|MIN)\(\s*([\w#$]+)\s*\)", re.IGNORECASE)


def _aggregate(fn: str, col: str, rows: list[dict[str, Any]]) -> Result:
    """``SELECT MAX(col)|MIN(col)``: one row, NULL over no rows (NULLs ignored), named as
    Oracle names an unaliased expression column."""
    if rows and col not in rows[0]:
        raise OracleError(f'"{col}": invalid identifier', code="ORA-00904")
    values = [r[col] for r in rows if r.get(col) is not None]
    pick = max if fn == "MAX" else min
    return [f"{fn}({col})"], [(pick(values) if values else None,)]


def _columns(text: str, rows: list[dict[str, Any]], src: str) -> list[str]:
    if text.strip() == "*":
        return list(rows[0]) if rows else []
    cols = [c.strip().upper() for c in text.split(",")]
    known = set(rows[0]) if rows else set(cols)
    for c in cols:
        if c not in known:
            raise OracleError(f'"{c}": invalid identifier', code="ORA-00904")
    return cols


def _split_and(where: str | None) -> list[str]:
    return [] if not where else [c.strip() for c in re.split(r"\s+AND\s+", where, flags=re.I)]


def _value(token: str, binds: dict[str, Any]) -> Any:
    token = token.strip()
    if token.startswith(":"):
        return binds[token[1:]]
    if token.startswith("'") and token.endswith("'"):
        return token[1:-1]
    if token.upper() == "NULL":
        return None
    return int(token) if re.fullmatch(r"-?\d+", token) else token


def _match(row: dict[str, Any], cond: str, binds: dict[str, Any]) -> bool:
    m = re.fullmatch(r"([\w#$]+)\s+IN\s*\((.+)\)", cond, flags=re.I)
    if m:
        values = [_value(v, binds) for v in m[2].split(",")]
        return row.get(m[1].upper()) in values
    m = re.fullmatch(r"([\w#$]+)\s*(=|<>|!=|>=|<=|>|<)\s*(.+)", cond)
    if m is None:
        raise OracleError("invalid relational operator", code="ORA-00920")
    left, op, right = row.get(m[1].upper()), m[2], _value(m[3], binds)
    if left is None or right is None:
        return False
    return {
        "=": left == right,
        "<>": left != right,
        "!=": left != right,
        ">": left > right,
        "<": left < right,
        ">=": left >= right,
        "<=": left <= right,
    }[op]


# --- DML (one commit per statement) --------------------------------------------------------------


def _dml(db: OracleDatabase, s: str, binds: dict[str, Any]) -> Result:
    m = re.fullmatch(r"INSERT INTO (\w+) \(KEY, ?VALUE\) VALUES \((.+?), ?(.+?)\)", s, re.I)
    if m:
        db.transact([(("insert", m[1].upper(), _value(m[2], binds), _value(m[3], binds)),)])
        return None
    m = re.fullmatch(r"UPDATE (\w+) SET VALUE ?= ?(.+?) WHERE KEY ?= ?(.+)", s, re.I)
    if m:
        db.transact([(("update", m[1].upper(), _value(m[3], binds), _value(m[2], binds)),)])
        return None
    m = re.fullmatch(r"DELETE FROM (\w+) WHERE KEY ?= ?(.+)", s, re.I)
    if m:
        db.transact([(("delete", m[1].upper(), _value(m[2], binds)),)])
        return None
    raise OracleError("invalid SQL statement", code="ORA-00900")
