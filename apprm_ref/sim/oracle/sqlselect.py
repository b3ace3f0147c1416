"""SELECT as admin scripts write it: select lists with aliases, ``t.*``, DISTINCT,
aggregates (COUNT/MAX/MIN/SUM: one row even over no rows), joins (``JOIN ... ON`` and
comma joins), WHERE with AND/OR/NOT, IS [NOT] NULL, [NOT] IN, LIKE, BETWEEN, ORDER BY
columns, aliases or positions with ASC/DESC (NULLs sort high, as Oracle sorts them).

GROUP BY/HAVING are in ``sqlgroup``; uncorrelated subqueries (scalar, IN, EXISTS) in
``sqlexpr``. Not implemented, and refused where the parse stops (ORA-00933 / ORA-00936 /
ORA-00904): correlated subqueries, UNION/INTERSECT/MINUS, outer joins, analytic functions.
Source: Oracle Database SQL Language Reference, "SELECT", "Joins", "Aggregate Functions".
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.dictviews import source_rows
from apprm_ref.sim.oracle.sqlexpr import (
    Expr,
    Session,
    evaluate,
    heading,
    parse_cond,
    parse_expr,
    test,
)
from apprm_ref.sim.oracle.sqlgroup import group_rows
from apprm_ref.sim.oracle.sqllex import Cursor, sql_error

Result = tuple[list[str], list[tuple[Any, ...]]]
_NOT_ALIAS = ("FROM", "WHERE", "ORDER", "JOIN", "INNER", "ON", "GROUP", "UNION", "CROSS")


@dataclass
class Query:
    items: list[tuple[Expr | None, str]]  # (expression, heading); None = a star marker
    stars: list[str | None]  # per star item: its qualifier (None = every source)
    sources: list[tuple[str, str]]  # (name, alias)
    where: Expr | None
    order: list[tuple[Expr | int, bool]]
    distinct: bool
    group: list[Expr]
    having: Expr | None


def parse_select(c: Cursor, *, nested: bool = False) -> Query:
    distinct = c.kw("DISTINCT") or (c.kw("UNIQUE"))
    items, stars = _select_list(c)
    if not c.kw("FROM"):
        raise sql_error("ORA-00923")
    sources, where = _from(c)
    if c.kw("WHERE"):
        cond = parse_cond(c)
        where = cond if where is None else ("and", where, cond)
    group = _expr_list(c) if c.kw("GROUP", "BY") else []
    having = parse_cond(c) if c.kw("HAVING") else None
    order = _order_by(c) if c.kw("ORDER", "BY") else []
    if not nested:
        c.end()
    return Query(items, stars, sources, where, order, distinct, group, having)


def _expr_list(c: Cursor) -> list[Expr]:
    out = [parse_expr(c)]
    while c.op(","):
        out.append(parse_expr(c))
    return out


def _select_list(c: Cursor) -> tuple[list[tuple[Expr | None, str]], list[str | None]]:
    items: list[tuple[Expr | None, str]] = []
    stars: list[str | None] = []
    while True:
        if c.op("*"):
            items.append((None, "*"))
            stars.append(None)
        elif (t := c.peek()) and t.kind in ("word", "qident") and _is_star(c):
            c.i += 3
            items.append((None, "*"))
            stars.append(t.text)
        else:
            first = c.i
            expr = parse_expr(c)
            plain = expr[2] if expr[0] == "col" else heading(c.toks[first : c.i])
            items.append((expr, _alias(c) or plain))
        if not c.op(","):
            return items, stars


def _is_star(c: Cursor) -> bool:
    dot, star = c.peek(1), c.peek(2)
    return bool(dot and star and dot.text == "." and star.kind == "op" and star.text == "*")


def _alias(c: Cursor) -> str | None:
    if c.kw("AS"):
        return c.ident("ORA-00923")
    tok = c.peek()
    if tok is not None and tok.kind in ("word", "qident") and not tok.is_kw(*_NOT_ALIAS):
        c.next()
        return tok.text
    return None


def _from(c: Cursor) -> tuple[list[tuple[str, str]], Expr | None]:
    sources = [_source(c)]
    on: Expr | None = None
    while True:
        if c.op(","):
            sources.append(_source(c))
        elif c.kw("JOIN") or c.kw("INNER", "JOIN"):
            sources.append(_source(c))
            c.expect_kw("ON")
            cond = parse_cond(c)
            on = cond if on is None else ("and", on, cond)
        else:
            return sources, on


def _source(c: Cursor) -> tuple[str, str]:
    name = c.ident("ORA-00903")
    tok = c.peek()
    if tok is not None and tok.kind in ("word", "qident") and not tok.is_kw(*_NOT_ALIAS):
        c.next()
        return name, tok.text
    return name, name


def _order_by(c: Cursor) -> list[tuple[Expr | int, bool]]:
    out: list[tuple[Expr | int, bool]] = []
    while True:
        tok = c.peek()
        key: Expr | int
        if tok is not None and tok.kind == "num" and tok.text.isdigit():
            key = int(c.next().text)
        else:
            key = parse_expr(c)
        desc = c.kw("DESC")
        if not desc:
            c.kw("ASC")
        out.append((key, desc))
        if not c.op(","):
            return out


# --- evaluation ---------------------------------------------------------------------------------


def run_select(db: OracleDatabase, q: Query, s: Session) -> Result:
    tables = {}
    for name, alias in q.sources:
        if alias in tables:
            raise OracleError("column ambiguously defined", code="ORA-00918")
        tables[alias] = (name, *source_rows(db, name))
    rows = _joined(q, tables, s)
    heads, exprs = _expand(q, tables)
    if q.group or q.having is not None or any(map(_has_agg, exprs)):
        exprs = [_qualify(e, tables) for e in exprs]
        group = [_qualify(g, tables) for g in q.group]
        having = None if q.having is None else _qualify(q.having, tables)
        lookup_of = functools.partial(_lookup, tables)
        out = group_rows(exprs, group, having, rows, lookup_of, s)
    else:
        out = []
        for env in rows:
            look = _lookup(tables, env)
            out.append((tuple(evaluate(e, look, s) for e in exprs), look))
    if q.distinct:
        seen: dict[tuple[Any, ...], Any] = {}
        for values, look in out:
            seen.setdefault(values, look)
        out = list(seen.items())
    if q.order:
        out.sort(key=functools.cmp_to_key(_comparator(q, heads, exprs, s)))
    return heads, [values for values, _ in out]


def _joined(q: Query, tables: dict[str, Any], s: Session) -> list[dict[str, dict[str, Any]]]:
    envs: list[dict[str, dict[str, Any]]] = [{}]
    for alias, (_name, _cols, rows) in tables.items():
        envs = [dict(env, **{alias: r}) for env in envs for r in rows]
    if q.where is None:
        return envs
    _check_columns(q.where, tables)
    return [env for env in envs if test(q.where, _lookup(tables, env), s) is True]


def _lookup(tables: dict[str, Any], env: dict[str, dict[str, Any]]) -> Any:
    def look(qualifier: str | None, col: str) -> Any:
        return env[_owner(tables, qualifier, col)].get(col)

    return look


def _owner(tables: dict[str, Any], qualifier: str | None, col: str) -> str:
    if qualifier is not None:
        if qualifier not in tables or col not in tables[qualifier][1]:
            raise sql_error("ORA-00904", f'{qualifier}"."{col}')
        return qualifier
    owners = [a for a, (_n, cols, _r) in tables.items() if col in cols]
    if not owners:
        raise sql_error("ORA-00904", col)
    if len(owners) > 1:
        raise OracleError("column ambiguously defined", code="ORA-00918")
    return owners[0]


def _check_columns(e: Any, tables: dict[str, Any]) -> None:
    """Resolve every column of an expression now, so an unknown one fails over no rows too."""
    if isinstance(e, tuple) and e and e[0] == "col":
        _owner(tables, e[1], e[2])
        return
    if isinstance(e, tuple):
        for part in e[1:]:
            _check_columns(part, tables)


def _expand(q: Query, tables: dict[str, Any]) -> tuple[list[str], list[Expr]]:
    heads, exprs, stars = [], [], iter(q.stars)
    for expr, head in q.items:
        if expr is not None:
            _check_columns(expr, tables)
            heads.append(head)
            exprs.append(expr)
            continue
        qual = next(stars)
        if qual is not None and qual not in tables:
            raise sql_error("ORA-00904", f"{qual}")
        for alias, (_n, cols, _r) in tables.items():
            if qual is None or qual == alias:
                heads.extend(cols)
                exprs.extend(("col", alias, col) for col in cols)
    return heads, exprs


def _has_agg(e: Any) -> bool:
    return isinstance(e, tuple) and bool(e) and (e[0] == "agg" or any(map(_has_agg, e[1:])))


def _qualify(e: Any, tables: dict[str, Any]) -> Any:
    """Every column reference named by its source, so ``status`` and ``b.status`` match."""
    if not isinstance(e, tuple) or not e:
        return e
    if e[0] == "col":
        return ("col", _owner(tables, e[1], e[2]), e[2])
    return tuple(_qualify(x, tables) for x in e)


def _comparator(q: Query, heads: list[str], exprs: list[Expr], s: Session) -> Any:
    keys = []
    for key, desc in q.order:
        if isinstance(key, int):
            if not 1 <= key <= len(exprs):
                raise OracleError("ORDER BY item must be the number of a SELECT-list expression",
                                  code="ORA-01785")  # fmt: skip
            keys.append((key - 1, None, desc))
        elif key[0] == "col" and key[1] is None and key[2] in heads:
            keys.append((heads.index(key[2]), None, desc))
        else:
            keys.append((None, key, desc))

    def cmp(a: Any, b: Any) -> int:
        for idx, expr, desc in keys:
            va = a[0][idx] if idx is not None else evaluate(expr, a[1], s)
            vb = b[0][idx] if idx is not None else evaluate(expr, b[1], s)
            order = _order(va, vb)
            if order:
                return -order if desc else order
        return 0

    return cmp


def _order(a: Any, b: Any) -> int:
    if a is None or b is None:
        return (a is None) - (b is None)  # NULLs are the highest values
    return (a > b) - (a < b)
