"""From a scenario's estate to a world, its drivers and an IDB.

The estate model and its builder belong to ``apprm_ref.sim.estate``; a drill builds the
same world a lab would, and uses the same simulator drivers.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers.driverset import DriverSet
from apprm_ref.sim.world import World


def build_estate(estate: Any, seed: int) -> World:
    from apprm_ref.sim.estate import build_world

    return build_world(estate, seed)


def make_drivers(world: World) -> DriverSet:
    from apprm_ref.sim.estate import sim_drivers

    return sim_drivers(world)


def make_repo(url: str | None) -> Any:
    """The IDB: in memory unless the drill was given ``--idb URL`` (never from the env)."""
    from apprm_ref.idb.engine import make_engine
    from apprm_ref.idb.repository import SqlRepository

    return SqlRepository(make_engine(url or "sqlite://"))
