"""Drill steps a DR team needs: reboot after a crash, SQL as the DBA, and OPS-I6 (nothing
left in backup mode judged from the database's persisted state, host up or down)."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprm_ref.drill.loader import load_scenario
from apprm_ref.drill.runner import Drill, run_file
from apprm_ref.sim.oracle.persisted import oracle_in_backup_mode

ESTATE = """\
version: 1
name: dba
seed: 3
estate:
  arrays:
    - type: eva
      name: eva1
      disk_groups:
        - {name: DG1, capacity: 2TiB}
      vdisks:
        - {name: oradata, disk_group: DG1, size: 8GiB, present_to: [db1]}
        - {name: oractl, disk_group: DG1, size: 4GiB, present_to: [db1]}
        - {name: oraarch, disk_group: DG1, size: 8GiB, present_to: [db1]}
  hosts:
    - name: db1
      volume_groups:
        - name: vgdata
          disks: [eva1/oradata]
          lvs: [{name: lvol1, size: 6GiB, mount: /oradata}]
        - name: vgctl
          disks: [eva1/oractl]
          lvs: [{name: lvol1, size: 3GiB, mount: /oractl}]
        - name: vgarch
          disks: [eva1/oraarch]
          lvs: [{name: lvol1, size: 6GiB, mount: /oraarch}]
  applications:
    - {type: oracle, name: PRD, host: db1}
timeline:
  - {at: 0s, workload: {app: PRD, rate: 120}}
  - {at: 10m, sql: {app: PRD, statement: "ALTER TABLESPACE USERS BEGIN BACKUP"}}
  - {at: 20m, fail: {kind: host_crash, host: db1}}
"""
REPAIR = """\
  - {at: 30m, reboot: db1}
  - {at: 31m, sql: {app: PRD, statement: STARTUP MOUNT}}
  - {at: 32m, sql: {app: PRD, statement: "ALTER DATABASE DATAFILE '/oradata/users01.dbf' END BACKUP"}}
  - {at: 33m, sql: {app: PRD, statement: "ALTER DATABASE OPEN"}}
"""
EXPECT = "expect:\n  - nothing_in_backup_mode: true\n"


def _run(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return run_file(p)


def _verdicts(res) -> dict[str, bool]:  # type: ignore[no-untyped-def]
    return {e.kind: e.passed for e in res.expectations}


@pytest.mark.rule("OPS-I6")
def test_host_down_in_backup_mode_fails_the_expectation(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE + EXPECT)
    assert _verdicts(res) == {"steps": True, "nothing_in_backup_mode": False}
    assert res.expectations[-1].observed == "PRD in backup mode"


@pytest.mark.rule("OPS-I6")
def test_probe_reads_the_volumes_while_the_host_is_down(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(ESTATE + EXPECT)
    drill = Drill(load_scenario(p))
    drill.run()
    db = drill.world.app("PRD")
    assert drill.world.hosts.host("db1").crashed
    assert db.in_backup_mode() is False  # the live instance is gone: it cannot tell
    assert oracle_in_backup_mode(db) is True  # the control file on the volumes can


@pytest.mark.rule("OPS-I6")
def test_after_reboot_and_end_backup_the_expectation_passes(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE + REPAIR + EXPECT)
    assert _verdicts(res) == {"steps": True, "nothing_in_backup_mode": True}


@pytest.mark.rule("OPS-I6")
def test_reboot_alone_does_not_clear_backup_mode(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE + "  - {at: 30m, reboot: db1}\n" + EXPECT)
    assert _verdicts(res)["nothing_in_backup_mode"] is False


def test_reboot_remounts_the_estate_and_starts_only_what_is_configured(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(ESTATE + REPAIR + "  - {at: 40m, fail: {kind: host_crash, host: db1}}\n"
                 "  - {at: 50m, reboot: {host: db1, start: [PRD]}}\n")  # fmt: skip
    drill = Drill(load_scenario(p))
    res = drill.run()
    assert not res.errors
    host = drill.world.hosts.host("db1")
    assert sorted(host.mounts) == ["/oraarch", "/oractl", "/oradata"]
    assert drill.world.app("PRD").status == "OPEN"
    labels = [m.label for m in res.markers if m.kind == "reboot"]
    assert labels[0] == "host db1 rebooted (mounted /oradata, /oractl, /oraarch)"
    assert labels[1].endswith("started PRD)")


def test_a_refused_statement_is_a_step_error_with_its_ora_code(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE + "  - {at: 30m, reboot: db1}\n"
               "  - {at: 31m, sql: {app: PRD, statement: STARTUP}}\n")  # fmt: skip
    assert len(res.errors) == 1
    assert "step 4 (sql): ORA-10873" in res.errors[0][1]
    assert "ORA-01110: data file 2: '/oradata/users01.dbf'" in res.errors[0][1]


def test_wrong_password_and_unknown_statement_are_refused(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE.split("  - {at: 10m")[0]
               + "  - {at: 1m, sql: {app: PRD, statement: SELECT 1 FROM dual, password: x}}\n"
               "  - {at: 2m, sql: {app: PRD, statement: FROBNICATE}}\n")  # fmt: skip
    codes = [m.split(": ")[1][:9] for _, m in res.errors]
    assert codes == ["ORA-01017", "ORA-00900"]


def test_reboot_of_a_running_host_is_refused(tmp_path: Path) -> None:
    res = _run(tmp_path, ESTATE.split("  - {at: 10m")[0] + "  - {at: 1m, reboot: db1}\n")
    assert res.errors and "only a crashed host is rebooted" in res.errors[0][1]


def test_database_end_backup_on_a_tablespace_backup_warns_ora_01260(tmp_path: Path) -> None:
    repair = REPAIR.replace("DATAFILE '/oradata/users01.dbf' END BACKUP", "END BACKUP")
    res = _run(tmp_path, ESTATE + repair + EXPECT)
    assert [m.split(": ")[1] for _, m in res.errors] == ["ORA-01260"]
    assert _verdicts(res)["nothing_in_backup_mode"] is True
