from __future__ import annotations

import pytest

from apprm_ref.errors import EvaError, FaultInjected
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.world import World


def test_unarmed_sites_are_inert() -> None:
    world = World(1)
    before = world.streams.get("faults").getstate()
    for _ in range(100):
        world.faults.check("eva.create_snapshot", EvaError)
    assert world.fault_plan.log == []
    assert world.streams.get("faults").getstate() == before  # inert: not even a draw


def test_nth_call_fires_once_with_the_vendor_code() -> None:
    world = World(1)
    world.fault_plan.arm(FaultRule("eva.*", nth=3, code="CreateFailed"))
    world.faults.check("eva.create_snapshot", EvaError)
    world.faults.check("eva.create_snapshot", EvaError)
    with pytest.raises(EvaError) as err:
        world.faults.check("eva.create_snapshot", EvaError)
    assert err.value.code == "CreateFailed"
    world.faults.check("eva.create_snapshot", EvaError)
    assert [f.site for f in world.fault_plan.log] == ["eva.create_snapshot"]


def test_time_and_context_matching() -> None:
    world = World(1)
    world.fault_plan.arm(FaultRule("xp.split", at_or_after=100.0, match={"pvol": "01:10"}, times=0))
    world.faults.check("xp.split", pvol="01:10")
    world.advance(100)
    world.faults.check("xp.split", pvol="01:11")
    with pytest.raises(FaultInjected):
        world.faults.check("xp.split", pvol="01:10")
    with pytest.raises(FaultInjected):
        world.faults.check("xp.split", pvol="01:10")


def test_probability_is_drawn_from_the_seeded_stream() -> None:
    def firings(seed: int) -> list[int]:
        world = World(seed)
        world.fault_plan.arm(FaultRule("oracle.*", probability=0.3, times=0))
        return [i for i in range(200) if world.faults.fires("oracle.log_switch")]

    a = firings(4)
    assert a == firings(4)
    assert 30 < len(a) < 90
    assert a != firings(5)
