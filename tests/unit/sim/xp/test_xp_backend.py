"""XP simulator behaviour: content, difference tracking, restore, cascade, guards."""

from __future__ import annotations

import pytest
from xp_helpers import S2, S3, S4, SIZE, P, S, make_world, pair_in, run_to, snapshot

from apprm_ref.errors import XpError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.world import World
from apprm_ref.sim.xp import errors as xe


@pytest.mark.rule("ARR-P3")
@pytest.mark.rule("ARR-I12")
def test_split_freezes_pvol_content_exactly() -> None:
    world, xp = make_world()
    xp.block_write(P, {i: f"old{i}" for i in range(SIZE)})
    run_to(world, xp.paircreate(P, S, 0))
    xp.block_write(P, {3: "just-before-split"})
    expected = xp.content(P).written()
    xp.pairsplit([(P, 0)])
    xp.block_write(P, {i: "new" for i in range(SIZE)})
    assert xp.content(S).written() == expected
    assert xp.block_read(S, 3) == "just-before-split"
    run_to(world, world.now() + 60)
    assert xp.content(S).written() == expected
    assert xp.check_invariants() == []


@pytest.mark.rule("ARR-I11")
def test_resync_copies_union_of_changed_tracks_only() -> None:
    world, xp = make_world()
    pair = pair_in(world, xp, "PSUS")
    xp.block_write(P, {1: "p", 2: "p"})
    xp.block_write(S, {2: "s", 9: "s"})
    assert pair.pdiff == {1, 2} and pair.sdiff == {2, 9}
    done = xp.pairresync([(P, 0)])
    assert pair.copy_tracks == 3
    assert xp.block_read(S, 9) == xp.block_read(P, 9)
    run_to(world, done)
    assert xp.pair_state(P, 0) == "PAIR" and not pair.pdiff and not pair.sdiff


@pytest.mark.rule("ARR-I11")
def test_leaving_psue_copies_everything() -> None:
    world, xp = make_world()
    pair = pair_in(world, xp, "PSUE")
    xp.block_write(P, {1: "p"})
    xp.pairresync([(P, 0)])
    assert pair.copy_tracks == SIZE


@pytest.mark.rule("ARR-I10")
@pytest.mark.parametrize(
    ("state", "svol_ok", "pvol_ok"),
    [
        ("COPY(PD)", False, True),
        ("PAIR", False, True),
        ("COPY(SP)", False, True),
        ("PSUS(SP)", True, True),
        ("PSUS", True, True),
        ("COPY(RS)", False, True),
        ("COPY(RS-R)", False, False),
        ("PSUE", False, True),
    ],
)
def test_host_write_access_by_state(state: str, svol_ok: bool, pvol_ok: bool) -> None:
    world, xp = make_world()
    pair_in(world, xp, state)
    for vol, ok in ((S, svol_ok), (P, pvol_ok)):
        before = snapshot(xp)
        if ok:
            xp.block_write(vol, {4: "w"}, host="h")
            assert xp.block_read(vol, 4) == "w"
        else:
            with pytest.raises(XpError) as err:
                xp.block_write(vol, {4: "w"}, host="h")
            assert err.value.code == xe.WRITE_PROTECTED
            assert snapshot(xp) == before


def test_normal_restore_copies_svol_back() -> None:
    world, xp = make_world()
    xp.block_write(P, {1: "v1"})
    pair_in(world, xp, "PSUS")
    xp.block_write(P, {1: "v2", 2: "v2"})
    done = xp.pairresync([(P, 0)], restore=True)
    assert xp.pair_state(P, 0) == "COPY(RS-R)"
    assert xp.block_read(P, 1) == "v1" and xp.block_read(P, 2) is None
    assert xp.pairs[f"{P}/0"].copy_tracks == 2
    run_to(world, done)
    assert xp.pair_state(P, 0) == "PAIR"
    xp.block_write(P, {5: "after"})
    assert xp.block_read(S, 5) == "after"


def test_quick_restore_swaps_volumes() -> None:
    world, xp = make_world()
    xp.block_write(P, {1: "backup"})
    pair_in(world, xp, "PSUS")
    xp.block_write(P, {1: "current"})
    data_p, data_s = xp.ldevs[P].data, xp.ldevs[S].data
    done = xp.pairresync([(P, 0)], restore=True, quick=True)
    assert xp.ldevs[P].data is data_s and xp.ldevs[S].data is data_p
    assert xp.block_read(P, 1) == "backup" and xp.block_read(S, 1) == "current"
    run_to(world, done)
    assert xp.pair_state(P, 0) == "PAIR"
    assert xp.block_read(S, 1) == "backup"  # without Swap&Freeze the old data is gone


