"""Helpers of the lab-integrity tests: ``apprm`` as a real subprocess (to be killed or run
beside another), and the checks every trial ends with."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from apprm_ref.core.session import RUNNING_STATUSES

from .conftest import doc

APPRM = [sys.executable, "-c", "from apprm_ref.cli.main import main; main()"]
EVA_FILE, XP_FILE = "app1:/data/ledger.db", "app1:/xpdata/orders.db"
EVA_SPEC = ("--name", "fs_eva", "--host", "app1", "--backup-host", "bk1", "--array", "eva1",
            "--object", "/data", "--opt", "snapshot_type=snapclone", "--opt", "replicas=2")  # fmt: skip
XP_SPEC = ("--name", "fs_xp", "--host", "app1", "--backup-host", "bk1", "--array", "xp1",
           "--object", "/xpdata", "--opt", "mu=0-1")  # fmt: skip
RUNNING = {s.value for s in RUNNING_STATUSES}


def apprm_bin() -> list[str]:
    exe = shutil.which("apprm", path=str(Path(sys.executable).parent))
    return [exe] if exe else APPRM


def env_for(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("APPRM_")}
    return {**env, "APPRM_HOME": str(home), **extra}


def start(home: Path, *args: str, **extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*apprm_bin(), *args],
        env=env_for(home, **extra),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def ok(res: Any) -> Any:
    assert res.exit_code == 0, res.stdout + res.stderr
    return res


def as_json(res: Any) -> Any:
    return doc(ok(res).stdout)


def digest(cli: Any, target: str) -> str:
    return str(as_json(cli("lab", "data", target, "--json"))["digest"])


def new_content(cli: Any, target: str) -> str:
    host, _, path = target.partition(":")
    ok(cli("lab", "fail", "corrupted-file", "--host", host, "--path", path))
    return digest(cli, target)


def sessions(cli: Any) -> list[dict[str, Any]]:
    return list(as_json(cli("sessions", "list", "--json")))


def check_lab(cli: Any) -> list[dict[str, Any]]:
    """No session left running, ``replicas check`` clean, no target held by two replicas;
    the live replicas."""
    stuck = [s["id"] for s in sessions(cli) if s["status"] in RUNNING]
    assert not stuck, f"sessions left running: {stuck}"
    assert as_json(cli("replicas", "check", "--json")) == []
    live = list(as_json(cli("replicas", "list", "--json")))
    owner: dict[str, str] = {}
    for rep in live:
        for t in rep["targets"]:
            assert t["target"] not in owner, f"{t['target']}: {owner.get(t['target'])}, {rep['id']}"
            owner[t["target"]] = rep["id"]
    return live
