"""``eseutil /mh``, ``/k`` and ``/r`` (doors/eseutil.py): the addendum's formats (VSS-13, from
Microsoft's ESE sources dbdump.cxx, checksum.cxx, eseutil.cxx) and exit codes."""

from __future__ import annotations

import re

import pytest

from apprm_ref.doors.eseutil import main as eseutil_main
from apprm_ref.lab.handle import LabHandle
from apprm_ref.sim.exchange import eseutil, faults
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.labs import busy, power_cycle, world

SG, DB = "First Storage Group", "Mailbox Database"
EDB = "E:\\SG1\\Mailbox Database.edb"
LAST = re.compile(
    r"^Operation (completed successfully in \d+\.\d+ seconds\.|terminated with error -?\d+ "
    r"\(JET_err\w+, [^)]*\) after \d+\.\d+ seconds\.)$"
)


def _dismounted(version: int = 2007):
    w = world(version)
    srv = w.app("EXCH")
    busy(srv)
    srv.dismount(SG, DB)
    return w, srv


def test_elapsed_prints_milliseconds_without_zero_padding():
    assert eseutil.elapsed(3.045) == "3.45"
    assert eseutil.elapsed(3.2) == "3.200"
    assert eseutil.elapsed(0.031) == "0.31"


def test_mh_of_a_dismounted_database_prints_a_clean_header():
    w, _ = _dismounted()
    res = eseutil.run(w, "ex1", ["/mh", EDB])
    assert res.rc == 0 and LAST.match(res.lines[-1])
    assert "            State: Clean Shutdown" in res.lines
    assert "     Log Required: 0-0 (0x0-0x0)" in res.lines
    assert any(line.startswith("  Last Consistent: (0x") for line in res.lines)
    assert res.lines[:2] == [
        "Extensible Storage Engine Utilities for Microsoft(R) Exchange Server",
        "Version 08.01",
    ]
    for title in (
        "Previous Full Backup:",
        "Previous Incremental Backup:",
        "Current Shadow copy backup:",
    ):
        at = res.lines.index(title)
        assert res.lines[at + 1].startswith("        Log Gen: ")
        assert res.lines[at + 2].startswith("           Mark: (0x")


def test_mh_of_a_crashed_database_is_dirty_with_its_required_logs_in_decimal_and_hex():
    w = world(2003)
    srv = w.app("EXCH")
    busy(srv, 8)
    power_cycle(w)
    res = eseutil.run(w, "ex1", ["/mh", "E:\\SG1\\Mailbox Store.edb"])
    assert res.rc == 0 and res.lines[1] == "Version 6.5"
    assert "            State: Dirty Shutdown" in res.lines
    lo, hi = srv.files("ex1").header("E:\\SG1\\Mailbox Store.edb")["log_required"]
    assert f"     Log Required: {lo}-{hi} (0x{lo:x}-0x{hi:x})" in res.lines and lo > 0


def test_a_mounted_database_is_locked():
    w = world(2007)
    res = eseutil.run(w, "ex1", ["/mh", EDB])
    assert res.rc == -1032
    assert res.lines[-1].startswith(
        "Operation terminated with error -1032 (JET_errFileAccessDenied,"
    )


@pytest.mark.rule("VC-P19")
def test_k_on_an_injected_bad_page_fails_with_1018():
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv)
    faults.bad_page(srv, SG, DB)
    srv.dismount(SG, DB)
    res = eseutil.run(w, "ex1", ["/k", EDB])
    assert "1 bad checksums" in res.lines
    assert res.rc == -1018
    assert LAST.match(res.lines[-1])
    assert res.lines[-1].startswith(
        "Operation terminated with error -1018 (JET_errReadVerifyFailure, Checksum error on a "
        "database page) after "
    )


@pytest.mark.rule("VC-P19")
def test_k_of_a_sound_database_counts_its_pages():
    w, _ = _dismounted()
    res = eseutil.run(w, "ex1", ["/k", EDB])
    assert res.rc == 0 and "16 pages seen" in res.lines and "0 bad checksums" in res.lines
    assert any(re.fullmatch(r"\d+ uninitialized pages", line) for line in res.lines)
    assert any(
        re.fullmatch(r"0x[0-9a-f]+ highest dbtime \(pgno 0x[0-9a-f]+\)", line) for line in res.lines
    )


def test_k_of_a_log_file_and_of_a_corrupt_one():
    w, _ = _dismounted()
    path = "L:\\SG1\\" + F.log_name("E00", 2, 2007)
    res = eseutil.run(w, "ex1", ["/k", path])
    assert res.rc == 0 and "Verifying log files..." in res.lines
    assert f"Integrity check passed for log file: {F.log_name('E00', 2, 2007)}" in res.lines
    w.hosts.write_file("ex1", path, {0: ("garbage",)})
    res = eseutil.run(w, "ex1", ["/k", path])
    assert res.rc == -501 and "(JET_errLogFileCorrupt, Log file is corrupt)" in res.lines[-1]


def test_r_recovers_a_crashed_storage_group_to_its_last_acknowledged_message():
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, 7)
    before = srv.data()
    power_cycle(w)
    res = eseutil.run(w, "ex1", ["/r", "E00", "/lL:\\SG1", "/sL:\\SG1", "/dE:\\SG1"])
    assert res.rc == 0, res.text
    assert "Initiating RECOVERY mode..." in res.lines and "    Logfile base name: E00" in res.lines
    assert srv.files("ex1").header(EDB)["state"] == F.CLEAN
    srv.mount(SG, DB)
    assert srv.data() == before


def test_r_without_d_uses_the_databases_the_checkpoint_records():
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, 5)
    power_cycle(w)
    res = eseutil.run(w, "ex1", ["/r", "E00", "/lL:\\SG1"])
    assert res.rc == 0 and srv.files("ex1").header(EDB)["state"] == F.CLEAN


@pytest.mark.parametrize(
    "argv",
    [["/p", EDB], ["/d", EDB], ["/k", EDB, "/x"], ["/r", "E00", "/lL:\\SG1", "/t"], ["/mh"], []],
)
def test_what_this_door_does_not_implement_is_refused(argv):
    w = world(2007)
    w.app("EXCH").dismount(SG, DB)
    blocks = w.hosts.read_file("ex1", EDB)
    res = eseutil.run(w, "ex1", argv)
    assert res.rc == -1003 and "JET_errInvalidParameter" in res.lines[-1]
    assert w.hosts.read_file("ex1", EDB) == blocks


def test_the_console_script_reads_the_lab_and_commits_a_recovery(tmp_path, monkeypatch, capsys):
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, 5)
    power_cycle(w)
    w.save(tmp_path / "world.json")
    monkeypatch.setenv("APPRM_HOME", str(tmp_path))
    monkeypatch.delenv("APPRM_HOST", raising=False)
    assert eseutil_main(["/mh", EDB]) == -1003  # no host to run on
    monkeypatch.setenv("APPRM_HOST", "ex1")
    assert eseutil_main(["/mh", EDB]) == 0
    assert "State: Dirty Shutdown" in capsys.readouterr().out
    assert eseutil_main(["/r", "E00", "/lL:\\SG1"]) == 0
    lab = LabHandle(tmp_path).open()
    lab.close()
    assert lab.world.app("EXCH").files("ex1").header(EDB)["state"] == F.CLEAN
