"""``python -m apprm_ref.doors.cci`` against a lab saved in $APPRM_HOME."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from xp_helpers import CONF0, CONF1, P, cci_world

from apprm_ref.doors.cci import main
from apprm_ref.lab.handle import LabHandle


def _saved(home: Path):  # type: ignore[no-untyped-def]
    """The lab's committed world (the door moved world.json into the lab store)."""
    lab = LabHandle(home).open()
    lab.close()
    return lab.world


def _lab(tmp_path: Path) -> Path:
    world, xp, _ = cci_world()
    world.save(tmp_path / "world.json")
    (tmp_path / "horcm0.conf").write_text(CONF0)
    (tmp_path / "horcm1.conf").write_text(CONF1)
    return tmp_path


def test_console_commands_persist_the_world(tmp_path, monkeypatch, capsys) -> None:
    home = _lab(tmp_path)
    monkeypatch.setenv("APPRM_HOME", str(home))
    monkeypatch.setenv("HORCMINST", "0")
    monkeypatch.setenv("HORCC_MRCF", "1")
    assert main(["paircreate", "-g", "ORA_BC", "-vl"]) == 0
    assert _saved(home).arrays["xp1"].pairs[f"{P}/0"].state == "COPY(PD)"
    assert main(["pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "300"]) == 0
    world = _saved(home)
    assert world.arrays["xp1"].pairs[f"{P}/0"].state == "PAIR" and world.now() > 0
    capsys.readouterr()
    assert main(["pairdisplay", "-g", "ORA_BC", "-CLI"]) == 0
    assert "P-VOL PAIR" in capsys.readouterr().out
    assert main(["pairvolchk", "-g", "ORA_BC", "-s"]) == 23


def test_console_without_lab_is_ex_comerr(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("APPRM_HOME", str(tmp_path / "none"))
    assert main(["pairdisplay", "-g", "ORA_BC"]) == 255
    assert "[EX_COMERR]" in capsys.readouterr().err


def test_module_entry_point(tmp_path) -> None:
    home = _lab(tmp_path)
    env = {**os.environ, "APPRM_HOME": str(home), "HORCMINST": "0", "HORCC_MRCF": "1"}
    proc = subprocess.run(
        [sys.executable, "-m", "apprm_ref.doors.cci", "pairdisplay", "-g", "ORA_BC", "-fcx"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Group   PairVol(L/R)")
    assert "64123   110.SMPL" in proc.stdout
