"""The ``backint`` console program on a lab (one subprocess smoke test, the rest
in-process): BC-BRI over the lab's simulated SAP host and the IDB's backint store."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from cli.conftest import cli, home  # noqa: F401 (fixtures)

from apprm_ref.cli import sap_backint

ESTATE = Path(__file__).with_name("sap_estate.yaml")
DATAFILE = "/oradata/system01.dbf"


@pytest.fixture
def sap_lab(home, cli):  # type: ignore[no-untyped-def]  # noqa: F811
    res = cli("lab", "init", "--scenario", str(ESTATE))
    assert res.exit_code == 0, res.stderr
    return home


@pytest.mark.rule("OS-P13")
def test_console_backint_saves_then_finds_and_restores_through_the_lab(
    sap_lab, monkeypatch, capsys
):  # type: ignore[no-untyped-def]
    proc = subprocess.run(
        [sys.executable, "-m", "apprm_ref.cli.sap_backint", "-u", "PRD", "-f", "backup", "-c"],
        input=f"{DATAFILE}\n/oradata/nothing.dbf\n",
        capture_output=True,
        text=True,
        env={"APPRM_HOME": str(sap_lab), "PATH": "/usr/bin:/bin"},
    )
    assert proc.returncode == 1, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("#")]
    assert lines == [f"#SAVED APPRM0000000001 {DATAFILE}", "#ERROR /oradata/nothing.dbf"]
    monkeypatch.setenv("APPRM_HOME", str(sap_lab))
    monkeypatch.setattr("sys.stdin", io.StringIO(f"#NULL {DATAFILE}\n"))
    assert sap_backint.main(["-u", "PRD", "-f", "inquire"]) == 0
    assert f"#BACKUP APPRM0000000001 {DATAFILE}" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", io.StringIO(f"#NULL {DATAFILE} /oractl\n"))
    assert sap_backint.main(["-u", "PRD", "-f", "restore"]) == 0
    assert f"#RESTORED APPRM0000000001 {DATAFILE}" in capsys.readouterr().out
    assert sap_backint.main(["-u", "PRD", "-x"]) == 2
    assert "unknown option" in capsys.readouterr().err
