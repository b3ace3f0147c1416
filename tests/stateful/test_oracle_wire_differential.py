"""WIRE-P1 (Oracle): random operation sequences through the in-process driver and through
the DB-API door with the real driver give identical observable state; REL-I4 (SQL): a
bounded fuzzer of malformed SQL never gets a traceback, always a DB-API error with an ORA-
or DPY- code, and a refused statement changes nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apprm_ref.errors import OracleError
from apprm_ref.real.oracle_dbapi import OracleDbapiDriver
from apprm_ref.sim.oracle import dbapi
from apprm_ref.sim.oracle.driver import OracleSimDriver
from apprm_ref.sim.oracle.estate import Estate, build_estate

OPS = (
    "insert", "update", "delete", "workload", "switch", "archive", "checkpoint",
    "begin_users", "end_users", "begin_db", "end_db", "shutdown_immediate",
    "shutdown_abort", "startup", "mount", "open",
)  # fmt: skip


def _door(e: Estate) -> Any:
    door = dbapi.module(e.world)
    return door.connect(dsn="PRD", user="sys", password="change_on_install", mode=door.SYSDBA)


def _dml(e: Estate, via_door: bool, op: str, i: int) -> None:
    key = f"k{i % 5}"
    if via_door:
        sql = {
            "insert": "INSERT INTO t_users (key, value) VALUES (:k, :v)",
            "update": "UPDATE t_users SET value = :v WHERE key = :k",
            "delete": "DELETE FROM t_users WHERE key = :k",
        }[op]
        binds = {"k": key, "v": f"v{i}"} if op != "delete" else {"k": key}
        _door(e).cursor().execute(sql, binds)
        return
    rows = e.db.select("T_USERS")
    if op == "insert":
        e.db.transact([(("insert", "T_USERS", key, f"v{i}"),)])
    elif key in rows:
        change = ("update", "T_USERS", key, f"v{i}") if op == "update" else None
        e.db.transact([(change or ("delete", "T_USERS", key),)])


def _step(e: Estate, d: Any, via_door: bool, op: str, i: int) -> str:
    """Run one operation; the outcome is "ok" or the error's codes."""
    actions = {
        "workload": lambda: e.db.workload(3),
        "switch": d.switch_logfile,
        "archive": d.archive_log_current,
        "checkpoint": lambda: _checkpoint(e, d, via_door),
        "begin_users": lambda: d.begin_backup("USERS"),
        "end_users": lambda: d.end_backup("USERS"),
        "begin_db": lambda: d.begin_backup(),
        "end_db": lambda: d.end_backup(),
        "shutdown_immediate": lambda: d.shutdown("IMMEDIATE"),
        "shutdown_abort": lambda: d.shutdown("ABORT"),
        "startup": lambda: d.startup("OPEN"),
        "mount": d.mount,
        "open": d.open,
    }
    try:
        if op in ("insert", "update", "delete"):
            _dml(e, via_door, op, i)
        else:
            actions[op]()
    except OracleError as exc:
        return "dml-refused" if op in ("insert", "update", "delete") else "/".join(exc.codes)
    except dbapi.DatabaseError:
        return "dml-refused"
    return "ok"


def _checkpoint(e: Estate, d: Any, via_door: bool) -> None:
    if via_door:
        with d._errors():
            _door(e).cursor().execute("ALTER SYSTEM CHECKPOINT")
    else:
        e.db.require_state("OPEN")
        e.db.checkpoint()


def _observe(e: Estate, d: Any) -> tuple[Any, ...]:
    status = d.instance_status()
    if status in ("SHUTDOWN", "STARTED"):
        return (status,)
    seen = (status, d.database(), d.datafiles(), d.online_logs(), d.archived_logs())
    return (*seen, d.datafile_headers(), e.db.data() if status == "OPEN" else None)


@pytest.mark.rule("WIRE-P1")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 50), ops=st.lists(st.sampled_from(OPS), max_size=14))
def test_in_process_and_wire_drivers_observe_the_same(seed: int, ops: list[str]) -> None:
    a, b = build_estate(seed), build_estate(seed)
    sim = OracleSimDriver(a.world, "PRD")
    real = OracleDbapiDriver.from_module(
        dbapi.module(b.world), dsn="PRD", user="sys", password="change_on_install"
    )
    for i, op in enumerate(ops):
        assert _step(a, sim, False, op, i) == _step(b, real, True, op, i), (i, op)
        assert _observe(a, sim) == _observe(b, real), (i, op)


WORDS = (
    "SELECT", "FROM", "WHERE", "ALTER", "DATABASE", "SYSTEM", "SESSION", "SET", "TABLESPACE",
    "(", ")", "'", '"', ";", ",", "=", "<>", "*", ".", ":b", ":1", "v$log", "v$database",
    "dual", "IS", "NOT", "NULL", "IN", "LIKE", "AND", "OR", "1", "'x'", "INSERT", "INTO",
    "t_users", "VALUES", "UPDATE", "DELETE", "BEGIN", "END", "BACKUP", "RECOVER", "CANCEL",
    "CONTINUE", "LOGFILE", "AUTOMATIC", "UNTIL", "CHANGE", "ORDER", "BY", "COUNT", "MAX",
    "JOIN", "ON", "DATAFILE", "CONTROLFILE", "TO", "TRACE", "MOUNT", "OPEN", "RESETLOGS",
    "SWITCH", "LOGFILE", "SUSPEND", "key", "value", "name", "status", "--", "/*", "sysdate",
    "GROUP", "HAVING", "+", "-", "/", "||", "1e5", "TO_DATE", "NVL", "DISTINCT", "BETWEEN",
    "v$datafile", "v$tablespace", "d", "t", "ts#", "file#", "AS", "DESC", "EXISTS",
    "(SELECT", "HAVING COUNT(*)",
)  # fmt: skip
_CODE = re.compile(r"(ORA|DPY)-\d{4,5}")


@pytest.mark.rule("REL-I4")
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    words=st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    noise=st.text(max_size=6),
    binds=st.dictionaries(
        st.sampled_from(["b", "x"]),
        st.one_of(st.none(), st.integers(), st.text(max_size=3)),
        max_size=2,
    ),
)
def test_malformed_sql_is_refused_with_an_ora_code_and_changes_nothing(
    words: list[str], noise: str, binds: dict[str, Any]
) -> None:
    from tests.unit.sim.oracle.conftest import persisted_state

    e = build_estate(3)
    cur = _door(e).cursor()
    statement = " ".join(words) + noise
    before = persisted_state(e)
    try:
        cur.execute(statement, binds)
    except dbapi.Error as exc:
        (err,) = exc.args
        assert _CODE.fullmatch(err.full_code), err
        assert err.full_code != "ORA-00600", (statement, err.message)
        assert persisted_state(e) == before, statement
