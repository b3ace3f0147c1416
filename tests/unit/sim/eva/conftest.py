"""Fixtures for the EVA simulator tests: a small world with one EVA and two disk groups."""

from __future__ import annotations

import pytest

from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World


@pytest.fixture
def world() -> World:
    return World(7)


@pytest.fixture
def eva(world: World) -> EvaBackend:
    b = world.add_array(EvaBackend("eva1"))
    b.add_disk_group("dg1", 200 * GIB)
    b.add_disk_group("dg2", 200 * GIB)
    return b


@pytest.fixture
def src(eva: EvaBackend):  # type: ignore[no-untyped-def]
    v = eva.create_vdisk("ora_data", 4 * GIB, "dg1", "vraid5")
    eva.block_write(v.id, {0: "label", 1: "old-1", 2: "old-2"})
    return v
