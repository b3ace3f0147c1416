"""INSERT, UPDATE and DELETE on the application tables, as one commit each.

A table is ``(KEY VARCHAR2(4000) PRIMARY KEY, VALUE VARCHAR2(4000) NOT NULL)``: values are
converted to text as Oracle converts a bound number, date or RAW into a VARCHAR2 column;
NULL is refused (ORA-01400 / ORA-01407), a too-long value is refused (ORA-12899), a duplicate
key is refused (ORA-00001). Everything is checked and every row operation staged before the
one commit, so a refused statement writes no redo and no block.
Sources: Oracle Database SQL Language Reference, "INSERT", "UPDATE", "DELETE", "Implicit
Data Conversion"; Oracle Database Error Messages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.dictviews import TABLE_COLUMNS, source_rows
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, STARTED
from apprm_ref.sim.oracle.sqlexpr import (
    Expr,
    Session,
    evaluate,
    parse_cond,
    parse_expr,
    test,
)
from apprm_ref.sim.oracle.sqllex import Cursor, sql_error
from apprm_ref.sim.oracle.sqltypes import to_text

MAX_CHARS = 4000
Action = Callable[[], Any]


def plan(db: OracleDatabase, verb: str, c: Cursor, s: Session) -> Action:
    if verb == "INSERT":
        return _insert(db, c, s)
    if verb == "UPDATE":
        return _update(db, c, s)
    c.kw("FROM")
    table, where = _target(c)
    c.end()
    return lambda: _apply(db, table, where, s, lambda key, _value: [("delete", table, key)])


def _target(c: Cursor) -> tuple[str, Expr | None]:
    table = c.ident("ORA-00903")
    tok = c.peek()
    alias = table
    if tok is not None and tok.kind in ("word", "qident") and not tok.is_kw("WHERE", "SET"):
        alias = c.next().text
    where = parse_cond(c) if c.kw("WHERE") else None
    if alias != table and where is not None:
        where = _unalias(where, alias, table)
    return table, where


def _unalias(e: Any, alias: str, table: str) -> Any:
    if isinstance(e, tuple) and e and e[0] == "col" and e[1] == alias:
        return ("col", table, e[2])
    return tuple(_unalias(x, alias, table) for x in e) if isinstance(e, tuple) else e


def _insert(db: OracleDatabase, c: Cursor, s: Session) -> Action:
    c.expect_kw("INTO", code="ORA-00925")
    table = c.ident("ORA-00903")
    cols = list(TABLE_COLUMNS)
    if c.op("("):
        cols = [c.ident("ORA-00904")]
        while c.op(","):
            cols.append(c.ident("ORA-00904"))
        c.expect_op(")", "ORA-00907")
    c.expect_kw("VALUES", code="ORA-00926")
    c.expect_op("(", "ORA-00906")
    exprs = [parse_expr(c)]
    while c.op(","):
        exprs.append(parse_expr(c))
    c.expect_op(")", "ORA-00907")
    c.end()
    _check_columns(cols)
    if len(exprs) != len(cols):
        code = "ORA-00947" if len(exprs) < len(cols) else "ORA-00913"
        text = "not enough values" if code == "ORA-00947" else "too many values"
        raise OracleError(text, code=code)
    given = dict(zip(cols, (_constant(e, s) for e in exprs), strict=True))
    key = column_text(given.get("KEY"), table, "KEY", s, insert=True)
    value = column_text(given.get("VALUE"), table, "VALUE", s, insert=True)
    return lambda: _commit(db, table, [("insert", table, key, value)], 1)


def _update(db: OracleDatabase, c: Cursor, s: Session) -> Action:
    table = c.ident("ORA-00903")
    c.expect_kw("SET", code="ORA-00971")
    sets: dict[str, Expr] = {}
    while True:
        col = c.ident("ORA-00904")
        _check_columns([col])
        c.expect_op("=", "ORA-00927")
        sets[col] = parse_expr(c)
        if not c.op(","):
            break
    where = parse_cond(c) if c.kw("WHERE") else None
    c.end()

    def ops(key: str, value: str) -> list[tuple[Any, ...]]:
        row = {"KEY": key, "VALUE": value}
        look = _row_lookup(table, row)
        new = {col: evaluate(e, look, s) for col, e in sets.items()}
        new_key = column_text(new.get("KEY", key), table, "KEY", s, insert=False)
        new_value = column_text(new.get("VALUE", value), table, "VALUE", s, insert=False)
        if new_key != key:
            return [("delete", table, key), ("insert", table, new_key, new_value)]
        return [("update", table, key, new_value)]

    return lambda: _apply(db, table, where, s, ops)


def _check_columns(cols: list[str]) -> None:
    for col in cols:
        if col not in TABLE_COLUMNS:
            raise sql_error("ORA-00904", col)
    if len(set(cols)) != len(cols):
        raise OracleError("duplicate column name", code="ORA-00957")


def _constant(e: Expr, s: Session) -> Any:
    def no_columns(_q: str | None, col: str) -> Any:
        raise OracleError("column not allowed here", code="ORA-00984")

    return evaluate(e, no_columns, s)


def _row_lookup(table: str, row: dict[str, Any]) -> Callable[[str | None, str], Any]:
    def look(qualifier: str | None, col: str) -> Any:
        if (qualifier not in (None, table)) or col not in row:
            raise sql_error("ORA-00904", col if qualifier is None else f'{qualifier}"."{col}')
        return row[col]

    return look


def column_text(value: Any, table: str, col: str, s: Session, *, insert: bool) -> str:
    """A value as it lands in a VARCHAR2(4000) NOT NULL column."""
    if value is None:
        where = f'("SYS"."{table}"."{col}")'
        if insert:
            raise OracleError(f"cannot insert NULL into {where}", code="ORA-01400")
        raise OracleError(f"cannot update {where} to NULL", code="ORA-01407")
    if isinstance(value, bool):
        text = "TRUE" if value else "FALSE"
    else:
        text = value if isinstance(value, str) else to_text(value, s)
    if len(text) > MAX_CHARS:
        raise OracleError(
            f'value too large for column "SYS"."{table}"."{col}" '
            f"(actual: {len(text)}, maximum: {MAX_CHARS})",
            code="ORA-12899",
        )
    return text


def _apply(
    db: OracleDatabase,
    table: str,
    where: Expr | None,
    s: Session,
    ops_of: Callable[[str, str], list[tuple[Any, ...]]],
) -> int:
    """Rows matching ``where`` (evaluated on every row first), then one commit."""
    _cols, rows = source_rows(db, table)
    ops: list[tuple[Any, ...]] = []
    matched = 0
    for row in rows:
        if where is None or test(where, _row_lookup(table, row), s) is True:
            matched += 1
            ops.extend(ops_of(row["KEY"], row["VALUE"]))
    return _commit(db, table, ops, matched)


def _commit(db: OracleDatabase, table: str, ops: list[tuple[Any, ...]], count: int) -> int:
    """One commit of every row operation; the engine stages them all (ORA-00001, ORA-00942
    included) before it writes redo."""
    if db.alive() and db.status in (STARTED, MOUNTED):
        raise ora("ORA-01219")
    db.require_state(OPEN)
    if table not in db.cf["tables"]:
        raise ora("ORA-00942")
    db.require_io()
    if ops:
        db.transact([tuple(ops)])
    return count
