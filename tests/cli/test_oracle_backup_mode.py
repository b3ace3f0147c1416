"""A database left in backup mode is reported and repaired from the CLI (OPS-I2, OS-P10):
``apprm oracle check`` names the files, ``apprm oracle end-backup`` ends backup mode, also
after an instance crash, and a session whose code raises is printed as a session."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.cli.labdir import open_lab

from .conftest import doc, one_error_line
from .test_oracle import _configure, ora_lab  # noqa: F401 - the fixture is used by name


def _spec(cli: Any) -> None:
    res = cli("spec", "create", "--name", "ora1", "--type", "oracle", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "PROD")  # fmt: skip
    assert res.exit_code == 0, res.stderr


@pytest.mark.rule("OPS-I2")
def test_failed_end_backup_is_reported_checked_and_repaired(ora_lab, cli) -> None:  # noqa: F811
    _configure(cli)
    _spec(cli)
    assert cli("lab", "fault", "arm", "oracle.end_backup", "--times", "0").exit_code == 0
    res = cli("backup", "ora1", "--report", "critical")
    assert res.exit_code == 2, res.stdout + res.stderr
    assert "[Critical]" in res.stdout and "database PROD is still in backup mode" in res.stdout
    assert res.stdout.rstrip().endswith("Failed.")
    refused = cli("oracle", "end-backup", "PROD")  # END BACKUP still fails: nothing saved
    one_error_line(refused, "injected fault at oracle.end_backup")
    assert cli("lab", "fault", "disarm", "oracle.end_backup").exit_code == 0

    check = cli("oracle", "check", "PROD")
    assert check.exit_code == 1, check.stdout
    assert "Datafiles in backup mode: /oradata/system01.dbf, /oradata/users01.dbf" in check.stdout
    assert "apprm oracle end-backup PROD" in check.stdout
    data = doc(cli("oracle", "check", "PROD", "--json").stdout)
    assert data["backup_mode"] == ["/oradata/system01.dbf", "/oradata/users01.dbf"]
    blocked = doc(cli("backup", "ora1", "--json").stdout)
    assert blocked["status"] == "Failed"

    fix = cli("oracle", "end-backup", "PROD")
    assert fix.exit_code == 0, fix.stdout + fix.stderr
    assert fix.stdout.splitlines() == [
        "ALTER DATABASE END BACKUP: out of backup mode: /oradata/system01.dbf, /oradata/users01.dbf"
    ]
    ok = cli("oracle", "check", "PROD")
    assert ok.exit_code == 0 and "no datafile in backup mode" in ok.stdout
    again = cli("oracle", "end-backup", "PROD")
    assert again.stdout.strip() == "Database PROD: no datafile in backup mode"
    assert doc(cli("backup", "ora1", "--json").stdout)["status"] == "Completed"


@pytest.mark.rule("OS-P10")
@pytest.mark.rule("OPS-I2")
@pytest.mark.parametrize("dba_tried_startup", [False, True])
def test_end_backup_after_a_crash_in_backup_mode_opens_with_no_data_loss(
    ora_lab,  # noqa: F811
    cli,
    dba_tried_startup: bool,
) -> None:
    """OS-P10: STARTUP stops at MOUNT (ORA-10873); END BACKUP + OPEN loses nothing."""
    from apprm_ref.errors import OracleError
    from apprm_ref.sim.oracle.models import fold

    with open_lab(ora_lab, save=True) as lab:
        db = lab.world.apps["PROD"]
        db.workload(5)
        db.begin_backup(None)
        db.workload(5)
        expected = fold(db.history.commits, None)
        db.shutdown("ABORT")  # the instance dies in backup mode
        if dba_tried_startup:
            with pytest.raises(OracleError, match="ORA-10873"):
                db.startup("OPEN")  # STARTUP stops at MOUNT
    res = cli("oracle", "end-backup", "PROD", "--json")
    assert res.exit_code == 0, res.stdout + res.stderr
    out = doc(res.stdout)
    was = "MOUNTED" if dba_tried_startup else "SHUTDOWN"
    assert (out["was"], out["opened"], out["status"]) == (was, True, "OPEN")
    assert out["ended"] == ["/oradata/system01.dbf", "/oradata/users01.dbf"]
    with open_lab(ora_lab) as lab:
        db = lab.world.apps["PROD"]
        assert db.backup_files() == {} and db.data() == expected


@pytest.mark.rule("OPS-I2")
def test_end_backup_can_leave_the_database_mounted(ora_lab, cli) -> None:  # noqa: F811
    with open_lab(ora_lab, save=True) as lab:
        db = lab.world.apps["PROD"]
        db.begin_backup(None)
        db.shutdown("ABORT")
    res = cli("oracle", "end-backup", "PROD", "--no-open")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert res.stdout.splitlines()[0] == "Database PROD: instance was SHUTDOWN; mounted"
    assert "opened" not in res.stdout
    with open_lab(ora_lab) as lab:
        db = lab.world.apps["PROD"]
        assert db.status == "MOUNTED" and db.backup_files() == {}


@pytest.mark.rule("OPS-I2")
def test_end_backup_refuses_an_unknown_database(ora_lab, cli) -> None:  # noqa: F811
    res = cli("oracle", "end-backup", "NOPE")
    assert res.exit_code == 2 and "no Oracle database 'NOPE'" in res.stderr


@pytest.mark.rule("OPS-I2")
def test_a_session_whose_code_raises_is_printed_as_a_failed_session(
    ora_lab,  # noqa: F811
    cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from apprm_ref.sim.oracle.driver import OracleSimDriver

    _configure(cli)
    _spec(cli)

    def broken(self: Any, tablespace: str | None = None) -> None:
        raise TypeError("unsupported operand")

    monkeypatch.setattr(OracleSimDriver, "begin_backup", broken)
    res = cli("backup", "ora1", "--json")
    assert res.exit_code == 2, res.stdout + res.stderr
    session = doc(res.stdout)
    assert session["status"] == "Failed"
    listed = cli("sessions", "list")
    assert "In Progress" not in listed.stdout and "Failed" in listed.stdout
    text = cli("sessions", "show", session["id"]).stdout
    assert "Internal error TypeError: unsupported operand" in text
