"""The DB-API door: SQL a backup tool issues, V$ views, python-oracledb error shape."""

from __future__ import annotations

import pytest

from apprm_ref.sim.oracle import dbapi
from apprm_ref.sim.oracle.estate import Estate


def sysdba(e: Estate, prelim: bool = False) -> dbapi.Connection:
    mode = dbapi.AUTH_MODE_SYSDBA | (dbapi.AUTH_MODE_PRELIM if prelim else 0)
    return dbapi.connect(
        "db1/PRD", user="sys", password="change_on_install", mode=mode, world=e.world
    )


def run(conn: dbapi.Connection, sql: str, binds: dict | None = None) -> list[tuple]:
    cur = conn.cursor()
    cur.execute(sql, binds or {})
    return cur.fetchall() if cur.description else []


def test_error_object_like_python_oracledb(estate: Estate) -> None:
    conn = sysdba(estate)
    run(conn, "ALTER TABLESPACE users BEGIN BACKUP")
    with pytest.raises(dbapi.DatabaseError) as exc:
        run(conn, "alter tablespace USERS begin backup;")
    (err,) = exc.value.args
    assert (err.full_code, err.code) == ("ORA-01146", 1146)
    assert err.message.startswith("ORA-01146: cannot start online backup - file 2")
    assert "ORA-01110: data file 2: '/oradata/users01.dbf'" in err.message


def test_logon_and_privileges(estate: Estate) -> None:
    with pytest.raises(dbapi.DatabaseError) as exc:
        dbapi.connect(
            "PRD", user="sys", password="wrong", mode=dbapi.AUTH_MODE_SYSDBA, world=estate.world
        )
    assert exc.value.args[0].full_code == "ORA-01017"
    plain = dbapi.connect("PRD", user="system", password="manager", world=estate.world)
    with pytest.raises(dbapi.DatabaseError) as exc:
        run(plain, "ALTER DATABASE BEGIN BACKUP")
    assert exc.value.args[0].full_code == "ORA-01031"
    estate.db.shutdown("IMMEDIATE")
    with pytest.raises(dbapi.OperationalError) as exc:
        dbapi.connect("PRD", user="system", password="manager", world=estate.world)
    assert exc.value.args[0].full_code == "ORA-01034"
    idle = sysdba(estate)  # "Connected to an idle instance."
    with pytest.raises(dbapi.DatabaseError):
        run(idle, "SELECT status FROM v$instance")


def test_views_and_hot_backup_sql(estate: Estate) -> None:
    conn = sysdba(estate)
    assert run(conn, "SELECT log_mode, open_mode, controlfile_type FROM v$database") == [
        ("ARCHIVELOG", "READ WRITE", "CURRENT")
    ]
    run(conn, "ALTER SYSTEM ARCHIVE LOG CURRENT")
    run(conn, "ALTER DATABASE BEGIN BACKUP")
    rows = run(conn, "SELECT file#, status, change# FROM v$backup ORDER BY file#")
    assert {r[1] for r in rows} == {"ACTIVE"}
    heads = run(conn, "SELECT file#, checkpoint_change#, fuzzy FROM v$datafile_header")
    assert [(h[1], h[2]) for h in heads] == [(r[2], "YES") for r in rows]
    run(conn, "ALTER DATABASE BACKUP CONTROLFILE TO '/oraarch/c.ctl' REUSE")
    run(conn, "ALTER DATABASE END BACKUP")
    run(conn, "ALTER SYSTEM ARCHIVE LOG CURRENT")
    arch = run(
        conn,
        "SELECT sequence#, first_change#, next_change# FROM v$archived_log "
        "WHERE next_change# > :b ORDER BY sequence#",
        {"b": rows[0][2]},
    )
    assert len(arch) == 1
    assert run(conn, "SELECT value FROM v$parameter WHERE name = 'spfile'") == [
        ("/oractl/spfile.ora",)
    ]
    with pytest.raises(dbapi.InterfaceError):
        conn.cursor().fetchall()


def test_dml_select_and_not_open(estate: Estate) -> None:
    conn = sysdba(estate)
    run(conn, "INSERT INTO t_users (key, value) VALUES (:k, :v)", {"k": "a", "v": "1"})
    run(conn, "UPDATE t_users SET value = '2' WHERE key = 'a'")
    assert run(conn, "SELECT key, value FROM t_users") == [("a", "2")]
    run(conn, "DELETE FROM t_users WHERE key = 'a'")
    assert run(conn, "SELECT key, value FROM t_users") == []
    with pytest.raises(dbapi.DatabaseError) as exc:
        run(conn, "SELECT key FROM no_such_table")
    assert exc.value.args[0].full_code == "ORA-00942"
    with pytest.raises(dbapi.DatabaseError) as exc:  # python-oracledb: not ProgrammingError
        run(conn, "FROB THE DATABASE")
    assert not isinstance(exc.value, dbapi.ProgrammingError)
    assert exc.value.args[0].full_code == "ORA-00900"


def test_two_call_shutdown_and_startup(estate: Estate) -> None:
    conn = sysdba(estate)
    conn.shutdown(dbapi.DBSHUTDOWN_IMMEDIATE)
    run(conn, "ALTER DATABASE CLOSE NORMAL")
    run(conn, "ALTER DATABASE DISMOUNT")
    conn.shutdown(dbapi.DBSHUTDOWN_FINAL)
    assert estate.db.status == "SHUTDOWN"
    sysdba(estate, prelim=True).startup()
    conn = sysdba(estate)
    assert run(conn, "SELECT status FROM v$instance") == [("STARTED",)]
    with pytest.raises(dbapi.DatabaseError) as exc:
        run(conn, "SELECT name FROM v$database")
    assert exc.value.args[0].full_code == "ORA-01507"
    run(conn, "ALTER DATABASE MOUNT")
    run(conn, "ALTER DATABASE OPEN")
    assert estate.db.status == "OPEN"


def test_max_and_min_aggregates(estate: Estate) -> None:
    conn = sysdba(estate)
    assert run(conn, "SELECT MAX(sequence#) FROM v$archived_log") == [(None,)]
    for _ in range(3):
        estate.db.workload(2)
        run(conn, "ALTER SYSTEM ARCHIVE LOG CURRENT")
    cur = conn.cursor()
    cur.execute("SELECT max(sequence#) FROM v$archived_log WHERE sequence# < 3")
    assert [d[0] for d in cur.description] == ["MAX(SEQUENCE#)"]
    assert cur.fetchall() == [(2,)]
    assert run(conn, "SELECT MIN( first_change# ) FROM v$archived_log") == [
        (estate.db.cf["archives"][0]["first"],)
    ]
    with pytest.raises(dbapi.DatabaseError) as exc:
        run(conn, "SELECT MAX(nope) FROM v$archived_log")
    assert exc.value.args[0].full_code == "ORA-00904"
