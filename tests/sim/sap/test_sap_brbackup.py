"""BRBACKUP on the Oracle simulator.

Sources: backup_type values and the BR0068E refusal, help.sap.com nw70ehp1
.../0d/d309664a0c11d182b80000e829fbfe ("offline: ... checks that no SAP system users are
connected ... terminates the process with an error message (message number BR0068E)";
"online_split: The tablespaces to be backed up are only placed in BACKUP status during the
split"; "offline_split: The database is only shut down for the mirror disks split");
split_cmd contract, help.sap.com nw75 .../47/39a2bd51500aa7e10000000a114a6b; detail-log
names, "Names of the BRBACKUP Detail Logs" saphelp_nwpi71 .../47/204b5bc4091149e10000000a11466f;
return codes, "Messages and Return Codes for BR*Tools" (with rc 9) saphelp_nw73
.../47/316532be952036e10000000a114a6b; BR315I/BR317I/BR319I/BR321I, 4.6C "Messages from
BR308I to BR339W"; BR0233E and the #FILE/#SAVED pair, sap-vss-addendum.md SAP-5.
"""

from __future__ import annotations

import re

import pytest
from sap_helpers import SPLIT_PROFILE, make_sap

from apprm_ref.sim.oracle.models import OPEN, SHUTDOWN
from apprm_ref.sim.sap import logs, textfiles

BASE = ("-c", "-u", "/")


def _events(world):  # type: ignore[no-untyped-def]
    seen: list[tuple[str, str]] = []
    world.subscribe(lambda ev: seen.append((ev.kind, str(ev.data.get("ts")))))
    return seen


@pytest.mark.rule("OS-I19")
def test_online_split_holds_backup_mode_only_around_the_split() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    seen = _events(s.world)
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    assert r.rc == 0, r.out
    split, resync = s.split.calls
    assert split["status"] == OPEN and split["backup_files"] == [1, 2]  # all in backup mode
    assert split["files"] == ["/oradata/system01.dbf", "/oradata/users01.dbf"]
    assert resync["backup_files"] == []
    kinds = [k for k, _ in seen if k.startswith("oracle.")]
    first_end = kinds.index("oracle.end_backup")
    assert kinds.count("oracle.begin_backup") == kinds.count("oracle.end_backup") == 2
    assert all(k == "oracle.begin_backup" for k in kinds[:first_end])
    # backint ran after the split, with nothing in backup mode
    assert s.backint.copied_in_backup_mode == dict.fromkeys(s.backint.copied_in_backup_mode, False)
    assert not s.db.backup_files()


@pytest.mark.rule("OS-I19")
def test_offline_split_keeps_the_database_down_only_around_the_split() -> None:
    s = make_sap(profile=SPLIT_PROFILE, sap_users=["DIA01"])
    r = s.run("brbackup", *BASE, "-t", "offline_split", "-d", "util_file")
    assert r.rc == 0, r.out
    assert s.split.calls[0]["status"] == SHUTDOWN
    assert s.db.status == OPEN
    # the control files and online logs of an offline backup go to the device too
    saved = [ln.split()[0] for ln in s.backint.inputs[0]]
    assert "/oractl/control01.ctl" in saved and "/oractl/redo01a.log" in saved
    assert "BR0068E" not in r.out  # SAP users do not stop an offline split


@pytest.mark.rule("OS-P14")
@pytest.mark.parametrize(("rc", "output"), [(1, "split failed\n"), (0, "copying...\n")])
def test_a_failed_split_leaves_nothing_in_backup_mode(rc: int, output: str) -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    s.split.rc, s.split.output = rc, output
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    assert r.rc == 5
    assert "BR0278E Command output of '/opt/omni/lbin/splitint':" in r.out
    assert "BR0289E" in r.out and not s.backint.calls
    assert not s.db.backup_files() and s.db.status == OPEN
    assert s.sap.runs[-1].rc == 5


@pytest.mark.rule("OS-P14")
def test_split_output_of_info_lines_only_is_success() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    s.split.output = "#INFO replica 1 created\n#INFO presented to bk1\n"
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    assert r.rc == 0 and "#INFO replica 1 created" in r.out


