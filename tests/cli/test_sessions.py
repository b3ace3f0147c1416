"""``apprm stat`` and ``apprm sessions`` over sessions recorded in the lab's IDB."""

from __future__ import annotations

import pytest

from apprm_ref.core.session import BackupObjectRecord, ObjectResult, Session
from apprm_ref.types import SessionType, Severity

from .conftest import doc, one_error_line


def _finished(sid: str, spec: str = "fs1", start: float = 3600.0) -> Session:
    s = Session(id=sid, type=SessionType.BACKUP, spec=spec, started=start)
    s.objects.append(BackupObjectRecord("/data", "filesystem", ObjectResult.COMPLETED))
    s.log(start, Severity.NORMAL, "BSM", f"Backup session {sid} started")
    s.log(
        start + 5, Severity.MAJOR, "SMISA@bk1", "Cannot present target", code="230:14", obj="/data"
    )
    s.finish(start + 65)
    return s


@pytest.mark.rule("VC-P15")
def test_stat_idle_prints_the_product_line(lab, cli):
    res = cli("stat")
    assert res.exit_code == 0
    assert res.stdout == "No currently running sessions.\n"
    assert doc(cli("stat", "--json").stdout) == []


@pytest.mark.rule("VC-P15")
def test_stat_lists_running_sessions(lab, cli, idb):
    idb.save_session(_finished("2008/03/03-1"))
    assert cli("stat").stdout == "No currently running sessions.\n"
    idb.save_session(
        Session(id="2008/03/03-2", type=SessionType.BACKUP, spec="fs1", started=7200.0)
    )
    out = cli("stat").stdout
    assert "2008/03/03-2" in out and "In Progress" in out and "2008/03/03-1" not in out
    detail = cli("stat", "--detail").stdout.splitlines()
    keys = [line.split(" : ")[0].strip() for line in detail]
    assert keys == [
        "SessionID",
        "Session type",
        "Session status",
        "User.Group@Host",
        "Session started",
        "Backup Specification",
    ]
    assert detail[4].endswith("2008-03-03 02:00:00")


def test_sessions_list_and_json(lab, cli, idb):
    idb.save_session(_finished("2008/03/03-2", "b", start=7200.0))
    idb.save_session(_finished("2008/03/03-1", "a"))
    res = cli("sessions", "list")
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert lines[0].split()[:3] == ["SessionID", "Type", "Status"]
    assert lines[2].split()[:3] == ["2008/03/03-1", "Backup", "Completed/Errors"]
    data = doc(cli("sessions", "list", "--json").stdout)
    assert [d["id"] for d in data] == ["2008/03/03-1", "2008/03/03-2"]
    assert list(data[0]) == sorted(data[0])
    assert [d["id"] for d in doc(cli("sessions", "list", "--spec", "b", "--json").stdout)] == [
        "2008/03/03-2"
    ]


def test_sessions_show_renders_messages(lab, cli, idb):
    idb.save_session(_finished("2008/03/03-1"))
    out = cli("sessions", "show", "2008/03/03-1").stdout
    assert "Session status       : Completed/Errors" in out
    assert (
        '[Major] From: SMISA@bk1 "/data"  Time: 03-03-2008 01:00:05\n    [230:14] Cannot present target'
        in out
    )
    major = cli("sessions", "show", "2008/03/03-1", "--report", "major").stdout
    assert "[Normal]" not in major and "[Major]" in major
    data = doc(cli("sessions", "show", "2008/03/03-1", "--json", "--report", "warning").stdout)
    assert [m["severity"] for m in data["messages"]] == ["Major"]
    assert (
        data["status"] == "Completed/Errors" and data["finished_at"] == "2008-03-03T01:01:05+00:00"
    )


def test_sessions_show_errors(lab, cli, idb):
    one_error_line(cli("sessions", "show", "2008/01/01-9"), "session '2008/01/01-9' not found")
    idb.save_session(_finished("2008/03/03-1"))
    one_error_line(
        cli("sessions", "show", "2008/03/03-1", "--report", "loud"), "unknown report level"
    )
