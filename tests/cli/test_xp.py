"""XP split-mirror through the CLI: rotation over an MU list, check, restore."""

from __future__ import annotations

import json
from pathlib import Path

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
        ids.append(json.loads(out.stdout)["id"])
        assert cli("lab", "advance", "1h").exit_code == 0
    live = json.loads(cli("replicas", "list", "--json").stdout)
    assert [r["session_id"] for r in live] == ids[1:]  # set of 2: the oldest rotated out
    assert all(r["type"] == "mirror" and r["mu"] in (0, 1) for r in live)
    assert cli("replicas", "check").exit_code == 0
    res = cli("restore", "--session", ids[-1], "--method", "normal", "--json")
    assert res.exit_code == 0, res.stdout
    assert json.loads(res.stdout)["status"] == "Completed"
