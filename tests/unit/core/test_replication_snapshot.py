"""The EVA replication method end to end on the simulator: options, policy, rotation,
atomicity, purge list, CA gating and instant recovery by every method."""

from __future__ import annotations

import pytest
from eva_lab import Lab

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.snapshot import SnapshotReplication
from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.errors import ConfigError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import ReplicaType, SessionStatus


@pytest.fixture
def lab() -> Lab:
    return Lab()


# --- options ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"snapshot_type": "mirror"}, "replication.snapshot_type"),
        ({"snapshot_policy": "lax"}, "replication.snapshot_policy"),
        ({"replicas": 0}, "replication.replicas"),
        ({"replicas": 51}, "replication.replicas"),
        ({"replicas": True}, "replication.replicas"),
        ({"keep_replica": False}, "replication.keep_replica"),
        ({"wait_clonecopy": 10}, "replication.wait_clonecopy"),
        ({"snapshot_type": "snapclone", "wait_clonecopy": -1}, "replication.wait_clonecopy"),
        ({"snapshot_type": "snapclone", "snapclone_vraid": "raid5"}, "replication.snapclone_vraid"),
        ({"snapclone_disk_group": "DG2"}, "replication.snapclone_disk_group"),
        ({"replica_conf": "remote"}, "replication.replica_conf"),
        ({"colour": "red"}, "replication.colour"),
    ],
)
def test_options_refused_with_the_field(raw, field):
    with pytest.raises(ConfigError) as info:
        SnapshotReplication().parse_options(raw, spec_name="x")
    assert info.value.field == field


@pytest.mark.rule("ARR-I15")
def test_options_defaults_and_tracking_forces_keep():
    m = SnapshotReplication()
    opts = m.parse_options({}, spec_name="x")
    assert (opts.snapshot_type, opts.policy, opts.replicas, opts.keep_replica) == (
        ReplicaType.SNAPSHOT,
        "strict",
        1,
        True,
    )
    assert m.tracked(opts) and m.set_size(opts) == 1
    loose = m.parse_options(
        {
            "keep_for_ir": False,
            "keep_replica": False,
            "snapshot_type": "clone",
            "wait_clonecopy": 5,
            "snapclone_vraid": "vraid1",
        },
        spec_name="x",
    )
    assert not m.tracked(loose) and loose.snapshot_type == ReplicaType.SNAPCLONE


def test_spec_creation_validates_eva_options(lab):
    with pytest.raises(ConfigError) as info:
        lab.spec(replicas=99)
    assert info.value.field == "replication.replicas"


# --- rotation -------------------------------------------------------------------------------


@pytest.mark.rule("ARR-P1", "ARR-P2", "ARR-I13", "ARR-I18")
@pytest.mark.parametrize("kind", ["vsnap", "standard"])
def test_rotation_keeps_the_n_newest(lab, kind):
    lab.spec(snapshot_type=kind, replicas=3)
    made = []
    for k in range(1, 6):
        lab.advance(600)
        s = lab.backup()
        assert s.status == SessionStatus.COMPLETED, lab.messages(s)
        made.append(s.replica_id)
        active = lab.active()
        assert len(active) == min(k, 3)
        assert [r.id for r in active] == made[-3:]
        assert all(a.created_at < b.created_at for a, b in zip(active, active[1:], strict=False))
        assert {t.replica_type for r in active for t in r.targets} == {
            ReplicaType(kind if kind != "standard" else "snapshot")
        }
        assert len(lab.targets()) == 2 * min(k, 3)  # gone from the array too
    removed = lab.repo.get_replica(made[0])
    assert removed.status == ReplicaStatus.DELETED
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("ARR-P13", "ARR-I13")
def test_in_use_oldest_goes_to_purge_list_then_purged(lab):
    lab.spec(snapshot_type="vsnap", replicas=1)
    first = lab.repo.get_replica(lab.backup().replica_id)
    held = first.targets[0].target.volume
    lab.drv.present(held, "forensics")  # someone still uses it
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED_ERRORS or s.status == SessionStatus.COMPLETED
    assert f"target {held} is presented to forensics; moved to the purge list" in lab.messages(s)
    assert lab.repo.get_replica(first.id).status == ReplicaStatus.PURGE
    assert len(lab.active()) == 1
    assert lab.orch.purge() == []  # still presented: stays on the list
    lab.drv.unpresent(held, "forensics")
    assert [r.id for r in lab.orch.purge()] == [first.id]
    assert all(t.target.volume not in lab.targets() for t in first.targets)


# --- policy and lockout -------------------------------------------------------------------


