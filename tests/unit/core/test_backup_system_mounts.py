"""Replicas left enabled on the backup system never block a later session (OPS-I3).

Mount paths follow Data Protector's backup-system options: a mount-path root with the
directories "host name and session ID" added by default ("Add directories to the mount
path": none / host name / host name and session ID; ``arrays.md`` §2.4 after the DP
A.06.11 ZDB integration guide). Rotation makes the new replica before it gives up the
oldest when the array has room; otherwise it says the set is briefly empty.
"""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from eva_lab import Lab

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication import snapshot_rotation as rotation
from apprm_ref.core.replication.snapshot_options import parse_eva_options
from apprm_ref.core.replication.snapshot_state import SnapshotSessionState
from apprm_ref.errors import ConfigError
from apprm_ref.types import SessionStatus, Severity

sys.path.insert(0, str(Path(__file__).parent / "replication"))
from xp_estate import make_estate  # noqa: E402


def _texts(session) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text for m in session.messages]


def _index(session, start: str) -> int:  # type: ignore[no-untyped-def]
    return next(i for i, t in enumerate(_texts(session)) if t.startswith(start))


@pytest.mark.rule("OPS-I3")
def test_eva_set_of_one_left_enabled_keeps_a_good_replica() -> None:
    """Before: the second session failed with EBUSY on /zdb/fs/data after rotation had moved
    the only replica to the purge list."""
    lab = Lab()
    lab.spec(replicas=1, snapshot_type="vsnap", leave_backup_system_enabled=True)
    first = lab.backup()
    lab.advance(60)
    second = lab.backup()
    assert (first.status, second.status) == (SessionStatus.COMPLETED, SessionStatus.COMPLETED)
    one = lab.repo.get_replica(first.replica_id)
    two = lab.repo.get_replica(second.replica_id)
    assert one.details["backup_system_mounts"] == [
        f"/zdb/app1/{first.id}/data",
        f"/zdb/app1/{first.id}/logs",
    ]
    assert two.details["backup_system_mounts"] == [
        f"/zdb/app1/{second.id}/data",
        f"/zdb/app1/{second.id}/logs",
    ]
    assert set(lab.hosts.host("bk1").mounts) >= {*one.details["backup_system_mounts"]}
    # the old replica is given up only once the new one exists
    assert _index(second, "Created 2 vsnap") < _index(second, f"Rotation: replica {one.id}")
    assert one.status == ReplicaStatus.PURGE and two.status == ReplicaStatus.ACTIVE
    assert [r.id for r in lab.active()] == [two.id]


@pytest.mark.rule("OPS-I3")
def test_eva_without_room_warns_that_the_set_is_briefly_empty() -> None:
    """Full snapshots of 2 x 300 GiB at Vraid5 take 750 GiB raw: DG1 (2 TiB) holds the
    sources and one such replica, not two. The old one is taken back from the backup
    system and deleted first, with a warning."""
    lab = Lab("300GiB")
    lab.spec(replicas=1, snapshot_type="snapshot", leave_backup_system_enabled=True)
    first = lab.backup()
    lab.advance(60)
    second = lab.backup()
    assert second.status == SessionStatus.COMPLETED, _texts(second)
    warn = next(m for m in second.messages if m.code == "SET_BRIEFLY_EMPTY")
    assert warn.severity == Severity.WARNING and "disk group DG1" in warn.text
    assert _index(second, f"Rotation: replica {first.replica_id}") < _index(second, "Created 2")
    assert lab.repo.get_replica(first.replica_id).status == ReplicaStatus.DELETED
    assert [r.id for r in lab.active()] == [second.replica_id]
    assert set(lab.hosts.host("bk1").mounts) == {
        f"/zdb/app1/{second.id}/data",
        f"/zdb/app1/{second.id}/logs",
    }


class _Capped:
    """The simulator's EVA driver with the E9 per-source limit lowered to ``limit``."""

    def __init__(self, drv, limit: int) -> None:  # type: ignore[no-untyped-def]
        self.drv, self.limit = drv, limit

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.drv, name)

    def snapshot_limit(self, source: str) -> int:
        return self.limit


