"""One test per EVA array rule (arrays.md 2.2): the accepted and the refused outcome, and
on refusal the whole world is unchanged."""

from __future__ import annotations

import pytest
from eva_helpers import CLONE, SNAP, VSNAP, make, refused

from apprm_ref.sim.eva.models import VdiskState, snapshot_limit
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.storage import GIB, TIB

pytestmark = pytest.mark.filterwarnings("error")


@pytest.mark.rule("ARR-I3")
def test_e1_snapshot_same_disk_group(world, eva, src):
    refused(world, "EVA_DIFFERENT_DISK_GROUP", make, eva, src.id, SNAP, disk_group="dg2")
    refused(world, "EVA_DIFFERENT_DISK_GROUP", make, eva, src.id, VSNAP, disk_group="dg2")
    assert make(eva, src.id, VSNAP, disk_group="dg1").disk_group == "dg1"
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I3")
def test_e2_snapshot_vraid_not_above_source(world, eva, src):
    refused(world, "EVA_VRAID_TOO_HIGH", make, eva, src.id, SNAP, vraid="vraid1")
    assert make(eva, src.id, SNAP, vraid="vraid0").vraid.value == "vraid0"


@pytest.mark.rule("ARR-I3")
def test_e6_snapclone_other_group_and_any_vraid(world, eva, src):
    clone = make(eva, src.id, CLONE, disk_group="dg2", vraid="vraid1")
    assert (clone.disk_group, clone.vraid.value) == ("dg2", "vraid1")
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I2")
def test_e3_snapshots_share_allocation_and_vraid(world, eva, src):
    make(eva, src.id, VSNAP)
    refused(world, "EVA_SNAPSHOT_MISMATCH", make, eva, src.id, SNAP)
    refused(world, "EVA_SNAPSHOT_MISMATCH", make, eva, src.id, VSNAP, vraid="vraid0")
    make(eva, src.id, VSNAP)
    # inside one batch too
    other = eva.create_vdisk("other", 4 * GIB, "dg1", "vraid5")
    batch = [TargetSpec(other.id, SNAP), TargetSpec(other.id, VSNAP)]
    refused(world, "EVA_SNAPSHOT_MISMATCH", eva.create_targets, batch)


@pytest.mark.rule("ARR-I1")
def test_e4_no_snapshot_of_snapshot_but_of_snapclone(world, eva, src):
    snap = make(eva, src.id, SNAP)
    refused(world, "EVA_SOURCE_IS_SNAPSHOT", make, eva, snap.id, SNAP)
    refused(world, "EVA_SOURCE_IS_SNAPSHOT", make, eva, snap.id, CLONE)
    other = eva.create_vdisk("other", 4 * GIB, "dg1", "vraid5")
    clone = make(eva, other.id, CLONE)
    world.advance(clone.copy.done_at - world.now())
    assert make(eva, clone.id, VSNAP).source == clone.id
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I2")
def test_e5_no_replica_of_a_normalizing_vdisk(world, eva, src):
    clone = make(eva, src.id, CLONE)
    refused(world, "EVA_SOURCE_NORMALIZING", make, eva, clone.id, VSNAP)
    refused(world, "EVA_SOURCE_NORMALIZING", make, eva, clone.id, CLONE)


@pytest.mark.rule("ARR-I2", "ARR-P7", "VC-P11")
def test_e7_cloning_lockout_then_allowed(world, eva, src):
    clone = make(eva, src.id, CLONE)
    assert clone.state == VdiskState.NORMALIZING
    refused(world, "EVA_CLONE_IN_PROGRESS", make, eva, src.id, CLONE)
    refused(world, "EVA_CLONE_IN_PROGRESS", make, eva, src.id, SNAP)
    refused(world, "EVA_CLONE_IN_PROGRESS", make, eva, src.id, VSNAP)
    world.advance(clone.copy.done_at - world.now() + 1)
    assert clone.state == VdiskState.NORMALIZED
    assert make(eva, src.id, CLONE).state == VdiskState.NORMALIZING
    # two snapclones of one source in one batch: the second is refused, nothing made
    other = eva.create_vdisk("other", 4 * GIB, "dg1", "vraid5")
    batch = [TargetSpec(other.id, CLONE), TargetSpec(other.id, CLONE)]
    refused(world, "EVA_CLONE_IN_PROGRESS", eva.create_targets, batch)


@pytest.mark.rule("ARR-I2", "VC-P11")
def test_e8_no_snapclone_of_a_source_with_snapshots(world, eva, src):
    snap = make(eva, src.id, VSNAP)
    refused(world, "EVA_HAS_SNAPSHOTS", make, eva, src.id, CLONE)
    eva.delete_vdisk(snap.id)
    assert make(eva, src.id, CLONE).kind == CLONE