@pytest.mark.rule("ARR-P6", "ARR-I18")
def test_strict_aborts_loose_adopts_existing_type(lab):
    lab.spec("vs", snapshot_type="vsnap", replicas=2)
    lab.spec("strict", snapshot_type="standard", snapshot_policy="strict", replicas=2)
    lab.spec("loose", snapshot_type="standard", snapshot_policy="loose", replicas=2)
    assert lab.backup("vs").status == SessionStatus.COMPLETED
    before = lab.targets()
    s = lab.backup("strict")
    assert s.status == SessionStatus.FAILED and "SNAPSHOT_TYPE_CONFLICT" in lab.messages(s)
    assert lab.targets() == before and lab.active("strict") == []
    s = lab.backup("loose")
    assert s.status == SessionStatus.COMPLETED
    [rep] = lab.active("loose")
    assert rep.replica_type == ReplicaType.VSNAP and {t.replica_type for t in rep.targets} == {
        ReplicaType.VSNAP
    }


@pytest.mark.rule("ARR-P6")
def test_mixed_types_abort_under_both_policies(lab):
    d1, d2 = sorted(v.ref.volume for v in lab.drv.list_volumes())
    lab.drv.create_replicas([ReplicaRequest(d1, ReplicaType.SNAPSHOT)])
    lab.drv.create_replicas([ReplicaRequest(d2, ReplicaType.VSNAP)])
    for policy in ("strict", "loose"):
        lab.spec(policy, snapshot_type="vsnap", snapshot_policy=policy)
        before = lab.targets()
        s = lab.backup(policy)
        assert s.status == SessionStatus.FAILED and "MIXED_TYPES" in lab.messages(s)
        assert lab.targets() == before


@pytest.mark.rule("ARR-P7")
def test_cloning_lockout_then_success():
    lab = Lab("64GiB")  # unsharing takes ~11 minutes
    lab.spec(snapshot_type="snapclone", replicas=2)
    assert lab.backup().status == SessionStatus.COMPLETED
    before = lab.targets()
    s = lab.backup()
    assert s.status == SessionStatus.FAILED and "CLONING_IN_PROGRESS" in lab.messages(s)
    assert lab.targets() == before
    lab.advance(3600)
    assert lab.backup().status == SessionStatus.COMPLETED
    assert len(lab.active()) == 2


def test_wait_clonecopy_holds_the_session_end():
    lab = Lab("64GiB")
    lab.spec(snapshot_type="snapclone", wait_clonecopy=5)
    s = lab.backup()
    assert s.finished - s.started >= 300 and "still unsharing" in lab.messages(s)
    lab.spec("w2", objects=("/logs",), snapshot_type="snapclone", wait_clonecopy=60)
    lab.advance(3600)
    s2 = lab.backup("w2")
    states = [
        lab.drv.copy_state(t.target.volume) for t in lab.repo.get_replica(s2.replica_id).targets
    ]
    assert not any(c.copying for c in states) and s2.status == SessionStatus.COMPLETED


# --- atomicity ---------------------------------------------------------------------------


@pytest.mark.rule("ARR-P12", "ARR-I14", "ARR-I16")
@pytest.mark.parametrize(("site", "nth"), [("eva.create", 2), ("eva.present", 2)])
def test_failure_leaves_no_target_and_records_nothing(lab, site, nth):
    lab.spec(snapshot_type="standard")
    lab.world.fault_plan.arm(FaultRule(site=site, nth=nth, code="EVA_INJECTED"))
    s = lab.backup()
    assert s.status == SessionStatus.FAILED and "EVA_INJECTED" in lab.messages(s)
    assert lab.targets() == [] and lab.repo.list_replicas(spec="fs") == []
    assert not any(m.frozen for m in lab.hosts.host("app1").mounts.values())
    assert lab.hosts.host("bk1").mounts == {} and lab.eva.host_luns("bk1") == []
    assert lab.world.invariant_problems() == []


def test_replica_not_kept_is_deleted_at_the_end(lab):
    lab.spec(keep_for_ir=False, keep_replica=False)
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED
    assert lab.targets() == [] and lab.active() == []


# --- CA EVA -------------------------------------------------------------------------------


@pytest.mark.rule("ARR-P15")
@pytest.mark.parametrize(
    ("state", "override", "ok"),
    [
        ("normal", False, True),
        ("warning", False, True),
        ("error", False, False),
        ("unknown", False, False),
        ("logging", False, False),
        ("error", True, True),
    ],
)
def test_ca_destination_gating(lab, state, override, ok):
    vols = sorted(v.ref.volume for v in lab.drv.list_volumes())
    lab.eva.add_dr_group("drg", vols, role="source", state=state)
    lab.spec(replica_conf="combined", ca_override=override)
    s = lab.backup()
    assert (s.status in (SessionStatus.COMPLETED, SessionStatus.COMPLETED_ERRORS)) == ok, (
        lab.messages(s)
    )
    if not ok:
        assert "CA_DR_GROUP_STATE" in lab.messages(s) and lab.targets() == []


def test_ca_combined_needs_a_dr_group(lab):
    lab.spec(replica_conf="combined")
    s = lab.backup()
    assert s.status == SessionStatus.FAILED and "NOT_CA_DESTINATION" in lab.messages(s)
