"""``apprm oracle config/check`` and an Oracle ZDB + IR with recovery options."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import doc, one_error_line

ESTATE = Path(__file__).with_name("ora_estate.yaml")


@pytest.fixture
def ora_lab(home, cli):  # type: ignore[no-untyped-def]
    res = cli("lab", "init", "--scenario", str(ESTATE))
    assert res.exit_code == 0, res.stderr
    return home


def _configure(cli) -> None:  # type: ignore[no-untyped-def]
    res = cli(
        "oracle", "config", "set", "PROD", "--host", "app1",
        "--oracle-home", "/u01/app/oracle", "--password-ref", "env:ORA_PW",
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr


def test_config_set_list_show_delete(ora_lab, cli):
    _configure(cli)
    rows = doc(cli("oracle", "config", "list", "--json").stdout)
    assert [(r["sid"], r["host"], r["target"]["user"]) for r in rows] == [
        ("PROD", "app1", "system")
    ]
    shown = doc(cli("oracle", "config", "show", "PROD", "--json").stdout)
    assert shown["target"]["password_ref"] == "env:****"  # masked, even a reference (REL-I3)
    assert cli("oracle", "config", "delete", "PROD").exit_code == 0
    one_error_line(cli("oracle", "config", "show", "PROD"), "no Oracle configuration")
    one_error_line(cli("oracle", "config", "delete", "PROD"), "not found")


def test_password_never_shown_or_stored_clear(ora_lab, cli):
    from typer.testing import CliRunner

    from apprm_ref.cli.main import app

    res = CliRunner().invoke(
        app,
        ["oracle", "config", "set", "PROD", "--host", "app1", "--oracle-home", "/u01",
         "--password-stdin"],
        input="s3cret-pw\n",
    )  # fmt: skip
    assert res.exit_code == 0, res.stderr
    out = cli("oracle", "config", "show", "PROD", "--json").stdout
    assert "s3cret-pw" not in out and doc(out)["target"]["password_ref"] == "fernet:****"
    assert b"s3cret-pw" not in (ora_lab / "idb.sqlite").read_bytes()


def test_config_bad_input(ora_lab, cli):
    one_error_line(
        cli("oracle", "config", "set", "PROD", "--host", "app1", "--oracle-home", "/u01"),
        "password",
    )
    one_error_line(
        cli("oracle", "config", "set", "PROD", "--host", "app1", "--oracle-home", "/u01",
            "--user", "internal", "--password-ref", "env:ORA_PW"),
        "internal",
    )  # fmt: skip


def test_check(ora_lab, cli):
    one_error_line(cli("oracle", "check", "PROD"), "no Oracle configuration")
    _configure(cli)
    res = cli("oracle", "check", "PROD")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert "IR configuration check: passed" in res.stdout
    data = doc(cli("oracle", "check", "PROD", "--json").stdout)
    assert (data["status"], data["log_mode"], data["ir_problems"]) == ("OPEN", "ARCHIVELOG", [])


def test_check_reports_shared_volumes(home, cli, tmp_path):
    text = ESTATE.read_text().replace(
        "{type: oracle, name: PROD, host: app1}",
        "{type: oracle, name: PROD, host: app1, control_files: [/oradata/control01.ctl]}",
    )
    estate = tmp_path / "shared.yaml"
    estate.write_text(text)
    assert cli("lab", "init", "--scenario", str(estate)).exit_code == 0
    _configure(cli)
    res = cli("oracle", "check", "PROD", "--json")
    assert res.exit_code == 1
    assert any("control01.ctl" in p for p in doc(res.stdout)["ir_problems"])


def test_oracle_backup_and_point_in_time_restore(ora_lab, cli):
    _configure(cli)
    res = cli("spec", "create", "--name", "ora1", "--type", "oracle", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "PROD")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    sid = doc(cli("backup", "ora1", "--json").stdout)["id"]
    bad = cli("restore", "--session", sid, "--until-scn", "5", "--json")
    assert bad.exit_code == 2 and doc(bad.stdout)["status"] == "Failed"
    ok = cli("restore", "--session", sid, "--now", "--json")
    assert ok.exit_code == 0, ok.stdout
    assert doc(ok.stdout)["status"] == "Completed"


def test_restore_refuses_a_recovery_time_in_the_future_and_changes_nothing(ora_lab, cli):  # type: ignore[no-untyped-def]
    _configure(cli)
    res = cli("spec", "create", "--name", "ora1", "--type", "oracle", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "PROD")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    sid = doc(cli("backup", "ora1", "--json").stdout)["id"]
    before = cli("sessions", "list", "--json").stdout
    res = cli("restore", "--session", sid, "--until-time", "2030-01-01 00:00:00")
    one_error_line(res, "is in the future")
    assert cli("sessions", "list", "--json").stdout == before


def test_spec_create_refuses_an_unknown_database_and_saves_nothing(ora_lab, cli):  # type: ignore[no-untyped-def]
    res = cli("spec", "create", "--name", "ora1", "--type", "oracle", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "NODB")  # fmt: skip
    one_error_line(res, "objects.0: no Oracle database 'NODB' in this estate")
    assert cli("spec", "list").stdout.strip() == "No backup specifications."
