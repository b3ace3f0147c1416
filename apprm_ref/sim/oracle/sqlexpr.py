"""Expressions and conditions of the door's SQL: parsing and Oracle's evaluation rules.

Three-valued logic (a comparison with NULL is unknown, ``NOT unknown`` is unknown), implicit
conversions (``sqltypes``), arithmetic and ``||``, ``TO_DATE``/``TO_CHAR``/``NVL``/``UPPER``/
``LOWER``, ``SYSDATE``, uncorrelated subqueries. Sources: Oracle Database SQL Language Reference, "Conditions",
"Nulls", "Data Type Comparison Rules", "Format Models", "Functions".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.sqllex import Cursor, sql_error
from apprm_ref.sim.oracle.sqltypes import (
    format_date,
    parse_date,
    to_number,
    to_text,
)

Expr = tuple[Any, ...]
AGGREGATES = ("COUNT", "MAX", "MIN", "SUM")
FUNCTIONS = ("TO_DATE", "TO_CHAR", "NVL", "UPPER", "LOWER")
_STOP = ("FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ON", "JOIN", "INNER", "AS", "IS")
_STOP += ("NOT", "IN", "LIKE", "BETWEEN", "ASC", "DESC", "NULLS", "UNION", "GROUP")


@dataclass
class Session:
    """What ALTER SESSION changes and expressions read."""

    now: datetime
    nls: dict[str, str] = field(
        default_factory=lambda: {"NLS_DATE_FORMAT": "DD-MON-RR", "NLS_LANGUAGE": "AMERICAN"}
    )
    subquery: Any = None  # Query -> (headings, rows): runs an uncorrelated subquery


# --- parsing ---------------------------------------------------------------------------------


def parse_expr(c: Cursor) -> Expr:
    """``a || b``, ``a + b``, ``a - b`` (left to right) over ``*``/``/`` terms."""
    left = _term(c)
    while (tok := c.peek()) is not None and tok.kind == "op" and tok.text in ("+", "-", "||"):
        c.next()
        left = ("bin", tok.text, left, _term(c))
    return left


def _term(c: Cursor) -> Expr:
    left = _primary(c)
    while (tok := c.peek()) is not None and tok.kind == "op" and tok.text in ("*", "/"):
        c.next()
        left = ("bin", tok.text, left, _primary(c))
    return left


def _number(text: str) -> int | float:
    """A numeric literal as python-oracledb returns a NUMBER: int when integral."""
    value = float(text) if any(ch in text for ch in ".eE") else int(text)
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _primary(c: Cursor) -> Expr:
    tok = c.next()
    if tok.kind == "str":
        return ("lit", tok.text)
    if tok.kind == "num":
        return ("lit", _number(tok.text))
    if tok.kind == "bind":
        return ("lit", c.bind_value(tok.text))
    if tok.kind == "op" and tok.text in ("-", "+"):
        operand = _primary(c)
        return operand if tok.text == "+" else ("bin", "-", ("lit", 0), operand)
    if tok.kind == "op" and tok.text == "(":
        inner = _subquery(c) or parse_expr(c)
        c.expect_op(")", "ORA-00907")
        return inner
    if tok.kind == "word" and tok.text == "NULL":
        return ("lit", None)
    if tok.kind == "word" and tok.text == "SYSDATE":
        return ("sysdate",)
    if tok.kind in ("word", "qident"):
        if tok.kind == "word" and c.op("("):
            return _call(c, tok.text)
        if c.op("."):
            return ("col", tok.text, c.ident("ORA-00904"))
        if tok.kind == "word" and tok.text in _STOP:
            raise sql_error("ORA-00936")
        return ("col", None, tok.text)
    raise sql_error("ORA-00936")


def _subquery(c: Cursor) -> Expr | None:
    """``(SELECT ...)``: an uncorrelated subquery (a column of the outer query is
    ORA-00904 inside it)."""
    if not c.kw("SELECT"):
        return None
    from apprm_ref.sim.oracle.sqlselect import parse_select  # the grammar is recursive

    return ("subq", parse_select(c, nested=True))


def _subquery_rows(q: Any, s: Session) -> list[Any]:
    heads, rows = s.subquery(q)
    if len(heads) != 1:
        raise OracleError("too many values", code="ORA-00913")
    return [r[0] for r in rows]


def _call(c: Cursor, name: str) -> Expr:
    if name in AGGREGATES:
        if name == "COUNT" and c.op("*"):
            c.expect_op(")", "ORA-00907")
            return ("agg", "COUNT", None)
        arg = parse_expr(c)
        c.expect_op(")", "ORA-00907")
        return ("agg", name, arg)
    if name not in FUNCTIONS:
        raise sql_error("ORA-00904", name)
    args = [parse_expr(c)]
    while c.op(","):
        args.append(parse_expr(c))
    c.expect_op(")", "ORA-00907")
    want = {"TO_DATE": (1, 2), "TO_CHAR": (1, 2), "NVL": (2, 2), "UPPER": (1, 1)}
    lo, hi = want.get(name, (1, 1))
    if not lo <= len(args) <= hi:
        raise OracleError("invalid number of arguments", code="ORA-00909")
    return ("fn", name, tuple(args))


def parse_cond(c: Cursor) -> Expr:
    left = _cond_and(c)
    while c.kw("OR"):
        left = ("or", left, _cond_and(c))
    return left


def _cond_and(c: Cursor) -> Expr:
    left = _cond_not(c)
    while c.kw("AND"):
        left = ("and", left, _cond_not(c))
    return left


def _cond_not(c: Cursor) -> Expr:
    if c.kw("NOT"):
        return ("not", _cond_not(c))
    if c.kw("EXISTS"):
        c.expect_op("(", "ORA-00906")
        sub = _subquery(c)
        if sub is None:
            raise sql_error("ORA-00928")
        c.expect_op(")", "ORA-00907")
        return ("exists", sub[1])
    tok = c.peek()
    if tok is not None and tok.kind == "op" and tok.text == "(" and _is_cond_group(c):
        c.next()
        inner = parse_cond(c)
        c.expect_op(")", "ORA-00907")
        return inner
    return _predicate(c)


def _is_cond_group(c: Cursor) -> bool:
    """A parenthesis opens a condition unless it holds a bare expression (``(a) = 1``) or a
    subquery."""
    nxt = c.peek(1)
    if nxt is not None and nxt.is_kw("SELECT"):
        return False
    depth, j = 0, c.i
    while j < len(c.toks):
        t = c.toks[j]
        if t.kind == "op" and t.text == "(":
            depth += 1
        elif t.kind == "op" and t.text == ")":
            depth -= 1
            if depth == 0:
                return False
        elif depth == 1 and (
            t.is_kw("AND", "OR", "IS", "IN", "LIKE", "NOT", "BETWEEN")
            or (t.kind == "op" and t.text in ("=", "<>", "!=", "<", ">", "<=", ">="))
        ):
            return True
        j += 1
    return False


def _predicate(c: Cursor) -> Expr:
    left = parse_expr(c)
    if c.kw("IS"):
        negate = c.kw("NOT")
        c.expect_kw("NULL", code="ORA-00908")
        return ("null", left, negate)
    negate = c.kw("NOT")
    if c.kw("IN"):
        c.expect_op("(", "ORA-00906")
        sub = _subquery(c)
        if sub is not None:
            c.expect_op(")", "ORA-00907")
            return ("insub", left, sub[1], negate)
        items = [parse_expr(c)]
        while c.op(","):
            items.append(parse_expr(c))
        c.expect_op(")", "ORA-00907")
        return ("in", left, tuple(items), negate)
    if c.kw("LIKE"):
        return ("like", left, parse_expr(c), negate)
    if c.kw("BETWEEN"):
        lo = parse_expr(c)
        c.expect_kw("AND")
        return ("between", left, lo, parse_expr(c), negate)
    if negate:
        raise sql_error("ORA-00920")
    tok = c.peek()
    if tok is None or tok.kind != "op" or tok.text not in ("=", "<>", "!=", "<", ">", "<=", ">="):
        raise sql_error("ORA-00920")
    c.next()
    return ("cmp", tok.text, left, parse_expr(c))


def heading(toks: list[Any]) -> str:
    """The column heading Oracle gives an unaliased expression: its text, upper-cased,
    without blanks (``max( sequence# )`` -> ``MAX(SEQUENCE#)``)."""
    parts = []
    for t in toks:
        if t.kind == "str":
            parts.append("'" + t.text.replace("'", "''").upper() + "'")
        elif t.kind == "qident":
            parts.append(t.text)
        elif t.kind == "bind":
            parts.append(":" + t.text.upper())
        else:
            parts.append(t.text.upper())
    return "".join(parts)


# --- evaluation ------------------------------------------------------------------------------


def evaluate(e: Expr, lookup: Any, s: Session) -> Any:
    kind = e[0]
    if kind == "lit":
        return e[1]
    if kind == "col":
        return lookup(e[1], e[2])
    if kind == "sysdate":
        return s.now
    if kind == "fn":
        return _function(e[1], [evaluate(a, lookup, s) for a in e[2]], s)
    if kind == "bin":
        return _arith(e[1], evaluate(e[2], lookup, s), evaluate(e[3], lookup, s), s)
    if kind == "subq":
        values = _subquery_rows(e[1], s)
        if len(values) > 1:
            raise OracleError("single-row subquery returns more than one row", code="ORA-01427")
        return values[0] if values else None
    raise OracleError("group function is not allowed here", code="ORA-00934")


def _arith(op: str, a: Any, b: Any, s: Session) -> Any:
    """Oracle arithmetic: NULL in, NULL out (``||`` treats NULL as ''); strings convert to
    numbers; a date plus or minus a number of days; exact quotients stay integral."""
    if op == "||":
        return ("" if a is None else to_text(a, s)) + ("" if b is None else to_text(b, s))
    if a is None or b is None:
        return None
    if isinstance(a, datetime) and isinstance(b, int | float) and op in "+-":
        return a + timedelta(days=b if op == "+" else -b)
    if isinstance(a, datetime) and isinstance(b, datetime) and op == "-":
        return (a - b).total_seconds() / 86400
    x = to_number(a) if isinstance(a, str) else a
    y = to_number(b) if isinstance(b, str) else b
    if isinstance(x, datetime) or isinstance(y, datetime):
        raise OracleError("inconsistent datatypes: expected NUMBER got DATE", code="ORA-00932")
    if op == "/":
        if y == 0:
            raise OracleError("divisor is equal to zero", code="ORA-01476")
        q = x / y
        return int(q) if isinstance(x, int) and isinstance(y, int) and x % y == 0 else q
    return x + y if op == "+" else x - y if op == "-" else x * y


def _function(name: str, args: list[Any], s: Session) -> Any:
    if name == "NVL":
        return args[1] if args[0] is None else args[0]
    if args[0] is None:
        return None
    if name in ("UPPER", "LOWER"):
        text = to_text(args[0], s)
        return text.upper() if name == "UPPER" else text.lower()
    fmt = args[1] if len(args) > 1 else s.nls["NLS_DATE_FORMAT"]
    if name == "TO_DATE":
        return args[0] if isinstance(args[0], datetime) else parse_date(str(args[0]), fmt)
    return format_date(args[0], fmt) if isinstance(args[0], datetime) else to_text(args[0], s)


def test(e: Expr, lookup: Any, s: Session) -> bool | None:
    kind = e[0]
    if kind == "and":
        a, b = test(e[1], lookup, s), test(e[2], lookup, s)
        return False if a is False or b is False else None if a is None or b is None else True
    if kind == "or":
        a, b = test(e[1], lookup, s), test(e[2], lookup, s)
        return True if a is True or b is True else None if a is None or b is None else False
    if kind == "not":
        a = test(e[1], lookup, s)
        return None if a is None else not a
    if kind == "null":
        return (evaluate(e[1], lookup, s) is None) != e[2]
    if kind == "exists":
        return bool(s.subquery(e[1])[1])
    if kind == "cmp":
        return compare(e[1], evaluate(e[2], lookup, s), evaluate(e[3], lookup, s), s)
    value = evaluate(e[1], lookup, s)
    if kind in ("in", "insub"):
        candidates = (
            _subquery_rows(e[2], s) if kind == "insub" else [evaluate(x, lookup, s) for x in e[2]]
        )
        hits = [compare("=", value, x, s) for x in candidates]
        found = True if True in hits else None if None in hits else False
        return None if found is None else found != e[3]
    if kind == "like":
        return _negate(_like(value, evaluate(e[2], lookup, s), s), e[3])
    if kind == "between":
        lo, hi = evaluate(e[2], lookup, s), evaluate(e[3], lookup, s)
        a, b = compare(">=", value, lo, s), compare("<=", value, hi, s)
        both = False if a is False or b is False else None if a is None or b is None else True
        return _negate(both, e[4])
    raise sql_error("ORA-00920")


def _negate(v: bool | None, negate: bool) -> bool | None:
    return None if v is None else v != negate


def _like(value: Any, pattern: Any, s: Session) -> bool | None:
    if value is None or pattern is None:
        return None
    rx = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.fullmatch(rx, to_text(value, s), re.S) is not None


def compare(op: str, a: Any, b: Any, s: Session) -> bool | None:
    if a is None or b is None:
        return None
    a, b = _coerce(a, b, s)
    return {
        "=": a == b, "<>": a != b, "!=": a != b,
        ">": a > b, "<": a < b, ">=": a >= b, "<=": a <= b,
    }[op]  # fmt: skip


def _coerce(a: Any, b: Any, s: Session) -> tuple[Any, Any]:
    """Oracle's implicit conversions: a string meets a number or a date on their terms."""
    if isinstance(a, str) and isinstance(b, int | float):
        return to_number(a), b
    if isinstance(b, str) and isinstance(a, int | float):
        return a, to_number(b)
    if isinstance(a, datetime) and isinstance(b, str):
        return a, parse_date(b, s.nls["NLS_DATE_FORMAT"])
    if isinstance(b, datetime) and isinstance(a, str):
        return parse_date(a, s.nls["NLS_DATE_FORMAT"]), b
    if isinstance(a, datetime) != isinstance(b, datetime):
        raise OracleError("inconsistent datatypes: expected DATE got NUMBER", code="ORA-00932")
    return a, b