@pytest.mark.rule("OS-P14")
def test_begin_backup_failure_ends_the_tablespaces_already_begun() -> None:
    from apprm_ref.errors import OracleError

    s = make_sap(profile=SPLIT_PROFILE)
    calls = {"n": 0}
    real = s.db.admin.begin_backup

    def second_fails(ts=None):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise OracleError("file 2 is already in backup", code="ORA-01146")
        return real(ts)

    s.db.admin.begin_backup = second_fails
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    assert r.rc == 5 and "BR0316E 'Alter tablespace USERS begin backup' failed" in r.out
    assert "BR0317I 'Alter tablespace SYSTEM end backup' successful" in r.out
    assert not s.db.backup_files() and not s.split.calls


@pytest.mark.rule("OS-P15")
def test_offline_with_sap_users_is_br0068e_rc3() -> None:
    s = make_sap(sap_users=["DIA01", "BTC01"])
    r = s.run("brbackup", *BASE, "-t", "offline", "-d", "util_file")
    assert r.rc == 3
    assert "BR0068E" in r.out and r.out.rstrip().endswith("BR0054I BRBACKUP terminated with errors")
    assert s.db.status == OPEN and not s.backint.calls
    line = textfiles.read(s.world.hosts, "db1", s.sap.summary_log("brbackup")).splitlines()[-1]
    assert line.split()[6] == "3" and "offline" in line


@pytest.mark.rule("OS-P15")
def test_offline_force_shuts_down_despite_sap_users() -> None:
    s = make_sap(sap_users=["DIA01"])
    r = s.run("brbackup", *BASE, "-t", "offline_force", "-d", "util_file")
    assert r.rc == 0, r.out
    assert "BR0307I Shutting down database instance PRD" in r.out
    assert "BR0068E" not in r.out and s.db.status == OPEN
    assert r.run is not None and r.run.function == "aff"


@pytest.mark.rule("OS-I21")
@pytest.mark.parametrize(
    ("btype", "device", "mode", "ext"),
    [
        ("online", "util_file", "all", "anf"),
        ("online", "util_file_online", "all_data", "anf"),
        ("offline", "util_file", "all", "aff"),
        ("offline_force", "disk", "all", "afd"),
        ("online", "disk", "USERS", "pnd"),
        ("online_split", "util_file", "all", "anf"),
        ("offline_split", "util_file_online", "SYSTEM", "pff"),
    ],
)
def test_detail_log_extension_follows_type_device_and_mode(
    btype: str, device: str, mode: str, ext: str
) -> None:
    s = make_sap(profile={**SPLIT_PROFILE, "backup_root_dir": "/oractl/backup"})
    r = s.run("brbackup", *BASE, "-t", btype, "-d", device, "-m", mode)
    assert r.rc == 0, r.out
    run = r.run
    assert run is not None and run.function == ext and re.fullmatch(r"b[a-z]{7}", run.action)
    assert f"BR0055I Start of database backup: {run.action}.{ext}" in r.out
    detail = logs.read_detail(s.sap, f"{run.action}.{ext}")
    assert detail is not None and detail.endswith("BR0052I BRBACKUP completed successfully\n")
    line = textfiles.read(s.world.hosts, "db1", s.sap.summary_log("brbackup")).splitlines()[-1]
    fields = line.split()
    assert fields[:2] == [run.action, ext] and fields[6] == "0"
    assert fields[7:10] == [mode, btype, device]


@pytest.mark.rule("OS-I21")
def test_summary_line_reads_rc_9_while_the_run_is_going() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    seen: list[str] = []
    real = s.split.run

    def look(argv):  # type: ignore[no-untyped-def]
        seen.append(textfiles.read(s.world.hosts, "db1", "/oractl/sapbackup/backPRD.log"))
        return real(argv)

    s.runner.split.run = look  # type: ignore[method-assign]
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    during = seen[0].splitlines()[-1].split()
    after = textfiles.read(s.world.hosts, "db1", "/oractl/sapbackup/backPRD.log").splitlines()
    assert during[6] == "9" and during[0] == r.run.action
    assert len(after) == 1 and after[0].split()[6] == "0"


