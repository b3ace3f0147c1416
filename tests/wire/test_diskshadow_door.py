"""The ``diskshadow`` and ``vssadmin`` console scripts against a lab, as a host runs them:
one transaction per command, ``%COMPUTERNAME%`` naming the host (a subprocess smoke test of
each door; the interpreters' behaviour is tested in-process in tests/sim/vss)."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from apprm_ref.lab.handle import LabHandle

BIN = Path(sys.executable).parent
DISKSHADOW = shutil.which("diskshadow", path=str(BIN))
VSSADMIN = shutil.which("vssadmin", path=str(BIN))
pytestmark = pytest.mark.skipif(DISKSHADOW is None or VSSADMIN is None, reason="not installed")


def _vsslab():
    path = Path(__file__).parents[1] / "sim" / "vss" / "vsslab.py"
    spec = importlib.util.spec_from_file_location("vsslab_wire", path)
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod
    spec.loader.exec_module(mod)
    return mod


def _lab(home: Path) -> None:
    world = _vsslab().make_world(app=False)
    lab = LabHandle(home, write=True)
    try:
        lab.open_store().commit(world.to_bytes())
    finally:
        lab.close()


def _run(home: Path, *argv: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "APPRM_HOME": str(home), "COMPUTERNAME": "win1"}
    return subprocess.run(
        list(argv), input=stdin, capture_output=True, text=True, env=env, timeout=120
    )


@pytest.mark.rule("VC-I24")
def test_a_diskshadow_script_commits_its_shadow_copy_and_vssadmin_lists_it(tmp_path: Path) -> None:
    home = tmp_path / "lab"
    _lab(home)
    script = tmp_path / "bk.dsh"
    script.write_text("set context persistent\nadd volume E: alias D1\ncreate\n")
    done = _run(home, str(DISKSHADOW), "/s", str(script), "/l", str(tmp_path / "bk.log"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Number of shadow copies listed: 1" in done.stdout
    assert (tmp_path / "bk.log").read_text() == done.stdout
    listed = _run(home, str(VSSADMIN), "list", "shadows")
    assert listed.returncode == 0 and "Contents of shadow copy set ID: {" in listed.stdout
    assert "Original Volume: (E:)" in listed.stdout
    writers = _run(home, str(VSSADMIN), "list", "writers")
    assert "Writer name: 'System Writer'" in writers.stdout and "[1] Stable" in writers.stdout
