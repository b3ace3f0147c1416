"""The application wraps the replica instant (``consistent``): released on every path out,
every undo reported, a failed undo Critical with what it left behind, and no session left
open whatever its code raises."""

from __future__ import annotations

from typing import Any

import pytest
from oracle_lab import OracleLab
from test_service import estate  # noqa: F401 - the default-estate fixture, used by name

from apprm_ref.core.session import CompensationStack, UndoOutcome
from apprm_ref.errors import HostError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import SessionStatus, Severity


class UnwindLog:
    """Every outcome any unwinding produced, to check none of them went unreported."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.outcomes: list[UndoOutcome] = []
        real = CompensationStack.unwind

        def unwind(stack: CompensationStack, down_to: int = 0) -> list[UndoOutcome]:
            out = real(stack, down_to)
            self.outcomes.extend(out)
            return out

        monkeypatch.setattr(CompensationStack, "unwind", unwind)

    def unreported(self, session: Any) -> list[str]:
        texts = [(m.severity, m.text) for m in session.messages]
        missing = []
        for out in self.outcomes:
            if out.error is None:
                ok = (Severity.NORMAL, f"Undone: {out.description}") in texts
            else:
                ok = any(
                    sev == Severity.CRITICAL and t.startswith(f"Undo '{out.description}' failed")
                    for sev, t in texts
                )
            if not ok:
                missing.append(out.description)
        return missing


def kinds(lab: OracleLab, kind: str) -> int:
    return sum(1 for _, k in lab.events if k == kind)


# (site, nth): every Oracle and array call in and around the instant of an online session
ONLINE_FAULTS = [
    ("oracle.archive", 1),  # ARCHIVE LOG CURRENT before backup mode
    ("oracle.begin_backup", 1),
    ("oracle.begin_backup", 2),  # second tablespace (tablespace mode)
    ("eva.create", 1),  # the replica
    ("oracle.end_backup", 1),  # the release itself: the unwinding ends backup mode
    ("oracle.end_backup", 2),
    ("oracle.archive", 2),  # after the instant: current log archived
    ("oracle.log_switch", 2),
]


@pytest.mark.rule("EXT-I5")
@pytest.mark.rule("OS-I13")
@pytest.mark.rule("OS-P9")
@pytest.mark.rule("ARR-I16")
@pytest.mark.parametrize("backup_mode", ["database", "tablespace"])
@pytest.mark.parametrize(("site", "nth"), ONLINE_FAULTS)
def test_a_fault_anywhere_in_the_instant_still_ends_backup_mode(
    monkeypatch: pytest.MonkeyPatch, backup_mode: str, site: str, nth: int
) -> None:
    log = UnwindLog(monkeypatch)
    lab = OracleLab()
    lab.spec(backup_mode=backup_mode)
    lab.work()
    lab.world.fault_plan.arm(FaultRule(site=site, nth=nth, code="INJECTED"))
    session = lab.backup()
    fired = [f.site for f in lab.world.fault_plan.log]
    if not fired:  # database mode has one BEGIN/END BACKUP: no second call to fail
        assert (backup_mode, site, nth) in {
            ("database", "oracle.begin_backup", 2),
            ("database", "oracle.end_backup", 2),
        }, lab.messages(session)
        assert session.status == SessionStatus.COMPLETED
        return
    assert session.status == SessionStatus.FAILED, lab.messages(session)
    assert lab.db.backup_files() == {}  # V$BACKUP: NOT ACTIVE everywhere (OS-P9)
    assert lab.db.status == "OPEN"
    assert kinds(lab, "oracle.begin_backup") == kinds(lab, "oracle.end_backup")
    assert lab.active() == [] and lab.world.invariant_problems() == []
    assert log.unreported(session) == []
    assert not any(m.severity == Severity.CRITICAL and "Undo" in m.text for m in session.messages)
    assert lab.orch.repo.get_session(session.id).status == SessionStatus.FAILED


@pytest.mark.rule("EXT-I5")
@pytest.mark.rule("OS-I13")
@pytest.mark.parametrize(("site", "nth"), [("oracle.startup", 1), ("eva.create", 1)])
def test_an_offline_session_restarts_the_database_on_every_path(
    monkeypatch: pytest.MonkeyPatch, site: str, nth: int
) -> None:
    log = UnwindLog(monkeypatch)
    lab = OracleLab()
    lab.spec(mode="offline")
    lab.world.fault_plan.arm(FaultRule(site=site, nth=nth, code="INJECTED"))
    session = lab.backup()
    assert [f.site for f in lab.world.fault_plan.log] == [site]
    assert session.status == SessionStatus.FAILED, lab.messages(session)
    assert lab.db.status == "OPEN"
    assert lab.active() == [] and log.unreported(session) == []
    assert any(m.text == "Undone: start database" for m in session.messages)


@pytest.mark.rule("OPS-I2")
@pytest.mark.rule("EXT-I5")
@pytest.mark.parametrize("backup_mode", ["database", "tablespace"])
def test_a_failing_end_backup_is_critical_and_says_the_database_is_in_backup_mode(
    backup_mode: str,
) -> None:
    lab = OracleLab()
    lab.spec(backup_mode=backup_mode)
    lab.world.fault_plan.arm(FaultRule(site="oracle.end_backup", times=0, code="ORA-00600"))
    session = lab.backup()
    assert session.status == SessionStatus.FAILED
    undo = [m for m in session.messages if m.text.startswith("Undo 'end backup")]
    assert undo and all(m.severity == Severity.CRITICAL for m in undo)
    assert all("database PRD is still in backup mode" in m.text for m in undo)
    assert all(m.code == "ORA-00600" for m in undo)
    assert lab.db.backup_files() != {}
    assert lab.active() == []  # the replica made in backup mode was deleted all the same
    # the next session says so before anything changes, and names the repair
    lab.world.fault_plan.disarm("oracle.end_backup")
    before = len(lab.events)
    again = lab.backup()
    assert again.status == SessionStatus.FAILED
    (msg,) = [m for m in again.messages if m.severity == Severity.CRITICAL]
    assert msg.code == "ORA-01146" and "apprm oracle end-backup PRD" in msg.text
    assert not [k for _, k in lab.events[before:] if k.startswith(("eva.", "oracle.begin"))]
    lab.ora.end_backup(None)  # the DBA's repair
    assert lab.backup().status == SessionStatus.COMPLETED


@pytest.mark.rule("OPS-I2")
@pytest.mark.rule("EXT-I5")
def test_release_fails_once_then_the_unwinding_ends_backup_mode() -> None:
    lab = OracleLab()
    lab.spec()
    lab.world.fault_plan.arm(FaultRule(site="oracle.end_backup", nth=1, code="ORA-00600"))
    session = lab.backup()
    assert session.status == SessionStatus.FAILED
    texts = [m.text for m in session.messages]
    assert (
        texts.index("injected fault at oracle.end_backup => aborting.")
        < texts.index("Undone: delete replica targets")
        < texts.index("Undone: end backup")
    )  # reported first; replica undone, then released
    assert lab.db.backup_files() == {} and lab.active() == []


@pytest.mark.rule("OPS-I2")
@pytest.mark.parametrize("member", ["begin_backup", "backup_controlfile", "last_archived_sequence"])
def test_an_error_that_is_not_the_products_still_ends_the_session(
    monkeypatch: pytest.MonkeyPatch, member: str
) -> None:
    """Inside the instant, at its end, and after it: Failed with the error named."""
    log = UnwindLog(monkeypatch)
    lab = OracleLab()
    lab.orch.repo.save_config(_config(ctlcp=True))
    lab.spec()

    def broken(*_a: Any, **_k: Any) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(lab.ora, member, broken)
    session = lab.backup()
    assert session.status == SessionStatus.FAILED
    assert lab.orch.repo.get_session(session.id).status == SessionStatus.FAILED
    assert lab.orch.running == {}
    (crit,) = [m for m in session.messages if m.severity == Severity.CRITICAL]
    assert crit.text == "Internal error TypeError: unsupported operand => aborting."
    assert [o.detail for o in session.objects] == ["unsupported operand"]
    assert lab.db.backup_files() == {} and lab.active() == []
    assert lab.world.invariant_problems() == [] and log.unreported(session) == []


@pytest.fixture(autouse=True)
def _oracle_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The credential the Oracle configurations name (references are checked when set)."""
    monkeypatch.setenv("ORA_PW", "lab-oracle-pw")


