"""DELETE ARCHIVELOG UNTIL TIME (``delete_archived_logs``): files gone from the archive
destination, their extents trimmed on the array, records marked DELETED; refused purges
change nothing."""

from __future__ import annotations

import pytest

from apprm_ref.errors import ApprmError
from apprm_ref.sim.oracle.estate import Estate


def _archives(estate: Estate, n: int) -> None:
    for _ in range(n):
        estate.db.workload(3)
        estate.world.advance(60)
        estate.db.archive_log_current()


def test_purge_removes_old_archives_and_frees_their_extents(estate: Estate) -> None:
    _archives(estate, 4)
    cut = estate.world.now() - 90  # keeps the newest archives
    old = [a for a in estate.db.cf["archives"] if a["completion_time"] < cut]
    keep = [a for a in estate.db.cf["archives"] if a["completion_time"] >= cut]
    assert old and keep
    varch = estate.array.volumes["varch"]
    payloads_before = sum(1 for v in varch.written().values() if v is not None)
    gone = estate.db.delete_archived_logs(cut)
    assert gone == [a["name"] for a in old]
    hosts = estate.world.hosts
    assert not any(hosts.file_exists("db1", p) for p in gone)
    assert all(hosts.file_exists("db1", a["name"]) for a in keep)
    assert all(a["deleted"] for a in old) and not any(a["deleted"] for a in keep)
    payloads_after = sum(1 for v in varch.written().values() if v is not None)
    assert payloads_after < payloads_before
    # the control file on disk says so too, and the database keeps working
    assert estate.db.read_controlfile(estate.db.cf_paths()[0])["archives"][0]["deleted"]
    estate.db.workload(2)
    assert estate.db.delete_archived_logs(cut) == []


def test_purge_on_a_frozen_destination_is_refused_and_changes_nothing(estate: Estate) -> None:
    _archives(estate, 2)
    before = [dict(a) for a in estate.db.cf["archives"]]
    files = estate.world.hosts.list_files("db1", "/oraarch")
    estate.world.hosts.freeze("db1", "/oraarch")
    with pytest.raises(ApprmError):
        estate.db.delete_archived_logs(estate.world.now() + 1)
    estate.world.hosts.thaw("db1", "/oraarch")
    assert estate.db.cf["archives"] == before
    assert estate.world.hosts.list_files("db1", "/oraarch") == files


@pytest.mark.rule("REL-I1")
def test_a_purge_the_fault_fails_keeps_every_log_and_the_next_run_catches_up(
    estate: Estate,
) -> None:
    """``oracle.delete_archive``: no ZDB session deletes archived logs (they are backed up
    apart from the replica, oracle-sap.md 3.1: "Archive logs are never part of the replica"),
    so the site is reached by the DBA's purge job (``whatif`` ``archive_purges``): refused,
    every log stays on disk and in the control file, and the next run deletes them."""
    from apprm_ref.sim.faults import FaultRule

    _archives(estate, 3)
    before = [dict(a) for a in estate.db.cf["archives"]]
    files = estate.world.hosts.list_files("db1", "/oraarch")
    estate.world.fault_plan.arm(FaultRule("oracle.delete_archive"))
    with pytest.raises(ApprmError, match="oracle.delete_archive"):
        estate.db.delete_archived_logs(estate.world.now() + 1)
    assert [f.site for f in estate.world.fault_plan.log] == ["oracle.delete_archive"]
    assert estate.db.cf["archives"] == before
    assert estate.world.hosts.list_files("db1", "/oraarch") == files
    gone = estate.db.delete_archived_logs(estate.world.now() + 1)  # the rule is spent
    assert gone == [a["name"] for a in before]
    assert not any(estate.world.hosts.file_exists("db1", p) for p in gone)
