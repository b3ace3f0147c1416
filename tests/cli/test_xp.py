"""XP split-mirror through the CLI: rotation over an MU list, check, restore."""

from __future__ import annotations

from pathlib import Path

from .conftest import doc

ESTATE = Path(__file__).with_name("xp_estate.yaml")


def test_xp_rotation_check_and_restore(home, cli):
    assert cli("lab", "init", "--scenario", str(ESTATE)).exit_code == 0
    res = cli("spec", "create", "--name", "xfs", "--host", "app1", "--backup-host", "bk1",
              "--array", "xp1", "--object", "/data", "--opt", "mu=0-1")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    ids = []
    for _ in range(3):
        out = cli("backup", "xfs", "--json")
        assert out.exit_code == 0, out.stdout
        ids.append(doc(out.stdout)["id"])
        assert cli("lab", "advance", "1h").exit_code == 0
    live = doc(cli("replicas", "list", "--json").stdout)
    assert [r["session_id"] for r in live] == ids[1:]  # set of 2: the oldest rotated out
    assert all(r["type"] == "mirror" and r["mu"] in (0, 1) for r in live)
    assert cli("replicas", "check").exit_code == 0
    res = cli("restore", "--session", ids[-1], "--method", "normal", "--json")
    assert res.exit_code == 0, res.stdout
    assert doc(res.stdout)["status"] == "Completed"
