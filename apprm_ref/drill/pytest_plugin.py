"""Pytest plugin (entry point ``pytest11``): the ``rule`` marker and the ``sim_world`` fixture."""

from __future__ import annotations

import hashlib

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "rule(id): the RULES.md rule this test checks")
    config.addinivalue_line("markers", "slow: long property runs and drills")


@pytest.fixture
def sim_world(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fresh simulated world seeded from the test's node id (stable across runs)."""
    from apprm_ref.sim.world import World

    seed = int.from_bytes(hashlib.sha256(request.node.nodeid.encode()).digest()[:4], "big")
    return World(seed)
