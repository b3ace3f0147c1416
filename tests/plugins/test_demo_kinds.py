"""EXT-I2: out-of-tree kinds, registered through the ``apprm_ref.drivers`` entry points only.

The ``apprm-demo-kinds`` distribution (``tests/plugins/demo_kinds``) is made visible to
``importlib.metadata`` the way an installed wheel is: a ``.dist-info`` with its
``entry_points.txt`` on a ``sys.path`` directory. Nothing in apprm_ref names its kinds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from apprm_ref.drivers import registry

PLUGIN = Path(__file__).parent / "demo_kinds"
ENTRY_POINTS = """[apprm_ref.drivers]
demo = apprm_demo_kinds:DEMO
notes = apprm_demo_kinds:NOTES
"""


def _install(site: Path) -> Path:
    """A dist-info for the demo package on ``site`` (what pip writes for an install)."""
    info = site / "apprm_demo_kinds-0.1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: apprm-demo-kinds\nVersion: 0.1.0\n"
    )
    (info / "entry_points.txt").write_text(ENTRY_POINTS)
    (site / "apprm_demo_kinds.pth").write_text(str(PLUGIN / "src") + "\n")
    return site


@pytest.fixture
def demo_site(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    site = _install(tmp_path / "site")
    monkeypatch.syspath_prepend(str(PLUGIN / "src"))
    monkeypatch.syspath_prepend(str(site))
    registry.refresh()
    yield site
    registry.refresh()


@pytest.mark.rule("EXT-I2")
def test_entry_points_register_the_demo_kinds(demo_site) -> None:  # type: ignore[no-untyped-def]
    assert "demo" in [f.name for f in registry.array_families()]
    assert "notes" in [a.name for a in registry.applications()]
    assert {"sim-demo", "sim-notes"} <= set(registry.names())


@pytest.mark.rule("EXT-I2")
def test_a_drill_runs_on_the_demo_kinds(demo_site) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.drill.runner import run_file

    result = run_file(PLUGIN / "notes-drill.yaml")
    assert result.passed, [(e.name, e.observed) for e in result.failed]
    assert [(r.method, r.status) for r in result.restores] == [("copy-back", "Completed")]
    assert [r.type for r in result.replicas] == ["snapshot"]


@pytest.mark.rule("EXT-I2")
def test_the_notes_probe_sees_a_frozen_filesystem(demo_site) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.drivers.kinds import resolve
    from apprm_ref.sim.estate import build_world

    world = build_world(load_scenario(PLUGIN / "notes-drill.yaml").estate, seed=1)
    probe = resolve(registry.application("notes").backup_mode)
    assert not probe(world.app("N1"))
    world.hosts.freeze("app1", "/notes")
    assert probe(world.app("N1"))


APPRM = [sys.executable, "-c", "from apprm_ref.cli.main import main; main()"]


def _apprm(site: Path | None, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if site is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(site), str(PLUGIN / "src")])
    return subprocess.run([*APPRM, *args], env=env, capture_output=True, text=True)


@pytest.mark.rule("EXT-I2")
def test_conformance_cli_runs_on_the_demo_array(demo_site) -> None:  # type: ignore[no-untyped-def]
    out = _apprm(demo_site, "conformance", "run", "--driver", "sim-demo", "--json")
    assert out.returncode == 0, out.stderr
    results = json.loads(out.stdout)["results"]
    assert results and {r["outcome"] for r in results} == {"passed"}


@pytest.mark.rule("EXT-I2")
@pytest.mark.rule("EXT-I3")
def test_a_lab_of_demo_kinds_persists_and_is_refused_without_them(demo_site, tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = str(tmp_path / "lab")
    scenario = str(PLUGIN / "notes-drill.yaml")
    assert _apprm(demo_site, "--home", home, "lab", "init", "--scenario", scenario).returncode == 0
    backup = _apprm(demo_site, "--home", home, "backup", "notes")
    assert backup.returncode == 0 and "Completed." in backup.stdout, backup.stdout + backup.stderr
    shown = _apprm(demo_site, "--home", home, "lab", "show")
    assert "dem1 (demo)" in shown.stdout and "1 replicas" in shown.stdout
    refused = _apprm(None, "--home", home, "lab", "show")
    assert refused.returncode == 2
    assert (
        "saved world holds array dem1 of an unregistered kind (demo.DemoArray); registered: "
        in (refused.stderr)
    )


@pytest.mark.rule("EXT-I3")
def test_without_the_plugin_the_demo_kinds_are_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.errors import ConfigError

    registry.refresh()
    with pytest.raises(ConfigError, match="unknown array family 'demo'; registered: eva, xp"):
        load_scenario(PLUGIN / "notes-drill.yaml")