def test_quick_restore_swap_and_freeze_keeps_old_pvol_data() -> None:
    world, xp = make_world()
    xp.swap_and_freeze = True
    xp.block_write(P, {1: "backup"})
    pair_in(world, xp, "PSUS")
    xp.block_write(P, {1: "current"})
    run_to(world, xp.pairresync([(P, 0)], restore=True, quick=True))
    assert xp.pair_state(P, 0) == "PAIR"
    assert xp.block_read(P, 1) == "backup" and xp.block_read(S, 1) == "current"
    xp.block_write(P, {2: "x"})
    assert xp.block_read(S, 2) is None
    assert xp.check_invariants() == []
    xp.pairsplit([(P, 0)])
    assert xp.block_read(S, 1) == "current"


@pytest.mark.rule("ARR-P9")
def test_quick_restore_refused_on_snapshot_xp_pvol() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PSUS")
    xp.ldevs[P].snapshot_xp_pvol = True
    before = snapshot(xp)
    with pytest.raises(XpError, match="Snapshot XP"):
        xp.pairresync([(P, 0)], restore=True, quick=True)
    assert snapshot(xp) == before
    xp.pairresync([(P, 0)], restore=True)  # the reverse copy is still allowed


def test_restore_refused_while_another_pair_of_pvol_is_in_use() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PSUS")
    run_to(world, xp.paircreate(P, S2, 1))
    before = snapshot(xp)
    with pytest.raises(XpError, match="01:10/1 is PAIR"):
        xp.pairresync([(P, 0)], restore=True)
    assert snapshot(xp) == before
    xp.pairsplit([(P, 1)])
    xp.block_write(P, {7: "p"})
    run_to(world, world.now() + 5)
    xp.pairresync([(P, 0)], restore=True)
    assert 7 in xp.pairs[f"{P}/1"].pdiff  # the other split pair saw the P-VOL change
    assert xp.check_invariants() == []


@pytest.mark.rule("ARR-I9")
@pytest.mark.rule("ARR-P9")
def test_l1_pair_limits() -> None:
    world, xp = make_world()
    for mu, svol in enumerate((S, S2, S3)):
        xp.paircreate(P, svol, mu)
    before = snapshot(xp)
    with pytest.raises(XpError) as err:
        xp.paircreate(P, S4, 0)  # a fourth L1 pair on a used MU
    assert err.value.code == "EX_CMDRJE"
    with pytest.raises(XpError) as err:
        xp.paircreate(P, S4, 3)  # MU 3 does not exist at L1
    assert err.value.code == "EX_INVARG"
    with pytest.raises(XpError):
        xp.paircreate("01:11", S, 0)  # S-VOL already in a pair (non-SMPL)
    with pytest.raises(XpError) as err:
        xp.paircreate("01:11", "02:00", 0)  # size mismatch
    assert err.value.code == "EX_EVOLCE"
    with pytest.raises(XpError) as err:
        xp.paircreate("01:11", "09:99", 0)
    assert err.value.code == "EX_ENLDEV"
    assert snapshot(xp) == before
    assert xp.check_invariants() == []


@pytest.mark.rule("ARR-I9")
@pytest.mark.rule("ARR-P9")
def test_cascade_rules() -> None:
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    with pytest.raises(XpError, match="not valid for an L2"):
        xp.paircreate(S, S2, 0)  # an S-VOL uses MU 0 for its own pair
    run_to(world, xp.paircreate(S, S2, 1))
    run_to(world, xp.paircreate(S, S3, 2))
    with pytest.raises(XpError, match="third cascade"):
        xp.paircreate(S2, S4, 1)
    with pytest.raises(XpError, match="L1 pair is PAIR"):
        xp.pairsplit([(S, 1)])  # L2 split needs its L1 pair split
    xp.pairsplit([(P, 0)])
    run_to(world, world.now() + 5)
    xp.block_write(P, {1: "p"})
    xp.pairsplit([(S, 1)])
    run_to(world, world.now() + 5)
    before = snapshot(xp)
    for quick in (False, True):
        with pytest.raises(XpError, match="L2"):
            xp.pairresync([(S, 1)], restore=True, quick=quick)
    assert snapshot(xp) == before
    xp.pairdelete([(P, 0)])  # L2 pairs below become L1 pairs
    assert not xp.is_l2(xp.pairs[f"{S}/1"])
    with pytest.raises(XpError, match="01:20/2 is PAIR"):
        xp.pairresync([(S, 1)], restore=True)
    xp.pairsplit([(S, 2)])
    run_to(world, world.now() + 5)
    xp.pairresync([(S, 1)], restore=True)
    assert xp.check_invariants() == []


