"""EVA: CA DR groups, fault sites, save/load, invariant checker, hosts writing through."""

from __future__ import annotations

import pytest
from eva_helpers import CLONE, SNAP, VSNAP, make, refused

from apprm_ref.drivers.array import DR_GROUP_ZDB_STATES
from apprm_ref.errors import EvaError, InvariantViolation
from apprm_ref.sim.eva.driver import EvaDriver
from apprm_ref.sim.eva.models import DrState, VdiskState
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World


@pytest.mark.rule("ARR-P15")
@pytest.mark.parametrize("state", list(DrState))
def test_ca_dr_group_state_reported_for_gating(world, eva, state):
    dest = eva.create_vdisk("dest", 4 * GIB, "dg1")
    eva.add_dr_group("drg1", [dest.id], role="destination", state=DrState.NORMAL)
    eva.set_dr_state("drg1", state)
    drv = EvaDriver(world, "eva1")
    assert drv.dr_group_state(dest.id) == state.value
    assert (drv.dr_group_state(dest.id) in DR_GROUP_ZDB_STATES) == (
        state in (DrState.NORMAL, DrState.WARNING)
    )
    # the array itself still snapshots a destination vdisk: gating is the orchestrator's
    assert make(eva, dest.id, VSNAP).source == dest.id
    refused(world, "EVA_CA_DESTINATION", eva.block_write, dest.id, {0: "x"})


def test_dr_group_not_in_one(world, eva, src):
    assert EvaDriver(world, "eva1").dr_group_state(src.id) is None
    refused(world, "EVA_NO_SUCH_OBJECT", eva.set_dr_state, "nope", "normal")


@pytest.mark.parametrize(
    ("site", "call"),
    [
        ("eva.create", lambda eva, s, t: make(eva, s.id, VSNAP)),
        ("eva.create", lambda eva, s, t: eva.create_vdisk("n", GIB, "dg1")),
        ("eva.delete", lambda eva, s, t: eva.delete_vdisk(t.id)),
        ("eva.present", lambda eva, s, t: eva.present(t.id, "h")),
        ("eva.restore", lambda eva, s, t: eva.restore_copy_back(t.id, s.id)),
    ],
)
def test_fault_sites_refuse_and_change_nothing(world, eva, src, site, call):
    t = make(eva, src.id, VSNAP)
    world.fault_plan.arm(FaultRule(site=site, code="EVA_INJECTED"))
    before = eva.check_invariants(), sorted(eva.vdisks), dict(t.presentations)
    with pytest.raises(Exception) as info:
        call(eva, src, t)
    assert info.value.code == "EVA_INJECTED"
    assert (eva.check_invariants(), sorted(eva.vdisks), dict(t.presentations)) == before
    assert not src.restoring


@pytest.mark.rule("ARR-P12")
def test_fault_on_kth_target_creates_none(world, eva, src):
    other = eva.create_vdisk("other", 4 * GIB, "dg1")
    from apprm_ref.sim.eva.replicas import TargetSpec

    world.fault_plan.arm(FaultRule(site="eva.create", nth=2, code="EVA_INJECTED"))
    with pytest.raises(EvaError):
        eva.create_targets([TargetSpec(src.id, SNAP), TargetSpec(other.id, SNAP)])
    assert eva.targets_of(src.id) == [] and eva.targets_of(other.id) == []


def test_save_load_with_normalizing_snapclone_and_copy_back(world, eva, src, tmp_path):
    clone = make(eva, src.id, CLONE)
    other = eva.create_vdisk("other", 4 * GIB, "dg1")
    eva.block_write(other.id, {0: "a"})
    snap = make(eva, other.id, SNAP)
    eva.block_write(other.id, {0: "b"})
    eva.restore_copy_back(snap.id, other.id, keep=False)
    world.advance(5)
    path = tmp_path / "w.json"
    world.save(path)
    w2 = World.load(path)
    assert w2.digest() == world.digest()
    e2 = w2.arrays["eva1"]
    assert e2.vdisks[clone.id].state == VdiskState.NORMALIZING
    assert e2.vdisks[clone.id].data.base is e2.vdisks[src.id].data.base  # sharing kept
    w2.advance(clone.copy.done_at - w2.now() + 1)
    assert e2.vdisks[clone.id].state == VdiskState.NORMALIZED
    assert snap.id not in e2.vdisks and e2.block_read(other.id, 0) == "a"
    assert e2.check_invariants() == []
    world.advance(clone.copy.done_at - world.now() + 1)  # the original runs the same way
    assert w2.digest() == world.digest()


