"""Fixtures for the Oracle engine tests: the estate of ``apprm_ref.sim.oracle.estate``
(PlainArray, the tiny BlockStore test double, under host ``db1`` and database ``PRD``)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from apprm_ref.sim.oracle.estate import Estate, build_estate


@pytest.fixture
def estate() -> Estate:
    return build_estate()


def persisted_state(e: Estate) -> str:
    """Digest of everything the lab saves except clean buffer-cache copies of disk blocks
    (a read fills the cache, as Oracle's does; dirty blocks still count)."""
    saved = e.db.cache
    e.db.cache = {k: v for k, v in saved.items() if k in e.db.dirty}
    try:
        return e.world.digest()
    finally:
        e.db.cache = saved


@pytest.fixture
def persisted() -> Callable[[Estate], str]:
    return persisted_state