def test_l2_tracks_l1_resync_changes() -> None:
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    run_to(world, xp.paircreate(S, S2, 1))
    run_to(world, xp.pairsplit([(P, 0)]))
    run_to(world, xp.pairsplit([(S, 1)]))
    xp.block_write(P, {4: "new"})
    run_to(world, xp.pairresync([(P, 0)]))
    assert 4 in xp.pairs[f"{S}/1"].pdiff
    assert xp.check_invariants() == []


def test_l2_tracks_host_writes_through_a_mirroring_l1() -> None:
    """A host write to the P-VOL changes the S-VOL it mirrors, so the split L2 pair of
    that S-VOL records the track (the write cascades through a PAIR-state L1)."""
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    run_to(world, xp.paircreate(S, S2, 1))
    run_to(world, xp.pairsplit([(P, 0)]))
    run_to(world, xp.pairsplit([(S, 1)]))
    run_to(world, xp.pairresync([(P, 0)]))
    assert xp.pair_state(P, 0) == "PAIR" and not xp.pairs[f"{S}/1"].pdiff
    xp.block_write(P, {4: "new"})
    assert xp.pairs[f"{S}/1"].pdiff == {4} and not xp.pairs[f"{P}/0"].pdiff
    assert xp.check_invariants() == []


def test_pairsplit_s_refused_in_psus_sp() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PSUS(SP)")
    with pytest.raises(XpError):
        xp.pairdelete([(P, 0)])
    run_to(world, world.now() + 10)
    xp.pairdelete([(P, 0)])
    assert xp.pair_state(P, 0) == "SMPL" and not xp.in_any_pair(S)


def test_group_split_is_all_or_nothing() -> None:
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    xp.paircreate("01:11", S2, 0)  # still COPY(PD)
    before = snapshot(xp)
    with pytest.raises(XpError):
        xp.pairsplit([(P, 0), ("01:11", 0)])
    assert snapshot(xp) == before


def test_save_load_resumes_running_copy() -> None:
    world, xp = make_world()
    xp.block_write(P, {1: "x"})
    done = xp.paircreate(P, S, 0)
    doc = world.to_plain()
    again = World.from_plain(doc)
    assert again.digest() == world.digest()
    xp2 = again.arrays["xp1"]
    again.advance(done + 1)
    assert xp2.pairs[f"{P}/0"].state == "PAIR"
    assert xp2.block_read(S, 1) == "x"


def test_pair_sets_survive_save_and_load() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PSUS")
    xp.block_write(P, {2: "a"})
    again = World.from_plain(world.to_plain())
    pair = again.arrays["xp1"].pairs[f"{P}/0"]
    assert pair.pdiff == {2} and isinstance(pair.pdiff, set)
    again.arrays["xp1"].block_write(P, {3: "b"})
    assert pair.pdiff == {2, 3}


@pytest.mark.parametrize(
    "site", ["xp.paircreate", "xp.pairsplit", "xp.pairresync", "xp.restore", "xp.pairdelete"]
)
def test_fault_sites_refuse_and_change_nothing(site: str) -> None:
    world, xp = make_world()
    if site == "xp.paircreate":
        action = lambda: xp.paircreate(P, S, 0)  # noqa: E731
    elif site == "xp.pairdelete":
        pair_in(world, xp, "PSUS")
        action = lambda: xp.pairdelete([(P, 0)])  # noqa: E731
    else:
        pair_in(world, xp, "PAIR" if site == "xp.pairsplit" else "PSUS")
        restore = site == "xp.restore"
        action = (  # noqa: E731
            (lambda: xp.pairsplit([(P, 0)]))
            if site == "xp.pairsplit"
            else (lambda: xp.pairresync([(P, 0)], restore=restore))
        )
    world.fault_plan.arm(FaultRule(site, code="EX_CMDRJE"))
    before = snapshot(xp)
    with pytest.raises(XpError) as err:
        action()
    assert err.value.code == "EX_CMDRJE"
    assert snapshot(xp) == before
    action()  # the rule is spent: the command now goes through