def test_invariant_checker_detects_broken_state(world, eva, src):
    snap = make(eva, src.id, SNAP)
    assert eva.check_invariants() == []
    snap.disk_group = "dg2"
    assert any("ARR-I3" in p for p in eva.check_invariants())
    snap.disk_group = "dg1"
    snap.data.write(0, "silent change")
    assert any("ARR-I6" in p for p in eva.check_invariants())
    eva.disk_groups["dg1"].capacity_extents = 1
    assert any("ARR-I5" in p for p in eva.check_invariants())
    with pytest.raises(InvariantViolation):
        world.check_invariants()


def test_hosts_read_and_write_through_the_array(world, eva, src):
    hosts = world.hosts
    hosts.add_host("app1")
    eva.present(src.id, "app1")
    [dev] = hosts.rescan("app1")
    assert dev.wwn == src.wwn and dev.lun == 1
    hosts.create_vg("app1", "vg01", [dev.name])
    hosts.create_lv("app1", "vg01", "lv01", 100)
    hosts.mkfs("app1", "vg01", "lv01")
    hosts.mount("app1", "vg01", "lv01", "/oradata")
    hosts.create_file("app1", "/oradata/system.dbf", 4)
    hosts.write_file("app1", "/oradata/system.dbf", {0: "blk0", 3: "blk3"})
    snap = make(eva, src.id, SNAP)
    hosts.write_file("app1", "/oradata/system.dbf", {0: "changed"})
    # the backup host imports the replica's volume group and reads the old data
    hosts.add_host("bk1", role="backup")
    eva.present(snap.id, "bk1")
    hosts.rescan("bk1")
    vg = hosts.host("app1").vgs["vg01"]
    hosts.import_vg("bk1", vg.uuid, "vg01")
    hosts.mount("bk1", "vg01", "lv01", "/mnt/oradata", read_only=True)
    assert hosts.read_file("bk1", "/mnt/oradata/system.dbf")[0] == "blk0"
    assert hosts.read_file("app1", "/oradata/system.dbf")[0] == "changed"
    assert world.invariant_problems() == []


def test_driver_protocol(world, eva, src):
    from apprm_ref.drivers.array import ReplicaRequest, SnapshotArray
    from apprm_ref.types import ReplicaType

    drv = EvaDriver(world, "eva1")
    assert isinstance(drv, SnapshotArray)
    caps = drv.capabilities()
    assert caps.kind == "snapshot-array" and caps.has("snapclone") and caps.has("ca-eva")
    assert caps.limit("max_snapshots_per_source") == 16
    op = drv.create_replicas([ReplicaRequest(src.id, ReplicaType.SNAPCLONE, raid="vraid1")])
    [tv] = op.result
    assert op.done_at > world.now() and tv.replica_type == ReplicaType.SNAPCLONE
    info = drv.volume_info(tv.target.volume)
    assert (info.role, info.state, info.raid, info.source) == (
        "target",
        "normalizing",
        "vraid1",
        tv.source,
    )
    cs = drv.copy_state(tv.target.volume)
    assert cs.copying and cs.done_at is not None and 0 <= cs.fraction < 1
    world.advance(cs.done_at - world.now())
    assert not drv.copy_state(tv.target.volume).copying  # done exactly at done_at
    assert [t.ref for t in drv.targets_of(src.id)] == [tv.target]
    assert drv.present(tv.target.volume, "bk").result == 1
    assert drv.volume_by_wwn(info.wwn).ref == tv.target
    drv.unpresent(tv.target.volume, "bk")
    op = drv.restore_switch(src.id, tv.target.volume)
    assert op.result == tv.target.volume
    assert drv.pools()[0].name == "dg1" and drv.snapshot_limit(tv.target.volume) == 16
    with pytest.raises(Exception) as info2:
        drv.create_replicas([ReplicaRequest(tv.target.volume, ReplicaType.MIRROR)])
    assert info2.value.code == "EVA_INVALID_PARAMETER"
    assert len(drv.list_volumes()) == 1


def test_registry_builds_the_driver(world, eva):
    from apprm_ref.drivers import registry

    drv = registry.factory("sim-eva")(world, "eva1")
    assert drv.capabilities().vendor == "HP"


def test_lun_numbers_are_per_host() -> None:
    """The same LUN number on two hosts is legal; two vdisks on one host's LUN are not."""
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.storage import GIB, TIB
    from apprm_ref.sim.world import World

    world = World(0)
    eva = world.add_array(EvaBackend("e"))
    eva.add_disk_group("DG", TIB)
    a = eva.create_vdisk("a", GIB, "DG").id
    b = eva.create_vdisk("b", GIB, "DG").id
    assert eva.present(a, "h1", 5) == 5 and eva.present(a, "h2", 5) == 5
    assert eva.check_invariants() == []
    eva.vdisks[b].presentations["h1"] = 5  # forced past the door: the invariant must see it
    assert any("LUN 5 of host h1" in p for p in eva.check_invariants())
