"""GROUP BY, HAVING and aggregates of the door's SELECT.

Without GROUP BY an aggregate query is one group, so it returns one row even over no rows
(COUNT 0, MAX/MIN/SUM NULL); with GROUP BY, one row per distinct key in first-seen order.
A column outside an aggregate must be a GROUP BY expression (ORA-00979; ORA-00937 when there
is no GROUP BY). Source: Oracle Database SQL Language Reference, "SELECT" (group_by_clause),
"Aggregate Functions".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.sqlexpr import Expr, Session, evaluate, test
from apprm_ref.sim.oracle.sqllex import sql_error

Env = dict[str, dict[str, Any]]
Lookup = Callable[[str | None, str], Any]


def group_rows(
    exprs: list[Expr],
    group: list[Expr],
    having: Expr | None,
    envs: list[Env],
    lookup_of: Callable[[Env], Lookup],
    s: Session,
) -> list[tuple[tuple[Any, ...], Lookup]]:
    for e in [*exprs, *([having] if having is not None else [])]:
        if _ungrouped(e, group):
            raise sql_error("ORA-00979" if group else "ORA-00937")
    groups: dict[tuple[Any, ...], list[Env]] = {} if group else {(): []}
    for env in envs:
        look = lookup_of(env)
        groups.setdefault(tuple(evaluate(g, look, s) for g in group), []).append(env)
    out = []
    for members in groups.values():
        look = lookup_of(members[0]) if members else _no_row
        if (
            having is not None
            and test(_fold_aggs(having, members, lookup_of, s), look, s) is not True
        ):
            continue
        values = tuple(evaluate(_fold_aggs(e, members, lookup_of, s), look, s) for e in exprs)
        out.append((values, look))
    return out


def _no_row(_q: str | None, _col: str) -> Any:
    return None


def _ungrouped(e: Any, group: list[Expr]) -> bool:
    """Whether ``e`` reads a column outside an aggregate and outside every group key."""
    if not isinstance(e, tuple) or not e or e in group:
        return False
    if e[0] == "agg":
        return False
    if e[0] == "col":
        return True
    kids = e[1:] if isinstance(e[0], str) else e
    return any(_ungrouped(x, group) for x in kids)


def _fold_aggs(e: Any, members: list[Env], lookup_of: Callable[[Env], Lookup], s: Session) -> Any:
    """``e`` with each aggregate replaced by its value over the group."""
    if not isinstance(e, tuple) or not e:
        return e
    if e[0] == "agg":
        if e[2] is not None and _has_agg(e[2]):
            raise OracleError("group function is nested too deeply", code="ORA-00935")
        seen = [evaluate(e[2], lookup_of(env), s) for env in members] if e[2] else []
        present = [v for v in seen if v is not None]
        count = len(members) if e[2] is None else len(present)
        return ("lit", fold(e[1], present, count))
    return tuple(_fold_aggs(x, members, lookup_of, s) for x in e)


def _has_agg(e: Any) -> bool:
    if not isinstance(e, tuple) or not e:
        return False
    return e[0] == "agg" or any(_has_agg(x) for x in e)


def fold(fn: str, values: list[Any], count: int) -> Any:
    if fn == "COUNT":
        return count
    if not values:
        return None
    if fn == "SUM":
        return sum(values)
    return max(values) if fn == "MAX" else min(values)
