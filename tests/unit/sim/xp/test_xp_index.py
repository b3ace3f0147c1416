"""Pairs by volume: the XP's transient index answers the write path's questions, follows
pair creation and deletion, is rebuilt after a load, and stale ones are reported."""

from __future__ import annotations

from xp_helpers import S2, S3, P, S, make_world, run_to

from apprm_ref.sim.world import World
from apprm_ref.sim.xp.index import PairIndex


def test_pairs_of_a_pvol_come_by_mu_and_follow_create_and_delete() -> None:
    world, xp = make_world()
    for svol, mu in ((S3, 2), (S, 0), (S2, 1)):
        run_to(world, xp.paircreate(P, svol, mu))
    assert [p.mu for p in xp.pairs_of_pvol(P)] == [0, 1, 2]
    assert xp.pair_of_svol(S2) is xp.pairs[f"{P}/1"] and xp.pair_of_svol(P) is None
    mine = xp.pairs_of_pvol(P)
    mine.clear()  # a caller's list is its own
    assert len(xp.pairs_of_pvol(P, None)) == 3
    xp.pairdelete([(P, 1)])
    assert [p.mu for p in xp.pairs_of_pvol(P)] == [0, 2] and xp.pair_of_svol(S2) is None
    assert xp.check_invariants() == []


def test_index_is_rebuilt_after_a_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    path = tmp_path / "w.json"
    world.save(path)
    x2 = World.load(path).arrays["xp1"]
    assert x2._index is None
    assert [p.key for p in x2.pairs_of_pvol(P)] == [f"{P}/0"] and x2.pair_of_svol(S) is not None
    assert x2._index.same_as(PairIndex.build(x2.pairs))


def test_a_stale_index_is_reported() -> None:
    world, xp = make_world()
    run_to(world, xp.paircreate(P, S, 0))
    assert xp.pairs_of_pvol(P) and xp.check_invariants() == []
    xp.pairs[f"{P}/0"].svol = S2  # re-pointed behind the commands' back: same count
    assert any(p.startswith("index:") for p in xp.check_invariants())


def test_ldev_accepts_every_spelling() -> None:
    _, xp = make_world()
    assert xp.ldev("01:10") is xp.ldev("0x110") is xp.ldev("272") is xp.ldev(" 01:10 ")


def test_settle_skips_superseded_completions_and_finds_due_ones() -> None:
    world, xp = make_world()
    first = xp.paircreate(P, S, 0)
    world.clock.run_until(first / 2)
    xp.pairsuspend([(P, 0)])  # the initial copy's completion is now stale
    second = xp.pairresync([(P, 0)])
    assert second > first
    world.clock.run_until(first)
    xp.settle()  # pops the stale entry; the resync still runs
    assert xp.pairs[f"{P}/0"].state == "COPY(RS)"
    world.clock.run_until(second)
    assert xp.pair_state(P, 0) == "PAIR"
    assert xp.check_invariants() == []


def test_lun_paths_follow_present_map_and_unpresent() -> None:
    _, xp = make_world()
    assert xp.present(P, "app") == 0 and xp.present(S, "app") == 1
    assert xp.present(P, "app") == 0  # already mapped: the same LUN
    assert xp.present(P, "bkp", port="CL2-A") == 0
    xp.add_host_group("CL1-B", 0, "shared", ["app", "bkp"])
    xp.map_lun("CL1-B", 0, 7, P)
    assert xp.presented_to(P) == ("app", "bkp")
    assert xp.paths_of(P) == [("CL1-A-0", 0, 0), ("CL1-B-0", 0, 7), ("CL2-A-0", 0, 0)]
    assert xp.host_luns("app") == [(0, P), (1, S)]
    assert xp.check_invariants() == []
    xp.unpresent(P, "app")  # every path of the LDEV that "app" sees
    assert xp.paths_of(P) == [("CL2-A-0", 0, 0)] and xp.presented_to(P) == ("bkp",)
    assert xp.host_luns("app") == [(1, S)]
    assert xp.check_invariants() == []
    xp.host_groups["CL1-A-0"].luns[5] = P  # mapped behind the commands' back
    assert any("LUN path index" in p for p in xp.check_invariants())


def test_lun_paths_are_rebuilt_after_a_load(tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, xp = make_world()
    xp.present(P, "app")
    path = tmp_path / "w.json"
    world.save(path)
    x2 = World.load(path).arrays["xp1"]
    assert x2._luns is None and x2.presented_to(P) == ("app",)
    assert x2.lun_paths() == xp.lun_paths()
