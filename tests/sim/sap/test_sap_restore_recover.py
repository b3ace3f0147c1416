"""BRRESTORE (-b, -a, -m; sap-vss-addendum.md SAP-14, help.sap.com nw73
.../46/bafec999...: "Only one of -a, -b, -b2, -n"; BR430E/BR435E/BR438W/BR439E of 4.6C
"Messages from BR430E to BR464W") and BRRECOVER (-t complete|dbpit, -pit/-scn/-seq, SAP-13,
help.sap.com nw73 .../47/308be65d...: ``brrecover -t dbpit -pit 2011-11-09 16.27.04``),
acting on the Oracle simulator through the BC-BRI peer."""

from __future__ import annotations

import pytest
from sap_helpers import Sap, make_sap

from apprm_ref.sim.oracle.models import OPEN, fold
from apprm_ref.sim.sap import logs, textfiles

C = ("-c", "-u", "/")


def _backed_up_then_archived() -> tuple[Sap, int]:
    """Online backup, then commits whose archived logs BRARCHIVE saved and deleted."""
    s = make_sap()
    assert s.run("brbackup", *C, "-t", "online", "-d", "util_file").rc == 0
    for _ in range(3):
        s.work(4)
        s.db.archive_log_current()
    mid = s.db.history.commits[-1].scn
    assert s.run("brarchive", *C, "-d", "util_file", "-sd").rc == 0
    s.work(4)
    return s, mid


def _lose_datafiles(s: Sap) -> None:
    s.db.shutdown("ABORT")
    for path in ("/oradata/system01.dbf", "/oradata/users01.dbf"):
        s.world.hosts.write_file("db1", path, {0: None, 1: "garbage"})


def test_brrestore_b_last_puts_the_backed_up_files_back() -> None:
    s, _ = _backed_up_then_archived()
    _lose_datafiles(s)
    r = s.run("brrestore", *C, "-b", "last", "-m", "all")
    assert r.rc == 0, r.out
    assert r.run.function == "rsb" and r.run.action.startswith("r")
    assert "BR0456W Probably the database must be recovered" in r.out
    assert [ln.split()[1] for ln in s.backint.inputs[-1]] == [
        "/oradata/system01.dbf", "/oradata/users01.dbf",
    ]  # fmt: skip
    line = textfiles.read(s.world.hosts, "db1", "/oractl/sapbackup/restPRD.log").splitlines()[-1]
    assert line.split()[:2] == [r.run.action, "rsb"] and line.split()[6] == "0"


@pytest.mark.rule("OS-P16")
def test_brrecover_complete_restores_the_missing_archives_with_brrestore_a() -> None:
    s, _ = _backed_up_then_archived()
    _lose_datafiles(s)
    assert s.run("brrestore", *C, "-b", "last").rc == 0
    deleted = sorted(f.path for f in s.sap.files if f.kind == "arch")
    r = s.run("brrecover", *C, "-t", "complete")
    assert r.rc == 0, r.out
    rsa = next(run for run in s.sap.runs if run.function == "rsa")
    assert rsa.end is not None and rsa.rc == 0
    assert sorted(ln.split()[1] for ln in s.backint.inputs[-1]) == deleted
    assert s.db.status == OPEN
    assert s.db.data() == fold(s.db.history.commits)
    assert r.run.function == "crv" and "BR0702I BRRECOVER completed successfully" in r.out


@pytest.mark.rule("OS-P16")
def test_brrecover_fails_when_an_archive_was_never_saved() -> None:
    s, _ = _backed_up_then_archived()
    first_new = len(s.db.cf["archives"])
    for _ in range(4):  # more switches than online groups: the log is on no online group
        s.work(2)
        s.db.archive_log_current()
    unsaved = s.db.cf["archives"][first_new]["name"]
    s.world.hosts.delete_file("db1", unsaved)  # lost before BRARCHIVE saved it
    _lose_datafiles(s)
    assert s.run("brrestore", *C, "-b", "last").rc == 0
    r = s.run("brrecover", *C, "-t", "complete")
    assert r.rc == 5 and "ORA-00308" in r.out and "BR0337E" in r.out
    assert s.db.status != OPEN


def test_brrecover_dbpit_until_scn_and_time() -> None:
    s, mid = _backed_up_then_archived()
    _lose_datafiles(s)
    assert s.run("brrestore", *C, "-b", "last").rc == 0
    r = s.run("brrecover", *C, "-t", "dbpit", "-scn", str(mid + 1))
    assert r.rc == 0, r.out
    assert r.run.function == "dpt"
    assert s.db.data() == fold(s.db.history.commits, below_scn=mid + 1)


def test_brrecover_pit_is_two_words_with_dots() -> None:
    s, _ = _backed_up_then_archived()
    commits = s.db.history.commits
    until = commits[-6].time + 1
    _lose_datafiles(s)
    assert s.run("brrestore", *C, "-b", "last").rc == 0
    pit = logs.stamp(s.world, until)
    r = s.run("brrecover", *C, "-t", "dbpit", "-pit", *pit.split())
    assert r.rc == 0, r.out
    assert s.db.data() == fold([c for c in commits if c.time < until])


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("-a", "1-2", "-b", "last"), "BR0430E Start BRRESTORE either with '-a' or '-b' option"),
        (("-a", "900-901"), "BR0439E No offline redo log files found"),
        (("-a", "5-2"), "BR0156E Illegal value '5-2' found for option -a"),
        (("-b2", "#NULL"), "BR0153E Unknown option '-b2'"),
    ],
)
def test_brrestore_refusals_are_rc3(argv: tuple[str, ...], line: str) -> None:
    s, _ = _backed_up_then_archived()
    r = s.run("brrestore", *C, *argv)
    assert r.rc == 3 and line in r.out


def test_brrestore_of_a_copy_backint_lost_is_rc5_br0513i() -> None:
    s, _ = _backed_up_then_archived()
    s.backint.store.clear()
    r = s.run("brrestore", *C, "-b", "last")
    assert r.rc == 5 and "BR0513I Backup of /oradata/system01.dbf not found for backup ID" in r.out


def test_brrecover_refuses_types_it_does_not_carry_out() -> None:
    s = make_sap()
    r = s.run("brrecover", *C, "-t", "tspit")
    assert r.rc == 3 and "BR0156E Illegal value 'tspit' found for option -t" in r.out
    assert s.db.status == OPEN