@pytest.mark.parametrize(
    ("tb", "limit"),
    [
        (0.5, 16),
        (0.94, 16),
        (0.95, 15),
        (1.0, 15),
        (1.07, 14),
        (1.15, 13),
        (1.2, 12),
        (1.3, 11),
        (1.5, 10),
        (1.6, 9),
        (1.88, 8),
        (1.89, 7),
        (2.0, 7),
    ],
)
def test_e9_limit_table(tb, limit):
    assert snapshot_limit(int(tb * TIB)) == limit


@pytest.mark.rule("ARR-I4")
@pytest.mark.parametrize(("size_gib", "limit"), [(100, 16), (1024, 15), (1945, 7)])
def test_e9_snapshot_limit_by_source_size(world, eva, size_gib, limit):
    eva.add_disk_group("big", 64 * TIB, extent_bytes=GIB)
    big = eva.create_vdisk("big", size_gib * GIB, "big", "vraid5")
    for _ in range(limit):
        make(eva, big.id, VSNAP)
    refused(world, "EVA_SNAPSHOT_LIMIT", make, eva, big.id, VSNAP)
    assert len(eva.snapshots_of(big.id)) == limit
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I4")
def test_e10_vdisk_limit_counts_snapshots(world, eva, src):
    eva.max_vdisks = 3
    make(eva, src.id, VSNAP)
    make(eva, src.id, VSNAP)
    refused(world, "EVA_VDISK_LIMIT", make, eva, src.id, VSNAP)
    refused(world, "EVA_VDISK_LIMIT", eva.create_vdisk, "x", GIB, "dg1")


@pytest.mark.rule("ARR-I5")
def test_space_standard_reserves_vsnap_grows(world, eva, src):
    base = eva.free_raw("dg1")
    snap = make(eva, src.id, SNAP)  # vraid5: 4 GiB usable = 5 GiB raw
    assert base - eva.free_raw("dg1") == 5 * 1024
    eva.delete_vdisk(snap.id)
    vs = make(eva, src.id, VSNAP)
    assert eva.free_raw("dg1") == base
    eva.block_write(src.id, {5: "new", 6: "new"})
    eva.block_write(src.id, {5: "again"})  # extent already copied: no more space
    assert vs.cow == {5: True, 6: True}
    assert base - eva.free_raw("dg1") == 3  # 2 extents at vraid5, rounded up


@pytest.mark.rule("ARR-I5")
def test_f7_no_space_for_fully_allocated_target(world, eva):
    eva.add_disk_group("tiny", 12 * GIB)
    v = eva.create_vdisk("v", 4 * GIB, "tiny", "vraid5")  # 5 GiB raw
    make(eva, v.id, SNAP)  # 5 more
    assert eva.free_raw("tiny") == 2 * 1024
    refused(world, "EVA_INSUFFICIENT_SPACE", make, eva, v.id, SNAP)
    refused(world, "EVA_INSUFFICIENT_SPACE", eva.create_vdisk, "w", 4 * GIB, "tiny", "vraid5")


@pytest.mark.rule("ARR-I5", "ARR-P8")
def test_e11_vsnap_growth_freezes_source_and_fails_vsnaps(world, eva):
    eva.add_disk_group("small", 10 * GIB)
    v = eva.create_vdisk("v", 8 * GIB, "small", "vraid0")  # 8 GiB raw, 2 GiB free
    eva.block_write(v.id, {0: "keep"})
    vs1, vs2 = make(eva, v.id, VSNAP), make(eva, v.id, VSNAP)
    eva.block_write(v.id, {i: f"w{i}" for i in range(1, 1000)})  # 2 * 999 extents
    assert eva.free_raw("small") == 2048 - 1998
    with pytest.raises(Exception) as info:
        eva.block_write(v.id, {i: "x" for i in range(1000, 1100)})
    assert info.value.code == "EVA_WRITE_FROZEN"
    assert vs1.state == vs2.state == VdiskState.FAILED
    assert v.data.read(1050) is None  # the refused write did not land: no silent loss
    refused(world, "EVA_WRITE_FROZEN", eva.block_write, v.id, {0: "more"})
    refused(world, "EVA_SNAPSHOT_FAILED", eva.block_read, vs1.id, 0)
    assert eva.check_invariants() == []
    eva.delete_vdisk(vs1.id)
    eva.delete_vdisk(vs2.id)
    eva.block_write(v.id, {0: "more"})  # writes resume once the failed vsnaps are gone
    assert eva.block_read(v.id, 0) == "more"


