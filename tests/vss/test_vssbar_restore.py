"""Instant recovery of VSS replicas: the whole session, one component on its own disks,
restore methods, and a filesystem-only VSS backup; the SQL writer's PreRestore/PostRestore
bring back exactly the transactions committed at the replica's instant."""

from __future__ import annotations

import pytest

from apprm_ref.core.integrations.vss_restore import VssRecoveryOptions
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.sim.sqlserver.instance import fold
from apprm_ref.types import SessionStatus
from tests.vss.sqllab import VssLab


def backed_up(lab: VssLab, **spec: object) -> tuple[str, float]:
    lab.spec(**spec)
    lab.sql.apply_workload(30)
    lab.world.advance(900)
    lab.sql.apply_workload(30)  # the first epoch's long transactions commit, new ones open
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    at = lab.repo.replicas_of_session(s.id)[0].created_at
    lab.world.advance(900)
    lab.sql.apply_workload(30)
    return s.id, at


@pytest.mark.rule("VC-I14")
def test_session_ir_switch_restores_every_volume_and_consumes_the_replica() -> None:
    lab = VssLab()
    sid, at = backed_up(lab)
    r = lab.orch.restore(sid, RestoreOptions(method="switch"))
    assert r.status == SessionStatus.COMPLETED, lab.messages(r)
    for db in ("sales", "stock", "hr"):
        assert lab.sql.database_data(db) == fold(lab.sql.commits, db, until=at), db
    rolled_back = [t for _, t in lab.sql.errorlog if "transactions rolled back" in t][-3:]
    assert any(not t.startswith("0 ") for t in rolled_back)  # open work undone
    rep = lab.repo.replicas_of_session(sid)[0]
    assert rep.status == ReplicaStatus.CONSUMED
    assert "PostRestore: sales, stock, hr recovered" in lab.messages(r)
    assert lab.world.invariant_problems() == []


def test_one_database_on_its_own_disk_is_restored_alone() -> None:
    lab = VssLab()
    sid, at = backed_up(lab)
    now = lab.world.now()
    r = lab.orch.restore(
        sid,
        RestoreOptions(method="copy-back", keep_replica=True),
        VssRecoveryOptions(components=("hr",)),
    )
    assert r.status == SessionStatus.COMPLETED, lab.messages(r)
    assert lab.sql.database_data("hr") == fold(lab.sql.commits, "hr", until=at)
    for db in ("sales", "stock"):  # untouched, with everything committed since
        assert lab.sql.database_data(db) == fold(lab.sql.commits, db, until=now)
    assert "Dismounted G:\\" in lab.messages(r)
    rep = lab.repo.replicas_of_session(sid)[0]
    assert len(rep.targets) == 3 and rep.status == ReplicaStatus.ACTIVE  # record kept whole


def test_a_component_sharing_its_volumes_cannot_be_restored_alone() -> None:
    lab = VssLab()
    sid, _at = backed_up(lab)
    before = lab.sql.data()
    r = lab.orch.restore(
        sid, RestoreOptions(method="switch"), VssRecoveryOptions(components=("sales",))
    )
    assert r.status == SessionStatus.FAILED
    assert "COMPONENT_NOT_ALONE" in {m.code for m in r.messages}
    assert lab.sql.data() == before  # nothing changed
    assert lab.repo.replicas_of_session(sid)[0].status == ReplicaStatus.ACTIVE


def test_no_recovery_leaves_the_database_restoring() -> None:
    lab = VssLab()
    sid, _at = backed_up(lab)
    r = lab.orch.restore(
        sid,
        RestoreOptions(method="copy-back", keep_replica=True),
        VssRecoveryOptions(components=("hr",), recover=False),
    )
    assert r.status == SessionStatus.COMPLETED, lab.messages(r)
    assert lab.sql.databases["hr"].state == "RESTORING"
    assert "left restoring" in lab.messages(r)


def test_a_filesystem_only_vss_backup_is_restored_at_session_level() -> None:
    lab = VssLab()
    lab.orch.create_spec(
        {
            "name": "files",
            "type": "vss",
            "application_system": "win1",
            "array": "eva1",
            "objects": ["H:\\"],
            "replication": {"snapshot_type": "snapclone"},
        }
    )
    hosts = lab.world.hosts
    before = hosts.read_file("win1", "H:\\share\\report.doc")
    s = lab.orch.run_backup("files")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert lab.repo.replicas_of_session(s.id)[0].details["vss"]["components"] == []
    hosts.write_file("win1", "H:\\share\\report.doc", {0: "damaged"})
    lab.world.advance(3600)  # the snapclone normalizes
    r = lab.orch.restore(s.id, RestoreOptions(method="switch"))
    assert r.status == SessionStatus.COMPLETED, lab.messages(r)
    assert hosts.read_file("win1", "H:\\share\\report.doc") == before


@pytest.mark.rule("VC-I11")
def test_a_transportable_backup_is_mounted_read_only_on_the_backup_system() -> None:
    lab = VssLab()
    lab.spec(
        backup_system="winbk",
        replication={
            "snapshot_type": "snapclone",
            "replicas": 2,
            "leave_backup_system_enabled": True,
        },
    )
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    rep = lab.repo.replicas_of_session(s.id)[0]
    assert rep.details["vss"]["transportable"] is True
    mounts = rep.details["backup_system_mounts"]
    assert len(mounts) == 3
    bk = lab.world.hosts.host("winbk")
    assert all(bk.mounts[m].read_only for m in mounts)
    names = {f for m in mounts for f in lab.world.hosts.list_files("winbk", m)}
    assert any(n.endswith("sales.mdf") for n in names)


@pytest.mark.rule("VC-I14")
def test_a_component_switch_consumes_its_disks_and_the_rest_stays_a_replica() -> None:
    lab = VssLab()
    sid, at = backed_up(lab)
    r = lab.orch.restore(
        sid, RestoreOptions(method="switch"), VssRecoveryOptions(components=("hr",))
    )
    assert r.status == SessionStatus.COMPLETED, lab.messages(r)
    assert lab.sql.database_data("hr") == fold(lab.sql.commits, "hr", until=at)
    rep = lab.repo.replicas_of_session(sid)[0]
    assert rep.status == ReplicaStatus.ACTIVE
    assert sorted(t.source.volume for t in rep.targets) == ["vd0001", "vd0002"]  # E:, F:
    assert [lay.mount_point for lay in rep.layout] == ["E:\\", "F:\\"]
    # the rest is still a replica of sales and stock at the same instant
    lab.world.advance(3600)
    r2 = lab.orch.restore(sid, RestoreOptions(method="switch"))
    assert r2.status == SessionStatus.COMPLETED, lab.messages(r2)
    for db in ("sales", "stock"):
        assert lab.sql.database_data(db) == fold(lab.sql.commits, db, until=at)
    assert lab.world.invariant_problems() == []
