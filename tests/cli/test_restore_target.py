"""``apprm restore --spec S --latest | --until-time T | --until-scn N [--preview]`` on a lab
(OPS-I9): the newest replica that reaches the target, and a preview that changes nothing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from .conftest import doc, one_error_line
from .test_oracle import ESTATE, _configure


def _state(home: Path) -> dict[str, str]:
    """Every byte the lab keeps (world and IDB live in its files)."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.iterdir())
        if p.is_file() and p.name != "lab.lock"
    }


@pytest.fixture
def two_replicas(home, cli):  # type: ignore[no-untyped-def]
    assert cli("lab", "init", "--scenario", str(ESTATE)).exit_code == 0
    _configure(cli)
    res = cli("spec", "create", "--name", "ora1", "--type", "oracle", "--host", "app1",
              "--backup-host", "bk1", "--array", "eva1", "--object", "PROD",
              "--opt", "replicas=3")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    for _ in range(2):
        assert cli("lab", "workload", "PROD", "--commits", "5").exit_code == 0
        assert cli("lab", "advance", "60").exit_code == 0
        assert cli("backup", "ora1", "--no-monitor").exit_code == 0
    assert cli("lab", "workload", "PROD", "--commits", "5").exit_code == 0
    rows = doc(cli("replicas", "list", "--json").stdout)
    return {r["id"]: r for r in rows}


def _stamp(cli, seconds: float) -> str:  # type: ignore[no-untyped-def]
    """The lab's date of simulated ``seconds`` (a preview's JSON gives it back)."""
    res = cli("restore", "--spec", "ora1", "--until-time", str(seconds), "--preview", "--json")
    return str(json.loads(res.stdout)["target"]["time_at"])[:19].replace("T", " ")


@pytest.mark.rule("OPS-I9")
def test_preview_answers_and_changes_nothing(home, two_replicas, cli):  # type: ignore[no-untyped-def]
    new = two_replicas["ora1#2"]["details"]["oracle"]
    before = _state(home)
    latest = cli("restore", "--spec", "ora1", "--latest", "--preview", "--json")
    assert latest.exit_code == 0, latest.stdout + latest.stderr
    assert json.loads(latest.stdout)["replica"] == "ora1#2"
    early = cli("restore", "--session", "ora1#2", "--until-scn", str(new["min_recovery_scn"] - 1),
                "--preview")  # fmt: skip
    assert early.exit_code == 1
    assert "Not restorable" in early.stdout and "BEFORE_MIN_RECOVERY_POINT" in early.stdout
    future = cli("restore", "--spec", "ora1", "--until-time", "2030-01-01 00:00:00", "--preview",
                 "--json")  # fmt: skip
    assert future.exit_code == 1
    assert json.loads(future.stdout)["reasons"][0]["code"] == "TARGET_IN_FUTURE"
    assert _state(home) == before  # no session, no IDB row, nothing on the arrays
    assert doc(cli("sessions", "list", "--json").stdout)[-1]["type"] == "Backup"


@pytest.mark.rule("OPS-I9")
def test_latest_restores_the_newest(two_replicas, cli):  # type: ignore[no-untyped-def]
    res = cli("restore", "--spec", "ora1", "--latest", "--json")
    assert res.exit_code == 0, res.stdout + res.stderr
    done = json.loads(res.stdout)
    assert (done["status"], done["restored_from"]) == (
        "Completed",
        two_replicas["ora1#2"]["session_id"],
    )


@pytest.mark.rule("OPS-I9")
def test_until_time_skips_a_replica_whose_minimum_point_is_after_it(two_replicas, cli):  # type: ignore[no-untyped-def]
    at = _stamp(cli, two_replicas["ora1#2"]["details"]["oracle"]["min_recovery_time"])
    preview = cli("restore", "--spec", "ora1", "--until-time", at, "--preview", "--json")
    verdict = json.loads(preview.stdout)
    assert (preview.exit_code, verdict["replica"]) == (0, "ora1#1")
    assert verdict["skipped"][0]["replica"] == "ora1#2"
    assert verdict["skipped"][0]["reasons"][0]["code"] == "BEFORE_MIN_RECOVERY_POINT"
    res = cli("restore", "--spec", "ora1", "--until-time", at, "--json")
    assert res.exit_code == 0, res.stdout + res.stderr
    done = json.loads(res.stdout)
    assert done["restored_from"] == two_replicas["ora1#1"]["session_id"]
    assert "RESETLOGS" in json.dumps(done["messages"])


@pytest.mark.rule("OPS-I9")
def test_no_replica_reaches_the_target_or_bad_requests_change_nothing(home, two_replicas, cli):  # type: ignore[no-untyped-def]
    before = _state(home)
    old = two_replicas["ora1#1"]["details"]["oracle"]
    one_error_line(
        cli("restore", "--spec", "ora1", "--until-scn", str(old["min_recovery_scn"] - 1)),
        "no replica of ora1 can be recovered until SCN",
    )
    one_error_line(cli("restore", "--spec", "ora1"), "--spec needs a target")
    one_error_line(cli("restore", "--spec", "ora1", "--session", "ora1#1", "--latest"), "not both")
    one_error_line(
        cli("restore", "--spec", "ora1", "--until-sequence", "3", "--preview"), "--until-sequence"
    )
    assert _state(home) == before


@pytest.mark.rule("OPS-I9")
def test_a_filesystem_replica_reaches_only_its_own_instant(lab, cli):  # type: ignore[no-untyped-def]
    res = cli("spec", "create", "--name", "DATA", "--host", "app1", "--backup-host", "bk1",
              "--array", "eva1", "--object", "/data")  # fmt: skip
    assert res.exit_code == 0, res.stderr
    assert cli("backup", "DATA", "--no-monitor").exit_code == 0
    assert cli("lab", "advance", "60").exit_code == 0
    latest = cli("restore", "--spec", "DATA", "--latest", "--preview", "--json")
    assert (latest.exit_code, json.loads(latest.stdout)["replica"]) == (0, "DATA#1")
    timed = cli("restore", "--spec", "DATA", "--until-time", "1", "--preview", "--json")
    assert timed.exit_code == 1
    assert json.loads(timed.stdout)["reasons"][0]["code"] == "OWN_INSTANT_ONLY"
