"""``apprm sessions log ID [--follow]`` and ``apprm abort SESSION`` across processes.

A lab command runs its sessions inside one transaction, so another process sees a running
session only through its log (``<lab>/sessions/<id>.log``) and the command journal.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from apprm_ref.cli import labdir, run
from apprm_ref.front.sessionlog import abort_path, log_path
from apprm_ref.lab.journal import Journal
from apprm_ref.types import SessionStatus

from .conftest import one_error_line
from .integrity import EVA_SPEC, apprm_bin, check_lab, env_for, ok, start

SID = "2008/03/03-1"


@pytest.fixture
def eva(lab, cli):  # type: ignore[no-untyped-def]
    ok(cli("spec", "create", *EVA_SPEC))
    return lab


@pytest.mark.rule("OPS-I2")
def test_follow_prints_a_backup_running_in_another_process(eva, cli):
    backup = start(eva, "backup", "fs_eva", "--no-monitor")
    deadline = time.monotonic() + 60
    while backup.poll() is None and not log_path(eva, SID).exists():
        assert time.monotonic() < deadline, "the backup never started its session"
        time.sleep(0.005)
    follow = start(eva, "sessions", "log", SID, "--follow", "--timeout", "60")
    out, err = follow.communicate(timeout=90)
    backup.communicate(timeout=90)
    assert backup.returncode == 0 and follow.returncode == 0, err
    text = log_path(eva, SID).read_text()
    assert out == text  # everything the log holds, each message once, in order
    assert f"Backup session {SID} started for specification fs_eva" in out
    assert out.rstrip().endswith(f"Session {SID} ended Completed.")
    assert ok(cli("sessions", "log", SID)).stdout == text


def test_log_of_an_unknown_session_is_refused(lab, cli):
    one_error_line(cli("sessions", "log", "2008/03/03-9"), "not found")


def _start_session(home):  # type: ignore[no-untyped-def]
    """This process as the command running a backup: the session has started and is
    journaled, the lab's lock and transaction are held."""
    lab = labdir.Lab(home, write=True).load()
    proc = lab.orchestrator.start_backup("fs_eva")
    env = lab.world.env
    journal = Journal(home)
    while not (journal.pending() and journal.pending().sessions):
        env.step()
    for _ in range(3):
        env.step()
    assert proc.is_alive
    return lab, proc


@pytest.mark.rule("OPS-I2")
def test_abort_ends_a_session_another_command_runs(eva, cli):
    lab, proc = _start_session(eva)
    try:
        aborter = subprocess.Popen(
            [*apprm_bin(), "abort", SID, "--timeout", "60"],
            env=env_for(eva),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 30
        while not abort_path(eva, SID).exists():
            assert aborter.poll() is None, aborter.communicate()
            assert time.monotonic() < deadline, "no abort request written"
            time.sleep(0.01)
        session = run._drive(lab, proc, "Backup fs_eva", True)
        lab.save()
    finally:
        lab.close()
    out, err = aborter.communicate(timeout=60)
    assert aborter.returncode == 0, err
    assert out == f"Session {SID} Aborted.\n"
    assert session.status == SessionStatus.ABORTED
    assert not abort_path(eva, SID).exists()
    shown = ok(cli("sessions", "show", SID)).stdout
    assert "Abort request received: session aborted by apprm.apprm@cellmanager" in shown
    assert "Undone:" in shown  # what it had made was unwound
    assert check_lab(cli) == []  # no replica, nothing left on the arrays
    assert log_path(eva, SID).read_text().rstrip().endswith(f"Session {SID} ended Aborted.")


@pytest.mark.rule("REL-I2")
def test_abort_reconciles_a_session_whose_command_died(eva, cli):
    killed = start(eva, "backup", "fs_eva", APPRM_CRASH_AT="array:3")
    killed.communicate(timeout=60)
    assert killed.returncode < 0
    res = ok(cli("abort", SID))
    assert res.stdout == f"Session {SID} Aborted (the command that ran it had died).\n"
    assert log_path(eva, SID).read_text().rstrip().endswith(f"Session {SID} ended Aborted.")
    one_error_line(cli("abort", SID), "is not running (it ended Aborted)")


def test_abort_refuses_a_finished_or_unknown_session(eva, cli):
    ok(cli("backup", "fs_eva"))
    one_error_line(cli("abort", SID), f"session {SID} is not running (it ended Completed)")
    one_error_line(cli("abort", "2008/03/03-7"), "not found")