def _config(*, ctlcp: bool) -> Any:
    from apprm_ref.core.integrations.oracle_config import make_config

    return make_config(
        sid="PRD", host="app1", oracle_home="/oracle/10g", user="system",
        password_ref="env:ORA_PW", ctlcp_location="/var/opt/omni/tmp" if ctlcp else None,
    ).to_app_config()  # fmt: skip


@pytest.mark.rule("OPS-I2")
def test_a_restore_that_raises_is_ended_failed_never_left_in_progress(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lab = OracleLab()
    lab.spec()
    lab.work()
    backup = lab.backup()

    def broken(*_a: Any, **_k: Any) -> None:
        raise KeyError("thread")

    monkeypatch.setattr(lab.ora, "recover", broken)
    restore = lab.restore(backup.id, until="now")
    assert restore.status == SessionStatus.FAILED
    assert lab.orch.repo.get_session(restore.id).status == SessionStatus.FAILED
    assert any("Internal error KeyError" in m.text for m in restore.messages)


# --- filesystems and scripts ---------------------------------------------------------------


@pytest.fixture
def fs_lab(estate: Any) -> Any:  # noqa: F811 - the default estate of test_service
    return estate


def _fs_spec(orch: Any, **extra: Any) -> None:
    spec = {
        "name": "fs", "application_system": "app1", "backup_system": "bk1",
        "array": "eva1", "objects": ["/data"], "replication": {"snapshot_type": "vsnap"},
    }  # fmt: skip
    orch.create_spec({**spec, **extra})


@pytest.mark.rule("EXT-I5")
@pytest.mark.rule("ARR-I16")
@pytest.mark.parametrize("site", ["eva.create", "eva.present"])
def test_filesystems_are_thawed_on_every_path(
    monkeypatch: pytest.MonkeyPatch, fs_lab: Any, site: str
) -> None:
    log = UnwindLog(monkeypatch)
    world, orch = fs_lab
    _fs_spec(orch)
    world.fault_plan.arm(FaultRule(site=site, code="INJECTED"))
    session = orch.run_backup("fs")
    assert [f.site for f in world.fault_plan.log] == [site]
    assert session.status == SessionStatus.FAILED
    assert not world.hosts.host("app1").mounts["/data"].frozen
    assert world.hosts.host("bk1").mounts == {} and orch.repo.list_replicas() == []
    assert log.unreported(session) == [] and world.invariant_problems() == []


@pytest.mark.rule("OPS-I2")
@pytest.mark.rule("EXT-I5")
def test_a_failing_thaw_is_critical_and_names_the_frozen_filesystem(
    monkeypatch: pytest.MonkeyPatch, fs_lab: Any
) -> None:
    world, orch = fs_lab
    _fs_spec(orch)

    def stuck(host: str, mount_point: str) -> None:
        raise HostError(f"{mount_point}: device busy", code="EBUSY")

    monkeypatch.setattr(orch.drivers.host, "thaw", stuck)
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.FAILED
    (undo,) = [m for m in session.messages if m.text.startswith("Undo 'thaw /data'")]
    assert undo.severity == Severity.CRITICAL and undo.code == "EBUSY"
    assert undo.text.endswith("/data on app1 is still frozen")
    assert orch.repo.list_replicas() == []


@pytest.mark.rule("VC-I18")
@pytest.mark.rule("OPS-I2")
def test_a_missing_pre_exec_script_fails_the_session_before_anything_moves(fs_lab: Any) -> None:
    world, orch = fs_lab
    _fs_spec(orch, pre_exec={"command": "missing.sh"})
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.FAILED
    assert [o.status for o in session.objects] == ["Aborted"]
    (msg,) = [m for m in session.messages if m.severity >= Severity.MAJOR]
    assert msg.code == "ENOENT" and "Pre-exec command missing.sh could not be run" in msg.text
    assert orch.repo.list_replicas() == []
    assert orch.repo.get_session(session.id).status == SessionStatus.FAILED


@pytest.mark.rule("VC-I18")
@pytest.mark.rule("OPS-I2")
def test_a_missing_post_exec_script_keeps_the_backup_with_errors(fs_lab: Any) -> None:
    world, orch = fs_lab
    _fs_spec(orch, post_exec={"command": "missing.sh", "host": "bk1"})
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.COMPLETED_ERRORS
    assert [r.id for r in orch.repo.list_replicas()] == [session.replica_id]


@pytest.mark.rule("OPS-I2")
def test_an_error_outside_the_flow_still_ends_the_session(
    monkeypatch: pytest.MonkeyPatch, fs_lab: Any
) -> None:
    """A script runner that raises something unexpected: Failed and named, not a zombie."""
    world, orch = fs_lab
    _fs_spec(orch, pre_exec={"command": "pre.sh"})

    def broken(host: str, name: str) -> tuple[int, tuple[str, ...]]:
        raise AttributeError("'NoneType' object has no attribute 'exit_code'")

    monkeypatch.setattr(orch.drivers.host, "run_script", broken)
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.FAILED
    assert orch.repo.get_session(session.id).status == SessionStatus.FAILED
    assert any(m.text.startswith("Internal error AttributeError") for m in session.messages)
    assert orch.running == {}
