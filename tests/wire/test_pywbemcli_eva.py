"""``pywbemcli`` (pywbemtools, a client nobody here wrote) against the EVA SMI-S door:
profiles, namespaces, instances, and a snapshot created with ``CreateElementReplica``
through ``instance invokemethod`` whose job is then read back (WIRE-I1)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).with_name("eva_mock_server.py")
PYWBEMCLI = shutil.which("pywbemcli", path=str(Path(sys.executable).parent))
pytestmark = [
    pytest.mark.rule("WIRE-I1"),
    pytest.mark.skipif(PYWBEMCLI is None, reason="pywbemtools not installed"),
]


def cli(tmp_path: Path, *args: str) -> str:
    env = {**os.environ, "APPRM_SMIS_WORLD": str(tmp_path / "world.json"), "HOME": str(tmp_path)}
    cmd = [
        PYWBEMCLI,
        "--mock-server",
        str(SCRIPT),
        "--connections-file",
        str(tmp_path / "c.yaml"),
        "-d",
        "root/eva",
        *args,
    ]  # type: ignore[list-item]
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr + done.stdout
    return done.stdout


def test_profile_and_namespace_list(tmp_path: Path) -> None:
    profiles = cli(tmp_path, "-o", "simple", "profile", "list")
    for name in ("Array", "Block Services", "Replication Services", "Job Control"):
        assert re.search(rf"SNIA\s+{name}\s+1\.\d\.\d", profiles), profiles
    spaces = cli(tmp_path, "namespace", "list")
    assert "root/interop" in spaces and "root/eva" in spaces


def test_enumerate_and_snapshot_through_invokemethod(tmp_path: Path) -> None:
    vols = cli(tmp_path, "instance", "enumerate", "CIM_StorageVolume", "-n", "root/eva", "--no")
    [vol] = [line.strip() for line in vols.splitlines() if "HPEVA_StorageVolume" in line]
    rs = cli(tmp_path, "instance", "enumerate", "CIM_ReplicationService", "-n", "root/eva", "--no")
    [service] = [line.strip() for line in rs.splitlines() if "ReplicationService" in line]
    out = cli(
        tmp_path,
        "instance",
        "invokemethod",
        service,
        "CreateElementReplica",
        "-p",
        "SyncType=8",
        "-p",
        f"SourceElement={vol}",
        "-p",
        "ElementName=clone1",
    )
    assert "ReturnValue=4096" in out, out
    assert "HPEVA_ConcreteJob" in out, out
    state = cli(tmp_path, "instance", "enumerate", "CIM_ConcreteJob")
    assert re.search(r"JobState = 4;", state), state  # Running: the snapclone unshares
    assert 'ElementName = "CreateElementReplica";' in state and "ErrorCode = 0;" in state
    clones = cli(tmp_path, "instance", "enumerate", "CIM_StorageVolume", "-n", "root/eva")
    assert 'ElementName = "clone1";' in clones
