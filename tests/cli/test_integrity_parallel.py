"""Commands run at once on one lab (OPS-I1): one writer at a time, nothing lost.

Each test starts real ``apprm`` processes together; the lab's writer lock serializes
them (``--wait`` long enough for a loaded CI machine), so every committed change survives
and session IDs, reserved inside each command's IDB transaction, are never shared.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from apprm_ref.lab.handle import LabHandle
from apprm_ref.lab.lock import LOCK

from .conftest import doc, one_error_line
from .integrity import EVA_SPEC, XP_SPEC, check_lab, ok, start

WAIT = ("--wait", "600")


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=600)
        out.append((p.returncode, stdout, stderr))
    return out


@pytest.fixture
def specs(lab, cli):  # type: ignore[no-untyped-def]
    ok(cli("spec", "create", *EVA_SPEC))
    ok(cli("spec", "create", *XP_SPEC))
    return lab


@pytest.mark.rule("OPS-I1")
def test_backups_of_two_specs_at_once_both_survive(specs, cli):  # type: ignore[no-untyped-def]
    procs = [start(specs, *WAIT, "backup", s, "--json") for s in ("fs_eva", "fs_xp")]
    results = _finish(procs)
    assert [rc for rc, _, _ in results] == [0, 0], results
    ids = [doc(out)["id"] for _, out, _ in results]
    live = {r["session_id"]: r for r in check_lab(cli)}
    assert set(ids) <= set(live), (ids, sorted(live))
    assert all(live[i]["targets"] for i in ids)


@pytest.mark.rule("OPS-I1")
def test_two_backups_of_one_spec_never_share_vdisks(specs, cli):  # type: ignore[no-untyped-def]
    results = _finish([start(specs, *WAIT, "backup", "fs_eva", "--json") for _ in range(2)])
    sessions = [doc(out) for rc, out, _ in results if rc in (0, 1, 2) and out.strip()]
    assert len(sessions) == 2 and sessions[0]["id"] != sessions[1]["id"], results
    live = check_lab(cli)  # no target held by two replicas
    done = [s["id"] for s in sessions if s["status"] == "Completed"]
    assert done and set(done) <= {r["session_id"] for r in live}


@pytest.mark.rule("OPS-I1")
def test_session_ids_stay_unique_across_concurrent_commands(specs, cli):  # type: ignore[no-untyped-def]
    n = 16
    procs = [start(specs, *WAIT, "backup", ("fs_eva", "fs_xp")[i % 2], "--json") for i in range(n)]
    results = _finish(procs)
    ids = [doc(out)["id"] for _, out, _ in results]
    assert len(ids) == n and len(set(ids)) == n, sorted(ids)
    stored = {s["id"]: s["spec"] for s in doc(ok(cli("sessions", "list", "--json")).stdout)}
    assert all(stored.get(i) == ("fs_eva", "fs_xp")[k % 2] for k, i in enumerate(ids))
    check_lab(cli)


@pytest.mark.rule("OPS-I1")
def test_a_workload_beside_a_backup_loses_no_committed_transaction(specs, cli):  # type: ignore[no-untyped-def]
    scn0 = doc(ok(cli("lab", "data", "PROD", "--json")).stdout)["scn"]
    procs = [start(specs, *WAIT, "backup", "fs_eva", "--json")]
    procs += [start(specs, *WAIT, "lab", "workload", "PROD", "--commits", "10") for _ in range(4)]
    results = _finish(procs)
    assert all(rc == 0 for rc, _, _ in results), results
    scn = doc(ok(cli("lab", "data", "PROD", "--json")).stdout)["scn"]
    assert scn == scn0 + 40  # every committed transaction of every workload is still there


@pytest.mark.rule("OPS-I1")
def test_a_second_writer_waits_then_exits_2(specs, cli, capsys):  # type: ignore[no-untyped-def]
    holder = LabHandle(specs, write=True).open()  # a writer: the lock and its transaction
    try:
        t0 = time.monotonic()
        res = cli("--wait", "0.3", "lab", "advance", "1h")
        assert time.monotonic() - t0 >= 0.3
        lines = res.stderr.strip().splitlines()
        assert lines[0].startswith(f"apprm: lab {specs} is in use by pid"), lines
        assert "waiting up to 0.3s" in lines[0]
        assert (
            len(lines) == 2 and lines[1].startswith("apprm: error: ") and "still in use" in lines[1]
        )
        assert res.exit_code == 2
        # readers do not wait for the writer: they read the last committed snapshot
        for args in (("sessions", "list"), ("replicas", "check"), ("stat",), ("lab", "show")):
            res = cli("--wait", "0", *args)
            assert res.exit_code == 0 and "in use" not in res.stderr, (args, res.stderr)
    finally:
        holder.close()
    assert (specs / LOCK).exists()
    ok(cli("lab", "advance", "1h"))


@pytest.mark.rule("OPS-I1")
def test_wait_is_bounded(lab, cli):  # type: ignore[no-untyped-def]
    one_error_line(cli("--wait", "-1", "lab", "show"), "--wait")
