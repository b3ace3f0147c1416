"""The host-write lookups of the EVA index (an origin's targets as vdisks, and the extents
every live vsnap of it already holds) follow the lineage, so copy-on-write, space and the
frozen-source rule come out as a full check of every vsnap would decide them."""

from __future__ import annotations

import pytest
from eva_helpers import CLONE, VSNAP, make, refused

from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World


def test_a_new_vsnap_allocates_extents_older_ones_hold(eva, src) -> None:  # type: ignore[no-untyped-def]
    old = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {5: "a", 6: "b"})
    eva.block_write(src.id, {5: "a2"})  # already held by every vsnap: nothing to allocate
    assert old.cow == {5: True, 6: True}
    used = eva.used_raw("dg1")
    new = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {6: "b2", 7: "c"})
    assert new.cow == {6: True, 7: True} and old.cow == {5: True, 6: True, 7: True}
    assert eva.used_raw("dg1") > used
    assert eva.check_invariants() == []
    assert eva.block_read(old.id, 6) is None and eva.block_read(new.id, 5) == "a2"
    assert eva.block_read(new.id, 6) == "b" and eva.block_read(src.id, 6) == "b2"


def test_writes_to_a_vsnap_allocate_on_it_alone(eva, src) -> None:  # type: ignore[no-untyped-def]
    a, b = make(eva, src.id, VSNAP), make(eva, src.id, VSNAP)
    eva.block_write(a.id, {3: "on a"})
    assert a.cow == {3: True} and b.cow == {} and a.host_written
    eva.block_write(src.id, {3: "src"})
    assert b.cow == {3: True} and eva.block_read(a.id, 3) == "on a"
    assert eva.check_invariants() == []


def test_deleted_and_invalid_targets_leave_the_write_path(eva, src) -> None:  # type: ignore[no-untyped-def]
    a, b = make(eva, src.id, VSNAP), make(eva, src.id, VSNAP)
    eva.block_write(src.id, {1: "x"})
    eva.delete_vdisk(a.id)
    eva.block_write(src.id, {2: "y"})
    assert [t.id for t in eva.index().targets(src.id, eva.vdisks)] == [b.id]
    assert b.cow == {1: True, 2: True} and eva.check_invariants() == []


def test_sources_with_full_copies_only_write_without_copy_on_write(world, eva, src) -> None:  # type: ignore[no-untyped-def]
    clone = make(eva, src.id, CLONE)
    eva.block_write(src.id, {4: "after"})
    assert clone.cow == {} and eva.block_read(clone.id, 4) is None
    world.advance(clone.copy.done_at - world.now() + 1)
    vs = make(eva, src.id, VSNAP)  # a vsnap joins: the extents written so far do not count
    eva.block_write(src.id, {4: "again"})
    assert vs.cow == {4: True} and eva.check_invariants() == []


@pytest.mark.rule("E11")
def test_a_full_group_still_freezes_covered_extents(world) -> None:  # type: ignore[no-untyped-def]
    eva = world.add_array(EvaBackend("e"))
    eva.add_disk_group("small", 12 * GIB)
    v = eva.create_vdisk("v", 8 * GIB, "small", "vraid0")
    make(eva, v.id, VSNAP)
    eva.block_write(v.id, {0: "held"})
    eva.block_write(v.id, {0: "held again"})  # no allocation needed
    with pytest.raises(Exception):  # noqa: B017 - the code is checked below
        eva.block_write(v.id, {i: i for i in range(8 * 1024)})
    refused(world, "EVA_WRITE_FROZEN", eva.block_write, v.id, {0: "x"})


def test_a_covered_extent_missing_from_a_vsnap_is_reported(eva, src) -> None:  # type: ignore[no-untyped-def]
    vs = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {9: "x"})
    del vs.cow[9]  # released behind the backend's back
    assert any("covered" in p for p in eva.check_invariants())


def test_kept_targets_are_checked_against_the_lineage(eva, src) -> None:  # type: ignore[no-untyped-def]
    vs = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {9: "x"})
    vs.source = None
    eva.index().lineage[src.id].remove(vs.id)  # edited past the backend: the kept list is stale
    assert any("kept targets" in p for p in eva.check_invariants())


def test_a_load_rebuilds_the_write_path(tmp_path, world, eva, src) -> None:  # type: ignore[no-untyped-def]
    vs = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {9: "x"})
    path = tmp_path / "w.json"
    world.save(path)
    e2 = World.load(path).arrays["eva1"]
    e2.block_write(src.id, {9: "y", 10: "z"})
    assert e2.vdisks[vs.id].cow == {9: True, 10: True} and e2.check_invariants() == []
