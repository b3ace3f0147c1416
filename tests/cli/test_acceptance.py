"""The issues' "done when" stories, each a sequence of separate ``apprm`` invocations on a
default lab (EVA and XP, filesystems and an Oracle database on each)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta

import pytest

from .conftest import doc


def _ok(res):  # type: ignore[no-untyped-def]
    assert res.exit_code == 0, res.stdout + res.stderr
    return res


def _json(res):  # type: ignore[no-untyped-def]
    return doc(_ok(res).stdout)


def _backups(cli, spec: str, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    ids = []
    for _ in range(n):
        ids.append(_json(cli("backup", spec, "--json"))["id"])
        _ok(cli("lab", "advance", "1h"))
    return ids


def _file_digest(cli, target: str) -> str:  # type: ignore[no-untyped-def]
    return _json(cli("lab", "data", target, "--json"))["digest"]


@pytest.mark.rule("ARR-P1")
@pytest.mark.rule("ARR-P2")
@pytest.mark.rule("ARR-P4")
def test_eva_snapclones_rotate_three_and_each_ir_method_restores_the_chosen_session(lab, cli):  # type: ignore[no-untyped-def]
    _ok(cli("spec", "create", "--name", "fs_eva", "--host", "app1", "--backup-host", "bk1", "--array", "eva1",
            "--object", "/data", "--opt", "snapshot_type=snapclone", "--opt", "replicas=3"))  # fmt: skip
    contents = {}
    ids = []
    for run in range(5):
        _ok(
            cli("lab", "fail", "corrupted-file", "--host", "app1", "--path", "/data/ledger.db")
        )  # new content
        contents[run] = _file_digest(cli, "app1:/data/ledger.db")
        ids += _backups(cli, "fs_eva", 1)
    live = _json(cli("replicas", "list", "--spec", "fs_eva", "--json"))
    assert [r["session_id"] for r in live] == ids[2:]  # the 3 newest, oldest rotated out first
    # copy-back keeping the replica: run 3's content comes back
    _ok(cli("lab", "fail", "corrupted-file", "--host", "app1", "--path", "/data/ledger.db"))
    _ok(cli("restore", "--session", ids[2], "--method", "copy-back", "--keep-replica"))
    assert _file_digest(cli, "app1:/data/ledger.db") == contents[2]
    _ok(cli("lab", "advance", "2h"))  # the copy-back's background copy ends first
    # switch of disks: run 4's content comes back and the replica is consumed
    _ok(cli("restore", "--session", ids[3], "--method", "switch"))
    assert _file_digest(cli, "app1:/data/ledger.db") == contents[3]
    # copy-back without keep
    _ok(cli("lab", "advance", "2h"))
    _ok(cli("restore", "--session", ids[4], "--method", "copy-back", "--no-keep-replica"))
    assert _file_digest(cli, "app1:/data/ledger.db") == contents[4]
    left = [r["session_id"] for r in _json(cli("replicas", "list", "--spec", "fs_eva", "--json"))]
    assert left == [ids[2]]
    _ok(cli("replicas", "check"))


@pytest.mark.rule("ARR-P2")
@pytest.mark.rule("ARR-P4")
def test_xp_mus_rotate_oldest_first_and_pairdisplay_shows_what_was_left(lab, cli):  # type: ignore[no-untyped-def]
    _ok(cli("spec", "create", "--name", "fs_xp", "--host", "app1", "--backup-host", "bk1", "--array", "xp1",
            "--object", "/xpdata", "--opt", "mu=0-2"))  # fmt: skip
    contents, ids = {}, []
    for run in range(5):
        _ok(cli("lab", "fail", "corrupted-file", "--host", "app1", "--path", "/xpdata/orders.db"))
        contents[run] = _file_digest(cli, "app1:/xpdata/orders.db")
        ids += _backups(cli, "fs_xp", 1)
    live = _json(cli("replicas", "list", "--spec", "fs_xp", "--json"))
    assert [r["session_id"] for r in live] == ids[2:]
    assert [r["mu"] for r in live] == [2, 0, 1]  # runs 4 and 5 reused MU 0 and 1, oldest first
    _ok(cli("restore", "--session", ids[2], "--method", "normal", "--keep-replica"))
    assert _file_digest(cli, "app1:/xpdata/orders.db") == contents[2]
    _ok(cli("restore", "--session", ids[4], "--method", "quick"))
    assert _file_digest(cli, "app1:/xpdata/orders.db") == contents[4]
    env = {**os.environ, "APPRM_HOME": str(lab), "HORCMINST": "0", "HORCC_MRCF": "1"}
    out = subprocess.run(
        [sys.executable, "-m", "apprm_ref.doors.cci", "pairdisplay", "-g", "XP1_MU2", "-fcx"],
        capture_output=True, text=True, env=env, check=False,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    kept = [line for line in out.stdout.splitlines() if "dev_0110(L)" in line]
    assert kept and "P-VOL PSUS" in kept[0]  # the kept replica of run 3 is still split on MU 2


@pytest.mark.rule("OS-P1")
@pytest.mark.parametrize(("sid", "array", "opts", "method"), [
    ("PROD", "eva1", ["--opt", "snapshot_type=snapclone", "--opt", "replicas=2"], "copy-back"),
    ("PRDX", "xp1", ["--opt", "mu=0-1"], "normal"),
])  # fmt: skip
def test_oracle_online_and_offline_then_point_in_time_recovery_before_corruption(
    lab, cli, sid, array, opts, method
):  # type: ignore[no-untyped-def]
    _ok(cli("oracle", "config", "set", sid, "--host", "app1", "--oracle-home", "/u01/app/oracle",
            "--password-ref", "env:ORA_PW"))  # fmt: skip
    assert "IR configuration check: passed" in _ok(cli("oracle", "check", sid)).stdout
    _ok(cli("spec", "create", "--name", "online", "--type", "oracle", "--host", "app1", "--backup-host", "bk1",
            "--array", array, "--object", sid, *opts))  # fmt: skip
    spec = {"name": "offline", "type": "oracle", "mode": "offline", "application_system": "app1",
            "backup_system": "bk1", "array": array, "objects": [sid],
            "replication": {"snapshot_type": "snapclone", "replicas": 1} if array == "eva1" else {"mu": "2"}}  # fmt: skip
    path = lab.parent / "offline.json"
    path.write_text(json.dumps(spec))
    _ok(cli("spec", "create", "--file", str(path)))
    _ok(cli("lab", "workload", sid, "--commits", "150"))
    online = _backups(cli, "online", 1)[0]
    _ok(cli("lab", "workload", sid, "--commits", "80"))
    assert _json(cli("backup", "offline", "--json"))["status"] == "Completed"
    _ok(cli("lab", "workload", sid, "--commits", "60"))
    good = _json(cli("lab", "data", sid, "--json"))
    _ok(cli("lab", "advance", "10m"))
    _ok(
        cli("lab", "workload", sid, "--commits", "40")
    )  # committed after the chosen time: must be lost
    _ok(
        cli(
            "lab",
            "fail",
            "corrupted-datafile",
            "--app",
            sid,
            "--file",
            f"/oradata/{sid}/users01.dbf",
        )
    )
    good_at = datetime.fromisoformat(good["now_at"])
    until = f"{good_at + timedelta(minutes=5):%Y-%m-%d %H:%M:%S}"  # between good state and loss
    res = _json(cli("restore", "--session", online, "--method", method, "--until-time", until,
                    "--open-resetlogs", "--json"))  # fmt: skip
    assert res["status"] == "Completed"
    after = _json(cli("lab", "data", sid, "--json"))
    assert after["status"] == "OPEN" and after["digest"] == good["digest"]