@pytest.mark.rule("OS-I21")
def test_backint_errors_make_rc5_with_br0233e_per_file() -> None:
    s = make_sap()
    s.backint.fail = {"/oradata/users01.dbf"}
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file")
    assert r.rc == 5
    assert (
        "BR0233E Backup utility has reported an error while saving file /oradata/users01.dbf"
        in r.out
    )
    assert "#FILE..... /oradata/system01.dbf\n#SAVED.... TST0000001" in r.out
    assert r.out.rstrip().endswith("BR0054I BRBACKUP terminated with errors")
    assert not s.db.backup_files()


@pytest.mark.rule("OS-I21")
def test_missing_and_unknown_backint_results() -> None:
    s = make_sap()
    s.backint.omit = {"/oradata/users01.dbf"}
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file")
    assert r.rc == 5 and "BR0510I File /oradata/users01.dbf not processed by backint" in r.out
    s = make_sap()
    s.backint.extra = ["/etc/passwd"]
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file")
    assert r.rc == 1 and "BR0511I Unknown file /etc/passwd processed by backint" in r.out
    assert "BR0053I BRBACKUP completed successfully with warnings" in r.out


@pytest.mark.rule("OS-P14")
def test_every_saved_file_has_a_file_saved_pair_in_the_detail_log() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    r = s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file")
    detail = logs.read_detail(s.sap, r.run.log).splitlines()
    for f in s.sap.files_of(r.run.action):
        i = detail.index(f"#FILE..... {f.path}")
        assert detail[i + 1] == f"#SAVED.... {f.bid}"
    assert len(s.backint.calls) == 2  # database files, then profiles and logs


@pytest.mark.rule("OS-P19")
def test_fillup_hands_backint_exactly_the_failed_files() -> None:
    s = make_sap()
    s.backint.fail = {"/oradata/users01.dbf"}
    first = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file")
    assert first.rc == 5
    s.backint.fail = set()
    r = s.run("brbackup", *BASE, "-f", f"{first.run.action}.{first.run.function}")
    assert r.rc == 0, r.out
    assert s.backint.inputs[-2] == ["/oradata/users01.dbf", "/oractl/sapbackup/cntrlPRD.dbf"]


@pytest.mark.rule("OS-I18")
def test_util_file_online_switches_each_file_while_it_is_copied() -> None:
    s = make_sap()
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file_online")
    assert r.rc == 0, r.out
    assert "BR0142I Files will be switched to backup status during the backup" in r.out
    assert s.backint.copied_in_backup_mode["/oradata/system01.dbf"] is True
    assert s.backint.copied_in_backup_mode["/oradata/users01.dbf"] is True
    assert "-t file_online" in " ".join(s.backint.calls[0])
    assert not s.db.backup_files()


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (("-k", "yes"), "BR0153E Unknown option '-k' found at position 2"),
        (("-t", "online_mirror"), "BR0156E Illegal value 'online_mirror' found for option -t"),
        (("-d", "tape"), "BR0156E Illegal value 'tape' found for option -d"),
        (("-m", "full"), "BR0156E Illegal value 'full' found for option -m"),
        (("-t",), "BR0155E No value found for option -t"),
        (("-u", "system/wrong"), "BR0310E Connect to database instance PRD failed"),
    ],
)
def test_options_not_carried_out_are_refused_rc3(argv: tuple[str, ...], line: str) -> None:
    s = make_sap()
    r = s.run("brbackup", "-c", *argv)
    assert r.rc == 3 and line in r.out
    assert s.db.status == OPEN and not s.db.backup_files() and not s.backint.calls


def test_without_confirmation_the_run_is_cancelled_rc2() -> None:
    s = make_sap()
    r = s.run("brbackup", "-t", "online", "-d", "util_file")
    assert r.rc == 2 and "BR0256I" in r.out and not s.backint.calls
    r = s.run("brbackup", "-t", "online", "-d", "util_file", confirm=lambda _p: "c")
    assert r.rc == 0


def test_query_processes_nothing() -> None:
    s = make_sap()
    r = s.run("brbackup", *BASE, "-q", "check", "-t", "online", "-d", "util_file")
    assert r.rc == 0 and "BR0135I" in r.out and r.run.function == "qub"
    assert not s.backint.calls and not s.db.backup_files()