@pytest.mark.rule("OPS-I3")
def test_eva_snapshot_limit_counts_as_no_room() -> None:
    lab = Lab()
    lab.spec(replicas=2, snapshot_type="vsnap")
    sources = lab.repo.get_replica(lab.backup().replica_id).sources
    opts = parse_eva_options({"replicas": 2, "snapshot_type": "vsnap"}, spec_name="fs")
    state = SnapshotSessionState()
    ctx = SimpleNamespace(options=opts, state=lambda _kind: state)
    assert rotation.room_missing(ctx, lab.drv, sources) is None  # type: ignore[arg-type]
    why = rotation.room_missing(ctx, _Capped(lab.drv, 1), sources)  # type: ignore[arg-type]
    assert why is not None and "has 1 of 1 snapshots allowed" in why


@pytest.mark.rule("OPS-I3")
def test_mount_path_dirs_option() -> None:
    for dirs, want in (("host", "/zdb/app1/data"), ("none", "/zdb/data")):
        lab = Lab()
        lab.spec(name=f"s{dirs}", replicas=1, snapshot_type="vsnap", mount_path_dirs=dirs)
        session = lab.backup(f"s{dirs}")
        mounted = next(t for t in _texts(session) if t.startswith("Replica mounted"))
        assert mounted.endswith(f"{want}, {want.replace('data', 'logs')}")


def test_mount_path_dirs_refuses_unknown_values() -> None:
    lab = Lab()
    with pytest.raises(ConfigError) as err:
        lab.spec(mount_path_dirs="session")
    assert err.value.field == "replication.mount_path_dirs"


@pytest.mark.rule("OPS-I3")
def test_xp_single_mu_left_enabled_is_disabled_before_resync() -> None:
    """Before: MU#0 was re-synchronised under the S-VOLs still mounted on the backup system,
    silently, and the new replica mounted over the same path."""
    est = make_estate({"mu": "0", "leave_backup_system_enabled": True})
    first = est.backup()
    est.advance(60)
    second = est.backup()
    assert second.status == SessionStatus.COMPLETED
    texts = _texts(second)
    disabled = _index(second, f"Replica {first.replica_id} disabled on bkp")
    assert disabled < _index(second, "Resynchronising MU#0")
    warn = next(m for m in second.messages if m.code == "SET_BRIEFLY_EMPTY")
    assert warn.severity == Severity.WARNING and "MU#0" in warn.text
    assert set(est.world.hosts.host("bkp").mounts) == {f"/zdb/app/{second.id}/data"}
    assert any(t.startswith("Replica mounted on bkp") for t in texts)


@pytest.mark.rule("OPS-I3")
def test_xp_free_mu_rotates_nothing_and_does_not_warn() -> None:
    est = make_estate({"mu": "0-1", "leave_backup_system_enabled": True})
    first = est.backup()
    est.advance(60)
    second = est.backup()
    assert second.status == SessionStatus.COMPLETED
    assert not any(m.code == "SET_BRIEFLY_EMPTY" for m in second.messages)
    reps = {r.id: r for r in est.repo.list_replicas(spec="fs1")}
    assert reps[first.replica_id].status == ReplicaStatus.ACTIVE
    assert set(est.world.hosts.host("bkp").mounts) == {
        f"/zdb/app/{first.id}/data",
        f"/zdb/app/{second.id}/data",
    }


def test_xp_mount_is_logged_under_the_xp_agent() -> None:
    """Before: ``SMISA@bkp`` (the EVA agent) on an XP session."""
    est = make_estate({"mu": "0-1"})
    session = est.backup()
    mounted = next(m for m in session.messages if m.text.startswith("Replica mounted"))
    assert mounted.origin == "SSEA@bkp"
    lab = Lab()
    lab.spec(replicas=1, snapshot_type="vsnap")
    eva = lab.backup()
    assert next(m for m in eva.messages if m.text.startswith("Replica mounted")).origin == (
        "SMISA@bk1"
    )
