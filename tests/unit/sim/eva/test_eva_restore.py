"""EVA instant recovery in the array (arrays.md 2.7): switch of disks and copy-back."""

from __future__ import annotations

import pytest
from eva_helpers import CLONE, SNAP, VSNAP, make, refused

from apprm_ref.sim.eva.models import VdiskKind, VdiskState


def normalized_clone(world, eva, source):  # type: ignore[no-untyped-def]
    clone = make(eva, source, CLONE)
    world.advance(clone.copy.done_at - world.now() + 1)
    return clone


@pytest.mark.rule("ARR-P5", "ARR-P4")
def test_switch_target_takes_source_identity(world, eva, src):
    eva.present(src.id, "app1")
    name, wwn = src.name, src.wwn
    clone = normalized_clone(world, eva, src.id)
    eva.block_write(src.id, {1: "after"}, host="app1")
    recovered = eva.restore_switch(src.id, clone.id)
    assert recovered == clone.id and src.id not in eva.vdisks
    assert (clone.name, clone.wwn, clone.presentations) == (name, wwn, {"app1": 1})
    assert clone.kind == VdiskKind.ORIGINAL and clone.source is None
    assert eva.host_luns("app1") == [(1, clone.id)]
    assert [eva.block_read(clone.id, i) for i in range(3)] == ["label", "old-1", "old-2"]
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-P5")
def test_switch_retaining_source_keeps_it_renamed_unpresented(world, eva, src):
    eva.present(src.id, "app1")
    clone = normalized_clone(world, eva, src.id)
    vs = make(eva, src.id, VSNAP)
    refused(world, "EVA_RESTORE_NOT_ALLOWED", eva.restore_switch, src.id, clone.id)
    old_wwn = src.wwn
    eva.restore_switch(src.id, clone.id, retain_source=True)
    assert src.presentations == {} and src.wwn != old_wwn and "retained" in src.name
    assert clone.wwn == old_wwn and vs.state == VdiskState.AVAILABLE
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-P5")
def test_switch_preconditions(world, eva, src):
    clone = make(eva, src.id, CLONE)
    refused(world, "EVA_RESTORE_NOT_ALLOWED", eva.restore_switch, src.id, clone.id)
    world.advance(10_000)
    eva.present(clone.id, "backup1")
    refused(world, "EVA_VDISK_PRESENTED", eva.restore_switch, src.id, clone.id)
    eva.unpresent(clone.id, "backup1")
    other = eva.create_vdisk("other", src.size_bytes, "dg1")
    refused(world, "EVA_NOT_A_REPLICA", eva.restore_switch, other.id, clone.id)
    second = make(eva, src.id, CLONE)  # a normalizing clone of the source blocks deleting it
    refused(world, "EVA_UNSHARING", eva.restore_switch, src.id, clone.id)
    world.advance(10_000)
    eva.restore_switch(src.id, clone.id)
    assert second.source == clone.id  # independent clones follow the recovered volume


@pytest.mark.rule("ARR-P5", "ARR-P4")
@pytest.mark.parametrize("kind", [SNAP, VSNAP, CLONE])
def test_copy_back_keep(world, eva, src, kind):
    eva.present(src.id, "app1")
    t = make(eva, src.id, kind)
    world.advance(10_000)
    eva.block_write(src.id, {1: "new-1", 5: "new-5"}, host="app1")
    done = eva.restore_copy_back(t.id, src.id, keep=True)
    assert [eva.block_read(src.id, i) for i in (0, 1, 2, 5)] == ["label", "old-1", "old-2", None]
    assert src.restoring and done > world.now()
    refused(world, "EVA_RESTORE_IN_PROGRESS", eva.delete_vdisk, t.id)
    world.advance(done - world.now() + 1)
    assert not src.restoring and t.id in eva.vdisks
    assert [eva.block_read(t.id, i) for i in (0, 1, 2, 5)] == ["label", "old-1", "old-2", None]
    assert (src.wwn, src.presentations) == (eva.vdisks[src.id].wwn, {"app1": 1})
    assert eva.check_invariants() == []


@pytest.mark.rule("ARR-P5")
def test_copy_back_without_keep_deletes_replica_at_completion(world, eva, src):
    t = make(eva, src.id, SNAP)
    eva.block_write(src.id, {1: "new"})
    eva.present(t.id, "backup1")
    refused(world, "EVA_VDISK_PRESENTED", eva.restore_copy_back, t.id, src.id, keep=False)
    eva.unpresent(t.id, "backup1")
    done = eva.restore_copy_back(t.id, src.id, keep=False)
    assert t.id in eva.vdisks
    world.advance(done - world.now() + 1)
    assert t.id not in eva.vdisks and eva.block_read(src.id, 1) == "old-1"
    assert eva.check_invariants() == []


def test_copy_back_preconditions(world, eva, src):
    other = eva.create_vdisk("other", src.size_bytes, "dg1")
    t = make(eva, src.id, VSNAP)
    refused(world, "EVA_NOT_A_REPLICA", eva.restore_copy_back, t.id, other.id)
    eva.restore_copy_back(t.id, src.id)
    refused(world, "EVA_RESTORE_IN_PROGRESS", eva.restore_copy_back, t.id, src.id)
    refused(world, "EVA_SOURCE_NORMALIZING", make, eva, src.id, VSNAP)
    refused(world, "EVA_RESTORE_IN_PROGRESS", eva.delete_vdisk, src.id)


def test_copy_back_grows_other_vsnaps(world, eva, src):
    old = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {1: "x"})
    newer = make(eva, src.id, VSNAP)
    eva.restore_copy_back(old.id, src.id)  # extent 1 changes back: newer must keep "x"
    assert newer.cow == {1: True} and eva.block_read(newer.id, 1) == "x"
    assert eva.block_read(src.id, 1) == "old-1"
