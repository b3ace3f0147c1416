"""The real XP driver (RAID Manager over a CommandRunner) against the simulated CCI door,
and the same steps through the simulator's protocol door: both must agree."""

from __future__ import annotations

import pytest
from xp_helpers import P, S, cci_world, run_to

from apprm_ref.drivers.array import SplitMirrorArray
from apprm_ref.errors import XpError
from apprm_ref.real.xp_cci import XpCciDriver
from apprm_ref.sim.xp.driver import XpDriver


def drivers():
    world, xp, runner = cci_world()
    real = XpCciDriver(runner, 0, groups=["ORA_BC", "ORA_B1"], excluded=["01:23"], now=world.now)
    return world, xp, runner, real


def test_both_doors_implement_the_protocol() -> None:
    world, xp, runner, real = drivers()
    assert isinstance(real, SplitMirrorArray)
    assert isinstance(XpDriver(world, "xp1"), SplitMirrorArray)
    assert real.capabilities().limit("mu_per_pvol") == 3


def test_zdb_cycle_through_real_driver() -> None:
    world, xp, runner, real = drivers()
    assert real.pair_info(P, 0).state == "SMPL"
    assert real.free_svols(P) == ["01:20", "01:22"]
    real.pair_create(P, S, 0)
    assert real.pair_info(P, 0).state == "COPY"
    real.wait_pairs([(P, 0)], "PAIR")  # pairevtwait runs the simulated clock
    info = real.pair_info(P, 0)
    assert (info.state, info.svol, info.fraction) == ("PAIR", S, 1.0)
    xp.block_write(P, {1: "t0"})
    real.pair_split([(P, 0)])
    xp.block_write(P, {1: "t1"})
    real.wait_pairs([(P, 0)], "PSUS")
    assert xp.block_read(S, 1) == "t0"
    assert [p.mu for p in real.pairs_of(P)] == [0]
    real.pair_resync([(P, 0)], restore=True)
    assert real.pair_info(P, 0).state == "RCPY"
    real.wait_pairs([(P, 0)], "PAIR")
    assert xp.block_read(P, 1) == "t0"
    real.pair_delete(P, 0)
    assert real.pair_info(P, 0).state == "SMPL"
    assert xp.check_invariants() == []


def test_whole_group_is_split_by_one_command() -> None:
    world, xp, runner, real = drivers()
    runner.run(["paircreate", "-g", "ORA_BC", "-vl", "-IM0"])
    real.wait_pairs([(P, 0), ("01:11", 0)], "PAIR")
    runner.calls.clear()
    real.pair_split([(P, 0), ("01:11", 0)])
    splits = [c for c in runner.calls if c[0] == "pairsplit"]
    assert splits == [["pairsplit", "-g", "ORA_BC", "-IM0"]]


def test_refusals_carry_the_array_code() -> None:
    world, xp, runner, real = drivers()
    with pytest.raises(XpError) as err:
        real.pair_create(P, "01:21", 0)  # no dev pairs these volumes
    assert err.value.code == "EX_ENODEV"
    real.pair_create(P, S, 0)
    real.pair_resync([(P, 0)], restore=True)  # Np in COPY: accepted, nothing done
    assert real.pair_info(P, 0).state == "COPY"
    with pytest.raises(XpError) as err:
        real.pair_split([(P, 0)])
    assert err.value.code == "EX_CMDRJE"
    real.pair_suspend([(P, 0)])
    with pytest.raises(XpError) as err:
        real.wait_pairs([(P, 0)], "PAIR")
    assert err.value.code == "EX_EWSUSE"


def test_exclude_list_and_volumes() -> None:
    world, xp, runner, real = drivers()
    assert real.is_excluded("01:23") and not real.is_excluded(P)
    vols = {v.ref.volume for v in real.list_volumes()}
    assert {P, "01:11", S, "01:21", "01:22"} <= vols
    with pytest.raises(XpError):
        real.present(P, "bkp")


STEPS = [
    ("create", (P, S, 0)),
    ("wait", "PAIR"),
    ("split", False),
    ("wait", "PSUS"),
    ("resync", False),
    ("wait", "PAIR"),
    ("split", True),
    ("wait", "PSUS"),
    ("restore", False),
    ("wait", "PAIR"),
    ("suspend", None),
    ("resync", False),
    ("wait", "PAIR"),
    ("delete", None),
]


def _apply(driver, world, step, arg) -> float:  # type: ignore[no-untyped-def]
    key = [(P, 0)]
    if step == "create":
        return driver.pair_create(*arg).done_at
    if step == "split":
        return driver.pair_split(key, quick=arg).done_at
    if step in ("resync", "restore"):
        return driver.pair_resync(key, restore=step == "restore").done_at
    if step == "suspend":
        return driver.pair_suspend(key).done_at
    if step == "delete":
        return driver.pair_delete(P, 0).done_at
    return driver.wait_pairs(key, arg).done_at


def test_sim_and_real_drivers_agree_step_by_step() -> None:
    w1, xp1, _, real = drivers()
    w2, xp2, _ = cci_world()
    sim = XpDriver(w2, "xp1")
    for step, arg in STEPS:
        _apply(real, w1, step, arg)
        done = _apply(sim, w2, step, arg)
        if step == "wait":
            run_to(w2, done)
        a, b = real.pair_info(P, 0), sim.pair_info(P, 0)
        assert (a.state, a.svol) == (b.state, b.svol), step
    assert xp1.check_invariants() == [] and xp2.check_invariants() == []
