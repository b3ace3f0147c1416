"""The EVA's derived index (lineage, allocated space, names, LUNs, copies) follows every
mutation, is rebuilt after a load, and ``check_invariants`` reports any drift."""

from __future__ import annotations

import pytest
from eva_helpers import CLONE, SNAP, VSNAP, make, refused

from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.index import EvaIndex
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World


def recomputed_used(eva: EvaBackend, group: str) -> int:
    return sum(v.allocated_raw() for v in eva.vdisks.values() if v.disk_group == group)


def consistent(eva: EvaBackend) -> None:
    assert eva.index().problems(eva.vdisks) == []
    assert eva.check_invariants() == []
    for g in eva.disk_groups:
        assert eva.used_raw(g) == recomputed_used(eva, g)


@pytest.mark.rule("ARR-I5")
def test_index_follows_every_mutation(world, eva, src):  # type: ignore[no-untyped-def]
    vsnaps = [make(eva, src.id, VSNAP) for _ in range(3)]
    consistent(eva)
    eva.block_write(src.id, {5: "a", 6: "b"})  # copy-on-write into three vsnaps
    eva.block_write(vsnaps[0].id, {7: "c"})
    consistent(eva)
    assert recomputed_used(eva, "dg1") > 0 and vsnaps[0].cow
    assert eva.present(vsnaps[1].id, "bk") == 1 and eva.host_luns("bk") == [(1, vsnaps[1].id)]
    consistent(eva)
    eva.unpresent(vsnaps[1].id, "bk")
    assert eva.host_luns("bk") == []
    for v in vsnaps:
        eva.delete_vdisk(v.id)
    consistent(eva)
    clone = make(eva, src.id, CLONE)
    assert [t.id for t in eva.targets_of(src.id)] == [clone.id]
    consistent(eva)
    world.advance(clone.copy.done_at - world.now() + 1)
    eva.present(src.id, "app")
    recovered = eva.restore_switch(src.id, clone.id, retain_source=True)
    consistent(eva)
    assert eva.host_luns("app") == [(1, recovered)] and eva.targets_of(src.id) == []
    snap = make(eva, recovered, SNAP)
    eva.block_write(recovered, {1: "new"})
    eva.restore_copy_back(snap.id, recovered, keep=False)
    consistent(eva)
    world.advance(3600)  # the copy ends and drops the snapshot
    assert snap.id not in eva.vdisks
    consistent(eva)


def test_switch_without_retain_and_source_delete_invalidating(world, eva, src):  # type: ignore[no-untyped-def]
    clone = make(eva, src.id, CLONE)
    world.advance(clone.copy.done_at - world.now() + 1)
    later = make(eva, src.id, CLONE)
    world.advance(later.copy.done_at - world.now() + 1)
    recovered = eva.restore_switch(src.id, clone.id)
    consistent(eva)
    assert [t.id for t in eva.targets_of(recovered)] == [later.id]  # re-pointed
    snaps = [make(eva, later.id, SNAP) for _ in range(2)]
    eva.delete_vdisk(later.id)  # its snapshots become invalid but keep their lineage
    consistent(eva)
    assert [t.id for t in eva.targets_of(later.id)] == [s.id for s in snaps]


def test_full_disk_group_fails_vsnaps_and_keeps_the_total(world):  # type: ignore[no-untyped-def]
    eva = world.add_array(EvaBackend("e"))
    eva.add_disk_group("small", 12 * GIB)
    v = eva.create_vdisk("v", 8 * GIB, "small", "vraid0")
    vs = make(eva, v.id, VSNAP)
    eva.block_write(v.id, {i: i for i in range(4 * 1024)})
    consistent(eva)
    refused_before = eva.used_raw("small")
    with pytest.raises(Exception):  # noqa: B017 - the code is checked below
        eva.block_write(v.id, {i: -i for i in range(8 * 1024)})
    assert vs.state.value == "failed" and eva.used_raw("small") == refused_before
    consistent(eva)
    refused(world, "EVA_WRITE_FROZEN", eva.block_write, v.id, {0: "x"})


def test_index_is_rebuilt_after_a_load(world, eva, src, tmp_path):  # type: ignore[no-untyped-def]
    make(eva, src.id, VSNAP)
    eva.block_write(src.id, {3: "x"})
    eva.present(src.id, "app")
    path = tmp_path / "w.json"
    world.save(path)
    e2 = World.load(path).arrays["eva1"]
    assert e2._ix is None  # transient: never saved
    assert e2.index() == EvaIndex.build(eva.vdisks)
    assert e2.free_raw("dg1") == eva.free_raw("dg1") and e2.host_luns("app") == [(1, src.id)]
    assert e2.check_invariants() == []


def test_drift_past_the_backend_is_reported(eva, src):  # type: ignore[no-untyped-def]
    vs = make(eva, src.id, VSNAP)
    assert eva.check_invariants() == []
    vs.cow[9] = True  # allocated behind the backend's back
    assert any(p.startswith("index:") for p in eva.check_invariants())
    del vs.cow[9]
    vs.source = None
    assert any("lineage" in p for p in eva.check_invariants())
