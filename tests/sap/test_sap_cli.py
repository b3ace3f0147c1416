"""From the CLI on a lab (issue 15's "done when"): ``apprm sap config set`` + ``check``, a
SAP spec, ``apprm backup`` driving brbackup online_split through backint, the BR*Tools logs
as written, and IR + brrecover until a time bringing back the rows committed before it."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from cli.conftest import cli, doc, home, one_error_line  # noqa: F401 (fixtures)

ESTATE = Path(__file__).with_name("sap_estate.yaml")
OPTIONS = (
    ("ORACLE_HOME", "/oractl"),
    ("SAPDATA_HOME", "/oractl"),
    ("BRTOOLS_HOME", "/usr/sap/PRD/SYS/exe/run"),
)


@pytest.fixture
def sap_lab(home, cli):  # type: ignore[no-untyped-def]  # noqa: F811
    res = cli("lab", "init", "--scenario", str(ESTATE))
    assert res.exit_code == 0, res.stderr
    return home


def _configure(cli) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    for i, (name, value) in enumerate(OPTIONS):
        host = ["--host", "app1"] if i == 0 else []
        res = cli("sap", "config", "set", "PRD", name, value, *host)
        assert res.exit_code == 0, res.stderr
        assert res.stdout.strip().endswith("*RETVAL*0")


def test_config_set_get_list_delete_and_the_environment_sublist(sap_lab, cli):  # type: ignore[no-untyped-def]  # noqa: F811
    one_error_line(cli("sap", "config", "set", "PRD", "ORACLE_HOME", "/o"), "give --host")
    _configure(cli)
    assert (
        cli(
            "sap", "config", "set", "PRD", "NLS_LANG", "AMERICAN", "--sublist", "Environment"
        ).exit_code
        == 0
    )
    assert (
        cli("sap", "config", "get", "PRD", "NLS_LANG", "--sublist", "Environment").stdout
        == "AMERICAN\n"
    )
    assert cli("sap", "config", "get", "PRD", "ORACLE_HOME").stdout == "/oractl\n"
    one_error_line(cli("sap", "config", "set", "PRD", "COMPRESS", "yes"), "unknown SAP option")
    one_error_line(
        cli("sap", "config", "set", "PRD", "X", "1", "--sublist", "Tape"), "unknown sublist"
    )
    one_error_line(
        cli("sap", "config", "set", "PRD", "CONNECT", "system/manager@PRD"), "no password"
    )
    whole = doc(cli("sap", "config", "get", "PRD", "--json").stdout)
    assert whole["Environment"] == {"NLS_LANG": "AMERICAN"} and whole["host"] == "app1"
    assert (
        cli("sap", "config", "set", "PRD", "NLS_LANG", "", "--sublist", "Environment").exit_code
        == 0
    )
    one_error_line(
        cli("sap", "config", "get", "PRD", "NLS_LANG", "--sublist", "Environment"), "not set"
    )
    rows = doc(cli("sap", "config", "list", "--json").stdout)
    assert [r["sid"] for r in rows] == ["PRD"]
    assert cli("sap", "config", "delete", "PRD").exit_code == 0
    one_error_line(cli("sap", "config", "get", "PRD"), "no SAP configuration")


def test_check_reports_the_oracle_and_sap_sides(sap_lab, cli):  # type: ignore[no-untyped-def]  # noqa: F811
    cli("sap", "config", "set", "PRD", "ORACLE_HOME", "/oractl", "--host", "app1")
    res = cli("sap", "config", "check", "PRD", "--json")
    assert res.exit_code == 1
    failed = [c["name"] for c in doc(res.stdout)["checks"] if not c["ok"]]
    assert failed == ["configuration"]  # SAPDATA_HOME and BRTOOLS_HOME missing
    _configure(cli)
    res = cli("sap", "config", "check", "PRD")
    assert res.exit_code == 0, res.stdout
    for line in (
        "Oracle archivelog",
        "Oracle IR layout        passed",
        "SAP    backup_dev_type",
        "SAP    split_cmd",
        "*RETVAL*0",
    ):
        assert line in res.stdout, res.stdout


def test_backup_through_brbackup_and_ir_with_brrecover_until_a_time(sap_lab, cli):  # type: ignore[no-untyped-def]  # noqa: F811
    _configure(cli)
    res = cli("spec", "create", "--name", "sap1", "--type", "sap", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "PRD")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert cli("lab", "workload", "PRD", "--commits", "30").exit_code == 0
    backup = cli("backup", "sap1", "--json")
    assert backup.exit_code == 0, backup.stdout
    sid = doc(backup.stdout)["id"]
    log = cli("sessions", "show", sid).stdout
    for line in (
        "BR0143I Backup type: online_split",
        "BR0287I Split command '/opt/omni/lbin/splitint $' will be executed",
        "BR0288I Mirror disks split successfully",
        "backint -u PRD -f backup -t file",
        "BR0052I BRBACKUP completed successfully",
    ):
        assert line in log, log
    assert cli("lab", "workload", "PRD", "--commits", "40").exit_code == 0
    good = doc(cli("lab", "data", "PRD", "--json").stdout)
    assert cli("lab", "advance", "10m").exit_code == 0
    assert cli("lab", "workload", "PRD", "--commits", "40").exit_code == 0  # to be lost
    good_at = datetime.fromisoformat(good["now_at"])
    until = f"{good_at + timedelta(minutes=5):%Y-%m-%d %H:%M:%S}"
    res = cli("restore", "--session", sid, "--until-time", until, "--json")
    assert res.exit_code == 0, res.stdout
    assert doc(res.stdout)["status"] == "Completed"
    after = doc(cli("lab", "data", "PRD", "--json").stdout)
    assert after["status"] == "OPEN" and after["digest"] == good["digest"]
    shown = cli("sessions", "show", doc(res.stdout)["id"]).stdout
    assert "-t dbpit -pit" in shown and "BR0702I BRRECOVER completed successfully" in shown
