"""The package's state machines (apprm_ref.conformance.stateful) over the simulated drivers
and over the wire-door drivers (eva-smis over SMI-S, the real XP driver over the CCI door),
bounded by the ci Hypothesis profile (tests/conftest.py)."""

from __future__ import annotations

import pytest
from hypothesis import settings

from apprm_ref.conformance.stateful import snapshot_machine, split_mirror_machine
from apprm_ref.conformance.subjects import SUBJECTS

# the SMI-S door rebuilds its CIM repository on every request: fewer, shorter runs there
SMIS = settings(max_examples=6, stateful_step_count=12)
CCI = settings(max_examples=20, stateful_step_count=20)

TestSimEvaModel = snapshot_machine(SUBJECTS["sim-eva"]).TestCase
TestEvaSmisModel = snapshot_machine(SUBJECTS["eva-smis"]).TestCase
TestEvaSmisModel.settings = SMIS
TestSimXpModel = split_mirror_machine(SUBJECTS["sim-xp"]).TestCase
TestXpCciModel = split_mirror_machine(SUBJECTS["xp-cci"]).TestCase
TestXpCciModel.settings = CCI

for _case in (TestSimEvaModel, TestEvaSmisModel, TestSimXpModel, TestXpCciModel):
    _case.pytestmark = [pytest.mark.rule("WIRE-I5")]
del _case
