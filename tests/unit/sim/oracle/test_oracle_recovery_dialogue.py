"""The media-recovery dialogue over SQL, as OCI exposes it (WIRE-I4).

Sources: Oracle Database Backup and Recovery User's Guide, "Performing User-Managed
Recovery" ("Applying Logs Manually", "Performing Cancel-Based Incomplete Recovery");
protocols.md 3.3 for the prompt lines.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from apprm_ref.sim.oracle import dbapi
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.models import fold


def sysdba(e: Estate) -> Any:
    door = dbapi.module(e.world)
    return door.connect(dsn="PRD", user="sys", password="change_on_install", mode=door.SYSDBA)


def fails(cur: Any, statement: str) -> Any:
    with pytest.raises(dbapi.DatabaseError) as exc:
        cur.execute(statement)
    return exc.value.args[0]


def restored(seed: int = 5, switches: int = 3) -> tuple[Estate, list[Any], list[Any]]:
    """An online backup restored with a backup control file (mounted); returns the commit
    history and the archived logs made after it."""
    e = build_estate(seed)
    cur = sysdba(e).cursor()
    e.db.workload(6)
    cur.execute("ALTER DATABASE BEGIN BACKUP")
    cur.execute("ALTER DATABASE BACKUP CONTROLFILE TO '/oraarch/c.ctl' REUSE")
    copies = e.array.snap(["vdata"])
    cur.execute("ALTER DATABASE END BACKUP")
    for _ in range(switches):
        e.db.workload(4)
        cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    history = list(e.db.history.commits)
    archives = [dict(a) for a in e.db.cf["archives"]]
    e.db.shutdown("ABORT")
    e.instant_recovery(copies)
    e.db.startup("NOMOUNT")
    e.db.restore_controlfile("/oraarch/c.ctl")
    e.db.mount()
    return e, history, archives


@pytest.mark.rule("WIRE-I4")
def test_manual_until_cancel_prompts_for_each_log_and_applies_only_what_is_asked() -> None:
    e, history, _ = restored()
    cur = sysdba(e).cursor()
    before = e.world.digest()
    first = fails(cur, "ALTER DATABASE RECOVER DATABASE UNTIL CANCEL USING BACKUP CONTROLFILE")
    assert first.full_code == "ORA-00279"
    lines = first.message.splitlines()
    assert re.fullmatch(
        r"ORA-00279: change \d+ generated at \d\d/\d\d/\d{4} \d\d:\d\d:\d\d needed for thread 1",
        lines[0],
    )
    assert lines[1].startswith("ORA-00289: suggestion : /oraarch/1_")
    assert re.fullmatch(r"ORA-00280: change \d+ for thread 1 is in sequence #\d+", lines[2])
    assert e.world.digest() == before  # a prompt applies nothing
    suggested = lines[1].split(" : ", 1)[1]
    nxt = fails(cur, "ALTER DATABASE RECOVER CONTINUE DEFAULT")
    assert nxt.full_code == "ORA-00279"
    assert f"ORA-00278: log file '{suggested}' no longer needed for this recovery" in nxt.message
    named = nxt.message.splitlines()[1].split(" : ", 1)[1]
    again = fails(cur, f"ALTER DATABASE RECOVER LOGFILE '{named}'")
    assert f"ORA-00278: log file '{named}' no longer needed" in again.message
    cur.execute("ALTER DATABASE RECOVER CANCEL")  # far enough: consistent, no warning
    assert fails(cur, "ALTER DATABASE RECOVER CANCEL").full_code == "ORA-01112"
    cur.execute("ALTER DATABASE OPEN RESETLOGS")
    end = e.db.cf["rl_scn"] - 1
    assert e.db.data() == fold(history, end + 1)


@pytest.mark.rule("WIRE-I4")
def test_cancel_too_early_warns_ora_01547_and_open_resetlogs_fails() -> None:
    e, _, _ = restored()
    cur = sysdba(e).cursor()
    fails(cur, "ALTER DATABASE RECOVER DATABASE UNTIL CANCEL USING BACKUP CONTROLFILE")
    warn = fails(cur, "ALTER DATABASE RECOVER CANCEL")
    assert warn.full_code == "ORA-01547"
    assert "ORA-01195" in warn.message or "ORA-01194" in warn.message
    assert fails(cur, "ALTER DATABASE OPEN RESETLOGS").full_code in ("ORA-01195", "ORA-01194")


@pytest.mark.rule("WIRE-I4")
def test_automatic_until_cancel_stops_at_the_missing_log_with_ora_00308() -> None:
    e, history, archives = restored(switches=6)
    missing = archives[-3]  # its online group has been reused since
    e.db.damage_archived_log(missing["seq"])
    cur = sysdba(e).cursor()
    err = fails(
        cur, "ALTER DATABASE RECOVER AUTOMATIC DATABASE UNTIL CANCEL USING BACKUP CONTROLFILE"
    )
    assert err.full_code == "ORA-00279"
    codes = re.findall(r"^(ORA-\d{5}):", err.message, flags=re.M)
    assert codes == ["ORA-00279", "ORA-00289", "ORA-00280", "ORA-00278", "ORA-00308", "ORA-27037"]
    assert f"ORA-00308: cannot open archived log '{missing['name']}'" in err.message
    cur.execute("ALTER DATABASE RECOVER CANCEL")
    cur.execute("ALTER DATABASE OPEN RESETLOGS")
    assert e.db.data() == fold(history, missing["first"])


@pytest.mark.rule("WIRE-I4")
def test_a_log_that_cannot_be_opened_leaves_the_session_waiting() -> None:
    e, _, _ = restored()
    cur = sysdba(e).cursor()
    fails(cur, "ALTER DATABASE RECOVER DATABASE UNTIL CANCEL USING BACKUP CONTROLFILE")
    before = e.world.digest()
    err = fails(cur, "ALTER DATABASE RECOVER LOGFILE '/oraarch/nope.arc'")
    assert err.message.splitlines() == [
        "ORA-00308: cannot open archived log '/oraarch/nope.arc'",
        "ORA-27037: unable to obtain file status",
    ]
    assert e.world.digest() == before
    busy = fails(cur, "ALTER DATABASE RECOVER DATABASE UNTIL CANCEL USING BACKUP CONTROLFILE")
    assert busy.full_code == "ORA-01153"
    assert fails(cur, "ALTER DATABASE RECOVER CONTINUE").full_code == "ORA-00279"


@pytest.mark.rule("WIRE-I4")
def test_manual_until_change_ends_by_itself_and_matches_automatic() -> None:
    a, history, archives = restored(seed=9)
    b, _, _ = restored(seed=9)
    stop = archives[-1]["first"] + 2
    stmt = f"DATABASE UNTIL CHANGE {stop} USING BACKUP CONTROLFILE"
    sysdba(a).cursor().execute(f"ALTER DATABASE RECOVER AUTOMATIC {stmt}")
    cur = sysdba(b).cursor()
    fails(cur, f"ALTER DATABASE RECOVER {stmt}")
    for _ in range(10):
        try:
            cur.execute("ALTER DATABASE RECOVER CONTINUE")
            break
        except dbapi.DatabaseError as exc:
            assert exc.args[0].full_code == "ORA-00279"
    else:
        pytest.fail("UNTIL CHANGE never ended by itself")
    for e in (a, b):
        sysdba(e).cursor().execute("ALTER DATABASE OPEN RESETLOGS")
    assert a.db.data() == b.db.data() == fold(history, stop)


@pytest.mark.rule("WIRE-I4")
def test_manual_complete_recovery_with_the_current_control_file() -> None:
    """RECOVER DATABASE, CONTINUE per log, ends by itself at the online log; plain OPEN."""
    e = build_estate(11)
    cur = sysdba(e).cursor()
    e.db.workload(5)
    cur.execute("ALTER TABLESPACE users BEGIN BACKUP")
    copies = e.array.snap(["vdata"])
    cur.execute("ALTER TABLESPACE users END BACKUP")
    for _ in range(2):
        e.db.workload(4)
        cur.execute("ALTER SYSTEM ARCHIVE LOG CURRENT")
    e.db.workload(3)
    wanted = e.db.data()
    e.db.shutdown("ABORT")
    e.instant_recovery(copies)
    e.db.startup("MOUNT")
    assert fails(cur, "ALTER DATABASE RECOVER DATABASE").full_code == "ORA-00279"
    for _ in range(10):
        try:
            cur.execute("ALTER DATABASE RECOVER CONTINUE")
            break
        except dbapi.DatabaseError as exc:
            assert exc.args[0].full_code == "ORA-00279"
    else:
        pytest.fail("complete recovery never ended")
    assert fails(cur, "ALTER DATABASE RECOVER CANCEL").full_code == "ORA-01112"
    cur.execute("ALTER DATABASE OPEN")
    assert e.db.data() == wanted
