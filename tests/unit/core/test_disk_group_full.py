"""A full EVA disk group is reported by the sessions (OPS-I5).

The array side (ARR-P8): vsnap growth that fills the disk group freezes writes to the
source and fails its vsnaps. The session that meets it reports it (Major) naming the disk
group, the IDB marks the replica invalid (not restorable), later sessions warn while the
failed vsnaps remain.
"""

from __future__ import annotations

import pytest
from eva_lab import Lab

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.errors import ApprmError
from apprm_ref.types import SessionStatus, Severity


def _full_lab() -> tuple[Lab, str]:
    """Sources of 2 x 8 GiB at Vraid5 take 20 GiB raw of DG1: 4 MiB (4 extents) are left,
    so copy-on-write for the first new writes to /data exhausts it."""
    lab = Lab("8GiB", "20484MiB")
    lab.spec(replicas=2, snapshot_type="vsnap")
    first = lab.backup()
    assert first.status == SessionStatus.COMPLETED
    with pytest.raises(ApprmError) as frozen:
        lab.hosts.write_file("app1", "/data/a.db", {i: "x" for i in range(4)})
    assert frozen.value.code == "EVA_WRITE_FROZEN"
    return lab, first.replica_id


@pytest.mark.rule("OPS-I5")
def test_the_session_that_meets_a_full_disk_group_reports_it() -> None:
    lab, old = _full_lab()
    session = lab.backup()
    major = [m for m in session.messages if m.code == "EVA_DISK_GROUP_FULL"]
    assert len(major) == 1 and major[0].severity == Severity.MAJOR
    assert "Disk group DG1 is full" in major[0].text and old in major[0].text
    assert session.status == SessionStatus.COMPLETED_ERRORS
    rep = lab.repo.get_replica(old)
    assert rep.status == ReplicaStatus.INVALID and not rep.tracked
    assert "DG1" in rep.details["invalid_reason"]
    assert [r.id for r in lab.active()] == [session.replica_id]
    refused = lab.orch.restore(old)  # not restorable
    assert refused.status == SessionStatus.FAILED
    assert any(m.code == "NOT_ACTIVE" for m in refused.messages)


@pytest.mark.rule("OPS-I5")
def test_later_sessions_warn_while_it_lasts() -> None:
    lab, old = _full_lab()
    lab.backup()
    later = lab.backup()
    warn = [m for m in later.messages if m.code == "EVA_WRITE_FROZEN"]
    assert len(warn) == 1 and warn[0].severity == Severity.WARNING and "DG1" in warn[0].text
    assert not any(m.code == "EVA_DISK_GROUP_FULL" for m in later.messages)
    assert later.status == SessionStatus.COMPLETED
    lab.orch.delete_replica(old)  # the failed vsnaps go: writes resume, no more warnings
    lab.hosts.write_file("app1", "/logs/b.log", {0: "y"})
    after = lab.backup()
    assert not any(m.code in ("EVA_WRITE_FROZEN", "EVA_DISK_GROUP_FULL") for m in after.messages)
