"""The BR*Tools console door against a lab: ``brbackup`` and friends as an SAP host runs
them, the world committed back with the run's effects (logs, catalogue, database state)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sim" / "sap"))

from sap_peers import BackintPeer  # noqa: E402

from apprm_ref.doors import brtools  # noqa: E402
from apprm_ref.lab.handle import LabHandle  # noqa: E402
from apprm_ref.sim.sap import textfiles  # noqa: E402
from apprm_ref.sim.sap.estate import demo_system  # noqa: E402
from apprm_ref.sim.world import World  # noqa: E402


def _lab(tmp_path: Path, **cfg: object) -> Path:
    world, _sap = demo_system(**cfg)
    world.save(tmp_path / "world.json")
    return tmp_path


def _saved(home: Path) -> World:
    lab = LabHandle(home).open()
    lab.close()
    return lab.world


def test_world_with_an_sap_system_saves_and_loads() -> None:
    world, sap = demo_system(sap_users=["DIA01"])
    sap.new_action("b")
    again = World.from_bytes(world.to_bytes())
    loaded = again.app("SAP_PRD")
    assert loaded.sid == "PRD" and loaded.sap_users == ["DIA01"] and loaded.counter == sap.counter
    assert loaded.db is again.app("PRD")
    assert again.digest() == world.digest()


@pytest.mark.rule("OS-P15")
def test_door_offline_with_sap_users_is_committed_rc3(tmp_path, monkeypatch, capsys) -> None:
    home = _lab(tmp_path, sap_users=["DIA01"])
    monkeypatch.setenv("APPRM_HOME", str(home))
    monkeypatch.setenv("ORACLE_SID", "PRD")
    rc = brtools.main(["brbackup", "-c", "-u", "/", "-t", "offline", "-d", "util_file"])
    out = capsys.readouterr().out
    assert rc == 3 and "BR0068E" in out
    world = _saved(home)
    sap = world.app("SAP_PRD")
    assert [r.rc for r in sap.runs] == [3] and world.app("PRD").status == "OPEN"
    summary = textfiles.read(world.hosts, "db1", "/oractl/sapbackup/backPRD.log")
    assert summary.split()[6] == "3"


def test_door_runs_an_in_process_backint_on_the_lab_world(tmp_path, monkeypatch, capsys) -> None:
    home = _lab(tmp_path)
    monkeypatch.setenv("APPRM_HOME", str(home))
    monkeypatch.delenv("ORACLE_SID", raising=False)  # one SAP system in the lab

    def backint(world, argv, serve=None):  # type: ignore[no-untyped-def]
        return BackintPeer(world, "db1", "PRD").run_switching(argv, serve)

    monkeypatch.setattr(brtools.LabRunner, "_program", lambda self, argv: backint)
    rc = brtools.main(["brbackup", "-c", "-u", "/", "-t", "online", "-d", "util_file"])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "#SAVED.... TST0000001" in out
    run = _saved(home).app("SAP_PRD").runs[-1]
    assert run.rc == 0 and run.function == "anf"


def test_door_without_a_lab_is_rc3(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("APPRM_HOME", str(tmp_path / "none"))
    assert brtools.main(["brrestore", "-c"]) == 3
    assert "no lab" in capsys.readouterr().err


def test_console_script_smoke(tmp_path) -> None:
    """The installed ``brbackup`` script, once, as a subprocess, on the default estate's
    Oracle database PROD (EVA) with an SAP system on it."""
    from apprm_ref.sim.estate import build_world, default_estate
    from apprm_ref.sim.sap.estate import build_sap

    world = build_world(default_estate())
    build_sap(world, {"type": "sap", "name": "SAP_PROD", "database": "PROD"})
    world.save(tmp_path / "world.json")
    home = tmp_path
    exe = Path(sys.executable).with_name("brbackup")
    env = {**os.environ, "APPRM_HOME": str(home), "ORACLE_SID": "PROD"}
    cmd = (
        [str(exe)]
        if exe.exists()
        else [sys.executable, "-m", "apprm_ref.doors.brtools", "brbackup"]
    )
    proc = subprocess.run(
        [*cmd, "-c", "-u", "/", "-q", "-t", "online", "-d", "util_file"],
        env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "BR0124I Query option set - no processing" in proc.stdout
    assert _saved(home).app("SAP_PROD").runs[-1].function == "qub"
