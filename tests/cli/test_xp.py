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


def test_a_delete_whose_resync_is_suspended_warns_and_names_the_svol(home, cli):
    """`apprm replicas delete` gives the MU back by a resync; a copy the array suspends
    (PSUE) is printed on stderr, kept with the deleted record, and the exit code warns."""
    assert cli("lab", "init", "--scenario", str(ESTATE)).exit_code == 0
    res = cli("spec", "create", "--name", "xfs", "--host", "app1", "--backup-host", "bk1",
              "--array", "xp1", "--object", "/data", "--opt", "mu=0-1")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert cli("backup", "xfs").exit_code == 0
    rid = doc(cli("replicas", "list", "--json").stdout)[0]["id"]
    assert cli("lab", "fault", "arm", "xp.copy_psue").exit_code == 0
    res = cli("replicas", "delete", rid)
    assert res.exit_code == 1, res.stdout + res.stderr  # EXIT_WARN
    assert res.stdout.strip() == f"Replica {rid} deleted."
    told = res.stderr.strip().splitlines()
    assert len(told) == 1 and told[0].startswith(f"{rid}: [CRITICAL] ")
    assert "is PSUE (suspended by error), S-VOL " in told[0]
    gone = doc(cli("replicas", "list", "--all", "--json").stdout)
    assert [(r["id"], r["status"]) for r in gone] == [(rid, "deleted")]