@pytest.mark.rule("ARR-I6", "ARR-P3")
@pytest.mark.parametrize("kind", [SNAP, VSNAP, CLONE])
def test_point_in_time_content(world, eva, src, kind):
    t = make(eva, src.id, kind)
    eva.block_write(src.id, {1: "new-1", 3: "new-3"})
    assert [eva.block_read(t.id, i) for i in range(4)] == ["label", "old-1", "old-2", None]
    assert eva.block_read(src.id, 1) == "new-1"
    world.advance(10_000)  # unsharing ends: content unchanged
    assert [eva.block_read(t.id, i) for i in range(4)] == ["label", "old-1", "old-2", None]
    eva.block_write(t.id, {2: "tgt"})  # target writes stay on the target
    assert eva.block_read(src.id, 2) == "old-2"
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I7")
def test_e12_source_with_unfinished_snapclone_not_deletable(world, eva, src):
    clone = make(eva, src.id, CLONE)
    refused(world, "EVA_UNSHARING", eva.delete_vdisk, src.id)
    world.advance(clone.copy.done_at - world.now())
    eva.delete_vdisk(src.id)
    assert clone.state == VdiskState.NORMALIZED and eva.block_read(clone.id, 1) == "old-1"
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I7")
def test_normalizing_snapclone_itself_can_be_deleted(world, eva, src):
    clone = make(eva, src.id, CLONE)
    eva.delete_vdisk(clone.id)
    world.advance(10_000)  # the stale completion event does nothing
    assert clone.id not in eva.vdisks and eva.check_invariants() == []


@pytest.mark.rule("ARR-I7")
def test_e13_snapshots_invalid_when_source_deleted(world, eva, src):
    s1, s2 = make(eva, src.id, VSNAP), make(eva, src.id, VSNAP)
    eva.delete_vdisk(src.id)
    assert s1.state == s2.state == VdiskState.INVALID
    refused(world, "EVA_SNAPSHOT_INVALID", eva.block_read, s1.id, 0)
    eva.delete_vdisk(s1.id)
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-I8")
def test_presented_vdisk_not_deleted(world, eva, src):
    snap = make(eva, src.id, SNAP)
    assert eva.present(snap.id, "backup1") == 1
    refused(world, "EVA_VDISK_PRESENTED", eva.delete_vdisk, snap.id)
    eva.unpresent(snap.id, "backup1")
    eva.delete_vdisk(snap.id)


def test_presentation_luns(world, eva, src):
    snap = make(eva, src.id, VSNAP)
    assert eva.present(src.id, "app1") == 1
    assert eva.present(snap.id, "app1") == 2
    assert eva.host_luns("app1") == [(1, src.id), (2, snap.id)]
    refused(world, "EVA_ALREADY_PRESENTED", eva.present, src.id, "app1")
    refused(world, "EVA_INVALID_PARAMETER", eva.present, snap.id, "bk", 0)
    eva.present(snap.id, "bk", 7)
    refused(world, "EVA_LUN_IN_USE", eva.present, src.id, "bk", 7)
    refused(world, "EVA_NOT_PRESENTED", eva.unpresent, src.id, "bk")
    refused(world, "EVA_NOT_PRESENTED", eva.block_write, src.id, {0: "x"}, host="bk")


def test_batch_is_all_or_nothing(world, eva, src):
    other = eva.create_vdisk("other", 4 * GIB, "dg1", "vraid5")
    snap = make(eva, other.id, VSNAP)
    batch = [TargetSpec(src.id, SNAP), TargetSpec(other.id, CLONE)]
    refused(world, "EVA_HAS_SNAPSHOTS", eva.create_targets, batch)
    batch = [TargetSpec(src.id, SNAP), TargetSpec(snap.id, SNAP)]
    refused(world, "EVA_SOURCE_IS_SNAPSHOT", eva.create_targets, batch)
    made = eva.create_targets([TargetSpec(src.id, SNAP), TargetSpec(other.id, VSNAP)])
    assert [t.source for t in made] == [src.id, other.id]
    assert made[0].data.base is not None and made[0].created_at == made[1].created_at


def test_names_and_bad_parameters(world, eva, src):
    refused(world, "EVA_NAME_IN_USE", eva.create_vdisk, "ora_data", GIB, "dg1")
    refused(world, "EVA_INVALID_PARAMETER", eva.create_vdisk, "x", 3 * TIB, "dg1")
    refused(world, "EVA_INVALID_PARAMETER", eva.create_vdisk, "x", GIB, "dg1", "vraid9")
    refused(world, "EVA_NO_SUCH_OBJECT", eva.create_vdisk, "x", GIB, "nope")
    refused(world, "EVA_NO_SUCH_OBJECT", make, eva, "vd9999", SNAP)
    refused(world, "EVA_INVALID_PARAMETER", eva.block_write, src.id, {99999: "x"})
