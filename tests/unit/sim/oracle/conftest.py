"""Fixtures for the Oracle engine tests: the estate of ``apprm_ref.sim.oracle.estate``
(PlainArray, the tiny BlockStore test double, under host ``db1`` and database ``PRD``)."""

from __future__ import annotations

import pytest

from apprm_ref.sim.oracle.estate import Estate, build_estate


@pytest.fixture
def estate() -> Estate:
    return build_estate()
