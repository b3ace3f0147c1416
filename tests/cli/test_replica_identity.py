"""REL-I6 end to end: ``pairresync`` + ``pairsplit`` typed by hand through the RAID Manager
door on the MU a tracked replica holds; ``apprm replicas check`` reports it, the replica is
no longer IR-capable, and ``apprm restore`` refuses it and leaves the data and the pairs
as they were."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from .conftest import doc


def _ok(res):  # type: ignore[no-untyped-def]
    assert res.exit_code == 0, res.stdout + res.stderr
    return res


def _cci(lab, *args: str) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    env = {**os.environ, "APPRM_HOME": str(lab), "HORCMINST": "0", "HORCC_MRCF": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "apprm_ref.doors.cci", *args],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert out.returncode == 0, (args, out.stdout, out.stderr)
    return out


def _digest(cli) -> str:  # type: ignore[no-untyped-def]
    return doc(_ok(cli("lab", "data", "app1:/xpdata/orders.db", "--json")).stdout)["digest"]


def _mu0_rows(lab) -> list[str]:  # type: ignore[no-untyped-def]
    out = _cci(lab, "pairdisplay", "-g", "XP1_MU0", "-fcx").stdout
    return [line for line in out.splitlines() if "dev_0110" in line]


@pytest.mark.rule("REL-I6")
def test_out_of_band_resync_and_split_is_reported_and_refuses_the_restore(lab, cli):  # type: ignore[no-untyped-def]
    _ok(cli("spec", "create", "--name", "fs_xp", "--host", "app1", "--backup-host", "bk1",
            "--array", "xp1", "--object", "/xpdata", "--opt", "mu=0-2"))  # fmt: skip
    _ok(cli("lab", "fail", "corrupted-file", "--host", "app1", "--path", "/xpdata/orders.db"))
    backup = doc(_ok(cli("backup", "fs_xp", "--json")).stdout)["id"]
    _ok(cli("lab", "advance", "1h"))
    _ok(cli("replicas", "check"))  # nothing changed yet: the IDB agrees
    (rep,) = doc(_ok(cli("replicas", "list", "--json")).stdout)
    assert rep["mu"] == 0 and rep["ir_capable"] and rep["identity_problems"] == []

    _ok(cli("lab", "fail", "corrupted-file", "--host", "app1", "--path", "/xpdata/orders.db"))
    _cci(lab, "pairresync", "-g", "XP1_MU0")
    _cci(lab, "pairevtwait", "-g", "XP1_MU0", "-s", "pair", "-t", "360000")
    _cci(lab, "pairsplit", "-g", "XP1_MU0")
    _cci(lab, "pairevtwait", "-g", "XP1_MU0", "-s", "psus", "-t", "360000")
    assert "P-VOL PSUS" in _mu0_rows(lab)[0]  # looks exactly like the replica did

    res = cli("replicas", "check")
    assert res.exit_code == 1
    changed = [line for line in res.stdout.splitlines() if line.startswith("identity-changed")]
    assert changed and all("(replica fs_xp#1)" in line for line in changed)
    assert any("split generation is" in line for line in changed)
    assert any("split time is" in line and "the IDB recorded" in line for line in changed)
    findings = doc(cli("replicas", "check", "--json").stdout)
    assert {f["kind"] for f in findings if f["replica_id"] == "fs_xp#1"} == {"identity-changed"}
    (rep,) = doc(_ok(cli("replicas", "list", "--json")).stdout)
    assert not rep["ir_capable"] and rep["identity_problems"]
    assert "no (changed)" in _ok(cli("replicas", "list")).stdout
    assert "no (changed)" in _ok(cli("replicas", "show", "fs_xp#1")).stdout

    before, rows = _digest(cli), _mu0_rows(lab)
    res = cli("restore", "--session", backup, "--method", "normal", "--json")
    assert res.exit_code != 0
    session = doc(res.stdout)
    assert session["status"] == "Failed"
    text = json.dumps(session["messages"])
    assert "REPLICA_IDENTITY" in text and "no longer matches the array" in text
    assert _digest(cli) == before  # the application's data is untouched
    assert _mu0_rows(lab) == rows  # and so are the pairs