@pytest.mark.rule("ARR-P14")
def test_restore_aborted_midway_leaves_pvol_inconsistent() -> None:
    world, xp = make_world()
    xp.block_write(P, {i: "old" for i in range(SIZE)})
    pair_in(world, xp, "PSUS")
    xp.block_write(S, {i: "replica" for i in range(SIZE)})
    world.fault_plan.arm(FaultRule("xp.restore_abort"))
    done = xp.pairresync([(P, 0)], restore=True)
    run_to(world, done)
    assert xp.pair_state(P, 0) == "PSUE"
    assert xp.ldevs[P].inconsistent
    values = set(xp.content(P).written().values())
    assert values == {"old", "replica"}  # neither the old data nor the replica
    assert xp.check_invariants() == []


def test_exclude_list() -> None:
    world, xp = make_world()
    xp.exclude(S)
    assert xp.is_excluded(S) and S not in xp.free_svols(P)
    again = World.from_plain(world.to_plain())
    assert again.arrays["xp1"].is_excluded(S)
    xp.include(S)
    assert not xp.is_excluded(S) and S in xp.free_svols(P)


def test_invariant_check_catches_untracked_difference() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PSUS")
    xp.ldevs[S].data.write(5, "sneaky")  # bypasses block_write: no bitmap update
    assert any("ARR-I11" in p for p in xp.check_invariants())


def test_invariant_check_catches_bad_mu() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PAIR")
    pair = xp.pairs.pop(f"{P}/0")
    pair.mu = 5
    xp.pairs[pair.key] = pair
    assert any("ARR-I9" in p for p in xp.check_invariants())


def test_reserved_ldev_refuses_host_io_until_paired() -> None:
    world, xp = make_world()
    xp.ldevs[S].reserved = True
    with pytest.raises(XpError):
        xp.block_read(S, 0)
    pair_in(world, xp, "PSUS")
    assert xp.block_read(S, 0) is None


@pytest.mark.rule("ARR-P11")
def test_exclude_list_is_visible_to_both_doors_and_commands_are_counted() -> None:
    from apprm_ref.sim.xp.driver import XpDriver

    world, xp = make_world()
    drv = XpDriver(world, "xp1")
    xp.exclude(S)
    assert drv.is_excluded(S) and drv.is_excluded("0x120") and not drv.is_excluded(P)
    assert S not in drv.free_svols(P)
    assert xp.pair_commands == 0
    with pytest.raises(XpError):
        xp.pairsplit([(P, 0)])  # refused commands do not count
    assert xp.pair_commands == 0
    drv.pair_create(P, S2, 0)
    assert xp.pair_commands == 1


def test_batches_name_a_pair_once_and_restore_one_source_once() -> None:
    world, xp = make_world()
    pair_in(world, xp, "PAIR")
    run_to(world, xp.paircreate(P, S2, 1))
    xp.pairsplit([(P, 0), (P, 0)])  # the same pair twice is one split
    assert xp.pair_state(P, 0) == "COPY(SP)"
    run_to(world, xp.pairsplit([(P, 1)]) + 1)
    before = snapshot(xp)
    with pytest.raises(XpError, match="two restores"):
        xp.pairresync([(P, 0), (P, 1)], restore=True)
    assert snapshot(xp) == before


@pytest.mark.rule("ARR-I10")
def test_a_deleted_pairs_copy_does_not_finish_its_successor() -> None:
    """paircreate, pairdelete during the copy, paircreate again on the same P-VOL/MU: the
    first copy's completion event must not complete the new pair early."""
    world, xp = make_world()
    xp.block_write(P, {i: f"d{i}" for i in range(SIZE)})
    first_done = xp.paircreate(P, S, 0)
    run_to(world, world.now() + (first_done - world.now()) / 2)
    xp.pairdelete([(P, 0)])
    second_done = xp.paircreate(P, S, 0)
    assert second_done > first_done
    run_to(world, first_done + (second_done - first_done) / 2)
    assert xp.pair_state(P, 0) == "COPY(PD)"
    run_to(world, second_done)
    assert xp.pair_state(P, 0) == "PAIR"
    assert xp.content(S).written() == xp.content(P).written()
    assert xp.check_invariants() == []
