"""Over separate invocations: replicas left enabled on the backup system never block the
next session of a set of one (OPS-I3)."""

from __future__ import annotations

import pytest

from .conftest import doc
from .test_backup import SPEC as BASE_SPEC

SPEC = (
    BASE_SPEC
    + """\
replication:
  snapshot_type: vsnap
  replicas: 1
  leave_backup_system_enabled: true
"""
)


@pytest.mark.rule("OPS-I3")
def test_two_sessions_left_enabled_both_complete(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "fs1.yaml"
    path.write_text(SPEC)
    assert cli("spec", "create", "--file", str(path)).exit_code == 0
    sids = []
    for _ in range(2):
        res = cli("backup", "fs1")
        assert res.exit_code == 0, res.stdout + res.stderr
        assert res.stdout.strip().endswith("Completed."), res.stdout
        sids.append(res.stdout.strip().splitlines()[-1].split()[1])
        assert f"/zdb/app1/{sids[-1]}/data" in res.stdout
    assert sids[0] != sids[1]
    reps = doc(cli("replicas", "list", "--json").stdout)
    by_session = {r["session_id"]: r["status"] for r in reps}
    assert by_session == {sids[0]: "purge", sids[1]: "active"}


@pytest.mark.rule("OPS-I5")
def test_replicas_list_shows_an_invalid_replica(lab, cli, idb, tmp_path):  # type: ignore[no-untyped-def]
    """The status the sessions record for a replica whose vsnaps failed (disk group full)
    is listed (it is still on the array) and not IR-capable."""
    from apprm_ref.core.records import ReplicaStatus

    path = tmp_path / "fs1.yaml"
    path.write_text(SPEC)
    assert cli("spec", "create", "--file", str(path)).exit_code == 0
    assert cli("backup", "fs1").exit_code == 0
    (rep,) = idb.list_replicas(spec="fs1")
    rep.status, rep.tracked = ReplicaStatus.INVALID, False
    idb.update_replica(rep)
    out = cli("replicas", "list").stdout
    row = next(line for line in out.splitlines() if line.startswith(rep.id))
    assert "invalid" in row and "no (invalid)" in row
    (shown,) = doc(cli("replicas", "list", "--json").stdout)
    assert (shown["status"], shown["ir_capable"]) == ("invalid", False)