def test_disk_backup_copies_the_files_under_backup_root_dir() -> None:
    s = make_sap(profile={"backup_root_dir": "/oractl/backup"})
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "disk")
    assert r.rc == 0, r.out
    copy = s.world.hosts.read_file("db1", f"/oractl/backup/{r.run.action}/users01.dbf")
    live = s.world.hosts.read_file("db1", "/oradata/users01.dbf")
    assert len(copy) == len(live)
    header = dict(copy[0][1][1])
    assert header["ts"] == "USERS" and header["backup"] > 0  # copied in backup mode (fuzzy)


def test_brtools_runner_serves_the_commands_over_the_runner_seam() -> None:
    from apprm_ref.real.runner import CommandRunner
    from apprm_ref.sim.sap.tools import BrToolsRunner

    s = make_sap()
    runner = BrToolsRunner(s.sap, s.runner)
    assert isinstance(runner, CommandRunner)
    rc, out, err = runner.run(["/usr/sap/PRD/SYS/exe/run/brbackup", *BASE, "-t", "online",
                               "-d", "util_file"])  # fmt: skip
    assert rc == 0 and out.endswith("BR0052I BRBACKUP completed successfully\n") and err == ""
    assert runner.run(["brspace", "-f", "dbshut"])[0] == 127


def test_a_batched_switch_round_switches_every_file_it_names() -> None:
    """SAP-9: "you can put multiple lines into a single switch-list file"."""
    from apprm_ref.sim.sap.backint import serve_switch

    s = make_sap()
    hosts, work = s.world.hosts, s.sap.sapbackup
    acted: list[tuple[str, list[str]]] = []

    def act(keyword: str, files: list[str]) -> list[str]:
        acted.append((keyword, files))
        return [f for f in files if "users" in f]

    assert serve_switch(hosts, "db1", work, act) is False  # no semaphore, no round
    textfiles.write(hosts, "db1", f"{work}/.switch.lis",
                    "#BEGIN /oradata/system01.dbf\n#BEGIN /oradata/users01.dbf\n")  # fmt: skip
    textfiles.write(hosts, "db1", f"{work}/.switch.sem", "")
    assert serve_switch(hosts, "db1", work, act) is True
    assert acted == [("#BEGIN", ["/oradata/system01.dbf", "/oradata/users01.dbf"])]
    assert not textfiles.exists(hosts, "db1", f"{work}/.switch.sem")
    answer = "#ERROR /oradata/users01.dbf\n#SUCCESS\n"  # the other file was switched
    assert textfiles.read(hosts, "db1", f"{work}/.switch.log") == answer


def test_saved_lines_may_carry_a_backup_volume() -> None:
    """SAP-6: ``#SAVED <BID> <file> [<backup_vol>]``; free text is ignored."""
    from apprm_ref.sim.sap.backint import parse_output

    res = parse_output("Backint 1.0 started\n#SAVED SIM0000042 /a/b VOL017\n#ERROR /a/c\n",
                       ["/a/b", "/a/c", "/a/d 4096"], 1)  # fmt: skip
    assert res.with_keyword("#SAVED") == {"/a/b": "SIM0000042"}
    assert res.with_keyword("#ERROR") == {"/a/c": None}
    assert res.missing == ["/a/d"] and res.free_text == ["Backint 1.0 started"]


def test_brtools_on_a_host_without_its_directory_fail_with_a_br_message() -> None:
    s = make_sap()
    s.world.hosts.add_host("bk1", role="backup")
    r = s.run("brbackup", *BASE, "-t", "online", "-d", "util_file", host="bk1")
    assert r.rc == 3 and "BR0274E File /oractl/dbs/initPRD.sap not found" in r.out
    assert "BR0159E Error reading init_sap profile /oractl/dbs/initPRD.sap" in r.out
    assert not s.db.backup_files()


def test_a_second_brbackup_during_the_split_is_refused() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    inner: list[object] = []
    real = s.split.run

    def nested(argv):  # type: ignore[no-untyped-def]
        if "splitint" in argv[0]:
            inner.append(s.run("brbackup", *BASE, "-t", "online", "-d", "util_file"))
        return real(argv)

    s.runner.split.run = nested  # type: ignore[method-assign]
    assert s.run("brbackup", *BASE, "-t", "online_split", "-d", "util_file").rc == 0
    assert inner[0].rc == 3 and "BR0071E" in inner[0].out
