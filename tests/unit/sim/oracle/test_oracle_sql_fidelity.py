"""The SQL admin scripts and backup tools send, with Oracle's semantics, and Oracle's codes
for the rest (WIRE-I4, WIRE-I2). Statement texts from protocols.md 3.1 (the reference's own
hot-backup and archived-log queries); codes from Oracle Database Error Messages."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.sim.oracle import dbapi
from apprm_ref.sim.oracle.estate import Estate


def sysdba(e: Estate) -> Any:
    return dbapi.connect(
        "db1/PRD", user="sys", password="change_on_install", mode=dbapi.SYSDBA, world=e.world
    )


def rows(cur: Any, statement: str, binds: Any = None) -> list[tuple[Any, ...]]:
    cur.execute(statement, binds or {})
    return cur.fetchall()


def code(cur: Any, statement: str, binds: Any = None) -> str:
    with pytest.raises(dbapi.DatabaseError) as exc:
        cur.execute(statement, binds or {})
    return str(exc.value.args[0].full_code)


@pytest.mark.rule("WIRE-I4")
def test_reference_prechecks_and_archived_log_query(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    joined = rows(
        cur,
        "SELECT d.file#, d.name, t.name AS tablespace_name, d.status, d.enabled, "
        "d.checkpoint_change#, d.bytes FROM v$datafile d JOIN v$tablespace t ON t.ts# = d.ts#",
    )
    assert [(r[0], r[2]) for r in joined] == [(1, "SYSTEM"), (2, "USERS")]
    assert [d[0] for d in cur.description][2] == "TABLESPACE_NAME"
    comma = rows(cur, "SELECT d.name, t.name FROM v$datafile d, v$tablespace t WHERE t.ts# = d.ts#")
    assert comma == [(r[1], r[2]) for r in joined]
    assert code(cur, "SELECT name FROM v$datafile d JOIN v$tablespace t ON t.ts# = d.ts#") == (
        "ORA-00918"
    )
    cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    begin = cur.execute("ALTER DATABASE BEGIN BACKUP") or estate.db.backup_files()[1]
    estate.db.workload(3)
    cur.execute("ALTER DATABASE END BACKUP")
    cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    end = estate.db.scn
    needed = rows(
        cur,
        "SELECT thread#, sequence#, first_change#, next_change#, name FROM v$archived_log "
        "WHERE next_change# > :begin_scn AND first_change# <= :end_scn AND name IS NOT NULL "
        "ORDER BY thread#, sequence#",
        {"begin_scn": begin, "end_scn": end},
    )
    assert [r[1] for r in needed] == [2]
    assert rows(cur, "SELECT COUNT(*) FROM v$archived_log WHERE name IS NULL") == [(0,)]
    assert rows(cur, "SELECT COUNT(*), MAX(sequence#) FROM v$archived_log WHERE 1 = 2") == [
        (0, None)
    ]
    assert code(cur, "SELECT sequence#, COUNT(*) FROM v$archived_log") == "ORA-00937"


@pytest.mark.rule("WIRE-I4")
def test_session_dual_sysdate_quoted_identifiers(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("ALTER SESSION SET NLS_DATE_FORMAT = 'YYYY-MM-DD HH24:MI:SS'")
    now = estate.world.clock.datetime().replace(tzinfo=None)
    assert rows(cur, "SELECT dummy, SYSDATE FROM dual") == [("X", now)]
    assert rows(cur, "SELECT TO_CHAR(SYSDATE) FROM DUAL") == [(now.strftime("%Y-%m-%d %H:%M:%S"),)]
    assert rows(cur, 'SELECT "NAME", "LOG_MODE" FROM "V$DATABASE"') == [("PRD", "ARCHIVELOG")]
    assert code(cur, 'SELECT "name" FROM v$database') == "ORA-00904"  # quoted keeps case
    assert code(cur, "ALTER SESSION SET NLS_DATE_FORMAT = 'QQQ'") == "ORA-01821"
    assert code(cur, "ALTER SESSION SET no_such_parameter = 1") == "ORA-02248"
    stamp = rows(cur, "SELECT first_time FROM v$log WHERE status = 'CURRENT'")[0][0]
    text = stamp.strftime("%Y-%m-%d %H:%M:%S")
    assert rows(cur, "SELECT group# FROM v$log WHERE first_time = :t", {"t": text})
    assert code(cur, "SELECT 1 FROM dual WHERE SYSDATE > '03/03/2008'") == "ORA-01861"


@pytest.mark.rule("WIRE-I4")
def test_expressions_and_headings(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("SELECT 1e3, -2 + 3 * 4, 5/2, 'a' || NULL || 1, NVL(NULL, 'd') FROM dual")
    assert [d[0] for d in cur.description] == [
        "1E3",
        "-2+3*4",
        "5/2",
        "'A'||NULL||1",
        "NVL(NULL,'D')",
    ]
    assert cur.fetchall() == [(1000, 10, 2.5, "a1", "d")]
    assert rows(cur, "SELECT name FROM v$datafile WHERE file# + 1 = 3") == [
        ("/oradata/users01.dbf",)
    ]
    assert rows(cur, "SELECT file# FROM v$datafile ORDER BY -file#") == [(2,), (1,)]
    assert code(cur, "SELECT 1/0 FROM dual") == "ORA-01476"
    assert code(cur, "SELECT 1 /* open FROM dual") == "ORA-01742"


@pytest.mark.rule("WIRE-I4")
def test_group_by_and_having(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("ALTER TABLESPACE users BEGIN BACKUP")
    assert rows(cur, "SELECT status, COUNT(*) FROM v$backup GROUP BY status ORDER BY 1") == [
        ("ACTIVE", 1),
        ("NOT ACTIVE", 1),
    ]
    assert rows(
        cur,
        "SELECT t.name, COUNT(d.file#) files FROM v$datafile d JOIN v$tablespace t "
        "ON t.ts# = d.ts# GROUP BY t.name HAVING COUNT(*) > 0 AND t.name <> 'SYSTEM'",
    ) == [("USERS", 1)]
    assert [d[0] for d in cur.description] == ["NAME", "FILES"]
    assert rows(cur, "SELECT status, COUNT(*) FROM v$backup WHERE 1 = 0 GROUP BY status") == []
    assert code(cur, "SELECT file#, COUNT(*) FROM v$backup GROUP BY status") == "ORA-00979"
    assert code(cur, "SELECT MAX(MAX(file#)) FROM v$backup") == "ORA-00935"


@pytest.mark.rule("WIRE-I4")
def test_uncorrelated_subqueries(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    for _ in range(3):
        cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    last = rows(
        cur,
        "SELECT sequence# FROM v$archived_log "
        "WHERE sequence# = (SELECT MAX(sequence#) FROM v$archived_log)",
    )
    assert last == [(3,)]
    users = "SELECT ts# FROM v$tablespace WHERE name = 'USERS'"
    assert rows(cur, f"SELECT file# FROM v$datafile WHERE ts# IN ({users})") == [(2,)]
    assert rows(cur, f"SELECT file# FROM v$datafile WHERE ts# NOT IN ({users})") == [(1,)]
    assert rows(cur, "SELECT 1 FROM dual WHERE EXISTS (SELECT 1 FROM v$backup)") == [(1,)]
    assert code(cur, "SELECT (SELECT file# FROM v$backup) FROM dual") == "ORA-01427"
    assert code(cur, "SELECT (SELECT d.name FROM dual) FROM v$datafile d") == "ORA-00904"


@pytest.mark.rule("WIRE-I4")
def test_dictionary_views_and_recover_file(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    assert rows(cur, "SELECT tablespace_name, status, contents FROM dba_tablespaces") == [
        ("SYSTEM", "ONLINE", "PERMANENT"),
        ("USERS", "ONLINE", "PERMANENT"),
    ]
    files = rows(cur, "SELECT file_id, file_name, tablespace_name FROM dba_data_files")
    assert files == [(1, "/oradata/system01.dbf", "SYSTEM"), (2, "/oradata/users01.dbf", "USERS")]
    assert rows(cur, "SELECT * FROM v$recover_file") == []
    cur.execute("ALTER DATABASE BEGIN BACKUP")
    copies = estate.array.snap(["vdata"])
    cur.execute("ALTER DATABASE END BACKUP")
    estate.db.workload(4)
    cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    estate.db.shutdown("ABORT")
    estate.instant_recovery(copies)
    estate.db.startup("MOUNT")
    assert code(cur, "SELECT * FROM dba_data_files") == "ORA-01219"
    assert [r[0] for r in rows(cur, "SELECT file#, error FROM v$recover_file")] == [1, 2]


@pytest.mark.rule("WIRE-I4")
def test_datafile_end_backup_ends_only_the_named_files(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("ALTER DATABASE BEGIN BACKUP")
    cur.execute("ALTER DATABASE DATAFILE 2 END BACKUP")
    assert rows(cur, "SELECT file#, status FROM v$backup") == [(1, "ACTIVE"), (2, "NOT ACTIVE")]
    assert code(cur, "ALTER DATABASE DATAFILE 2 END BACKUP") == "ORA-01142"
    assert code(cur, "ALTER DATABASE DATAFILE '/oradata/nope.dbf' END BACKUP") == "ORA-01516"
    cur.execute("ALTER DATABASE DATAFILE '/oradata/system01.dbf' END BACKUP")
    assert estate.db.backup_files() == {}


@pytest.mark.rule("WIRE-I4")
def test_datafile_end_backup_clears_a_crash_leftover_while_mounted(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("ALTER DATABASE BEGIN BACKUP")
    estate.db.shutdown("ABORT")
    estate.db.startup("MOUNT")
    cur.execute("ALTER DATABASE DATAFILE 1, '/oradata/users01.dbf' END BACKUP")
    assert rows(cur, "SELECT COUNT(*) FROM v$backup WHERE status = 'ACTIVE'") == [(0,)]
    cur.execute("ALTER DATABASE OPEN")
    assert estate.db.status == "OPEN"


@pytest.mark.rule("WIRE-I4")
def test_suspend_resume_and_controlfile_to_trace(estate: Estate) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("ALTER SYSTEM SUSPEND")
    assert rows(cur, "SELECT database_status FROM v$instance") == [("SUSPENDED",)]
    before = estate.world.digest()
    assert code(cur, "ALTER SYSTEM SWITCH LOGFILE") == "DPY-4024"  # queued: never returns
    assert estate.world.digest() == before
    cur.execute("ALTER SYSTEM RESUME")
    assert rows(cur, "SELECT database_status FROM v$instance") == [("ACTIVE",)]
    cur.execute("ALTER DATABASE BACKUP CONTROLFILE TO TRACE AS '/oraarch/ctl.sql' REUSE")
    text = estate.db.hosts.read_file("db1", "/oraarch/ctl.sql")[0]
    assert 'CREATE CONTROLFILE REUSE DATABASE "PRD" NORESETLOGS  ARCHIVELOG' in text
    assert "  '/oradata/users01.dbf'" in text
    assert code(cur, "ALTER DATABASE BACKUP CONTROLFILE TO TRACE AS '/oraarch/ctl.sql'") == (
        "ORA-01580"
    )


@pytest.mark.rule("WIRE-I2")
@pytest.mark.rule("REL-I4")
@pytest.mark.parametrize(
    ("statement", "binds", "expected"),
    [
        ("SELECT 1 FROM dual; SELECT 2 FROM dual", None, "ORA-00911"),
        ("SELECT 'open FROM dual", None, "ORA-01756"),
        ('SELECT "open FROM dual', None, "ORA-01740"),
        ("SELECT :a FROM dual", None, "ORA-01008"),
        ("SELECT name FROM v$database", {"x": 1}, "DPY-4008"),
        ("SELECT nope FROM v$database", None, "ORA-00904"),
        ("SELECT * FROM v$nothing", None, "ORA-00942"),
        ("SELECT name v$database", None, "ORA-00923"),
        ("SELECT name FROM v$database WHERE", None, "ORA-00936"),
        ("SELECT name FROM v$database extra words", None, "ORA-00933"),
        ("SELECT name FROM v$database WHERE name", None, "ORA-00920"),
        ("SELECT BOGUS(name) FROM v$database", None, "ORA-00904"),
        ("GRANT DBA TO scott", None, "ORA-00900"),
        ("ALTER SYSTEM FLY", None, "ORA-02065"),
        ("ALTER DATABASE BEGIN BACKUP NOW", None, "ORA-00933"),
        ("SELECT 1 FROM dual WHERE 'x' = 1", None, "ORA-01722"),
        ("INSERT INTO t_users (key, value) VALUES ('a')", None, "ORA-00947"),
        ("INSERT INTO t_users (key, value) VALUES (NULL, 'x')", None, "ORA-01400"),
        ("UPDATE t_users SET value = NULL", None, "ORA-01407"),
        ("UPDATE t_users SET nope = 'x'", None, "ORA-00904"),
        ("INSERT INTO t_users (key, value) VALUES ('k', 'again')", None, "ORA-00001"),
        ("INSERT INTO t_users (key, value) VALUES (:k, :v)", {"k": "z", "v": {"x": 1}}, "DPY-3002"),
        (
            "INSERT INTO t_users (key, value) VALUES (:k, :v)",
            {"k": "z", "v": "x" * 4001},
            "ORA-12899",
        ),
        ("INSERT INTO no_table (key, value) VALUES ('a', 'b')", None, "ORA-00942"),
        ("DELETE FROM t_users WHERE value > 3", None, "ORA-01722"),
        ("ALTER DATABASE RECOVER CANCEL", None, "ORA-01112"),
        ("ALTER DATABASE MOUNT", None, "ORA-01100"),
    ],
)
def test_refusals_carry_the_real_code_and_change_nothing(
    estate: Estate, persisted: Any, statement: str, binds: Any, expected: str
) -> None:
    cur = sysdba(estate).cursor()
    cur.execute("INSERT INTO t_users (key, value) VALUES ('k', 'v')")
    before = persisted(estate)
    assert code(cur, statement, binds) == expected
    assert persisted(estate) == before
