"""The door's DB-API surface is python-oracledb's (WIRE-I4): code written for the real
driver runs unchanged against it, and it raises only DB-API errors, changing nothing on any
failure (issue 11, REL-I4). Source: python-oracledb documentation, "Exception Handling",
"oracledb.connect()", "_Error Objects"."""

from __future__ import annotations

import inspect
from typing import Any

import oracledb
import pytest

from apprm_ref.real.oracle_dbapi import OracleDbapiDriver
from apprm_ref.sim.oracle import dbapi
from apprm_ref.sim.oracle.estate import Estate

CLASSES = ("Error", "DatabaseError", "InterfaceError", "OperationalError", "IntegrityError")
CLASSES += ("ProgrammingError", "NotSupportedError", "DataError", "InternalError", "Warning")


def end_backup_leftovers(driver: Any, dsn: str, user: str, password: str) -> list[int]:
    """Written for python-oracledb, without knowing of the simulator."""
    conn = driver.connect(dsn=dsn, user=user, password=password, mode=driver.AUTH_MODE_SYSDBA)
    cur = conn.cursor()
    try:
        cur.execute("ALTER DATABASE END BACKUP")
    except oracledb.DatabaseError as e:
        (err,) = e.args
        return [err.code]
    return []


@pytest.mark.rule("WIRE-I4")
def test_exception_classes_are_python_oracledbs() -> None:
    assert dbapi.REAL_DRIVER_CLASSES
    for name in CLASSES:
        assert getattr(dbapi, name) is getattr(oracledb, name)
        assert getattr(dbapi.module(None), name) is getattr(oracledb, name)
    for name in ("AUTH_MODE_SYSDBA", "AUTH_MODE_PRELIM", "DBSHUTDOWN_FINAL", "SYSDBA"):
        assert getattr(dbapi, name) == int(getattr(oracledb, name))


@pytest.mark.rule("WIRE-I4")
def test_connect_signature_matches_python_oracledb() -> None:
    real = inspect.signature(oracledb.connect).parameters
    door = inspect.signature(dbapi.module(None).connect).parameters
    for name in ("dsn", "user", "password", "mode"):
        assert door[name].kind == real[name].kind
        assert door[name].default is None
    assert list(door)[0] == list(real)[0] == "dsn"


@pytest.mark.rule("WIRE-I4")
def test_code_written_for_python_oracledb_runs_unchanged(estate: Estate) -> None:
    door = dbapi.module(estate.world)
    assert end_backup_leftovers(door, "db1:1521/PRD", "sys", "change_on_install") == [1260]
    with pytest.raises(oracledb.DatabaseError) as exc:
        door.connect(dsn="db1/NOPE", user="sys", password="x")
    assert exc.value.args[0].full_code == "ORA-12514"
    estate.db.shutdown("ABORT")
    with pytest.raises(oracledb.OperationalError) as exc:
        door.connect(dsn="PRD", user="system", password="manager")
    assert (exc.value.args[0].code, exc.value.args[0].isrecoverable) == (1034, True)
    estate.db.startup("OPEN")
    conn = door.connect(dsn="PRD", user="sys", password="change_on_install", mode=door.SYSDBA)
    cur = conn.cursor()
    cur.execute("INSERT INTO t_users (key, value) VALUES (:1, :2)", ["a", "b"])
    assert cur.rowcount == 1
    with pytest.raises(oracledb.IntegrityError) as exc:
        cur.execute("INSERT INTO t_users (key, value) VALUES (:k, :v)", k="a", v="c")
    (err,) = exc.value.args
    assert (err.code, err.full_code, err.offset, err.isrecoverable) == (1, "ORA-00001", 0, False)
    assert err.message.startswith("ORA-00001: unique constraint") and str(err) == err.message
    with pytest.raises(oracledb.InterfaceError) as exc:
        cur.execute("ALTER SYSTEM CHECKPOINT") or cur.fetchall()
    assert exc.value.args[0].full_code == "DPY-1003"
    conn.close()
    with pytest.raises(oracledb.InterfaceError):
        conn.cursor()


@pytest.mark.rule("WIRE-I4")
def test_real_driver_from_either_module_object(estate: Estate) -> None:
    d = OracleDbapiDriver.from_module(
        dbapi.module(estate.world), dsn="PRD", user="sys", password="change_on_install"
    )
    assert d.instance_status() == "OPEN"
    assert [f.tablespace for f in d.datafiles()] == ["SYSTEM", "USERS"]


@pytest.mark.rule("REL-I4")
def test_a_bad_bind_writes_no_redo_and_later_restores_work(estate: Estate, persisted: Any) -> None:
    """Issue 11: an INSERT whose bind is not a SQL value used to write redo; now it is
    python-oracledb's DPY-3002 before anything runs; a number is converted as Oracle does."""
    conn = dbapi.connect(
        "PRD", user="sys", password="change_on_install", mode=dbapi.SYSDBA, world=estate.world
    )
    cur = conn.cursor()
    before = persisted(estate)
    for bad in ({"x": 1}, [1], object()):
        with pytest.raises(oracledb.NotSupportedError):
            cur.execute("INSERT INTO t_users (key, value) VALUES (:k, :v)", {"k": "a", "v": bad})
    assert persisted(estate) == before
    cur.execute("INSERT INTO t_users (key, value) VALUES (:k, :v)", {"k": 7, "v": 0.25})
    cur.execute("SELECT key, value FROM t_users")
    assert cur.fetchall() == [("7", ".25")]


@pytest.mark.rule("REL-I4")
def test_a_defect_inside_the_door_is_a_db_api_error_and_changes_nothing(
    estate: Estate, persisted: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = dbapi.connect(
        "PRD", user="sys", password="change_on_install", mode=dbapi.SYSDBA, world=estate.world
    )

    def broken(*_: Any, **__: Any) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(estate.db, "write_redo", broken)
    before = persisted(estate)
    with pytest.raises(oracledb.OperationalError) as exc:
        conn.cursor().execute("INSERT INTO t_users (key, value) VALUES ('a', 'b')")
    assert exc.value.args[0].full_code == "ORA-00600"
    assert persisted(estate) == before
