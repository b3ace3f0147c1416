"""PERF-P1: a faster path changes no simulated outcome.

The outcome of a small reference estate (4 databases, 3 days, Oracle and filesystem) was
recorded before the execution-model changes in ``perf_p1_outcome.json``: every key
``bench.compare`` checks, including the digest of every session (id, status, start,
duration, backup-mode time) and the digest of the whole simulated world at the end.
Any later speed-up must reproduce it exactly; the golden digests of the shipped scenarios
(tests/scenarios) hold the same line for the drills' traces.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.compare import OUTCOME, compare
from bench.harness import BenchConfig, run_estate

RECORDED = json.loads(Path(__file__).with_name("perf_p1_outcome.json").read_text())


@pytest.mark.rule("PERF-P1")
@pytest.mark.parametrize("app", ["oracle", "filesystem"])
def test_the_reference_outcome_is_unchanged(app: str) -> None:
    out = run_estate(BenchConfig(days=3, databases=4, app=app, world_digest=True))
    now = {k: out[k] for k in OUTCOME if k in out}
    assert set(now) == set(RECORDED[app]) == set(OUTCOME)
    assert now == RECORDED[app]
    cfg = {"app": app, "databases": 4, "sim_days": 3, "workload_epoch_s": 3600.0}
    verdict = compare({**cfg, **RECORDED[app]}, {**cfg, **now})
    assert verdict["same_outcome"], verdict["outcome_diff"]


@pytest.mark.rule("PERF-P1")
def test_compare_fails_on_a_different_world() -> None:
    cfg = {"app": "oracle", "databases": 4, "sim_days": 3, "workload_epoch_s": 3600.0}
    before = {**cfg, **RECORDED["oracle"]}
    after = {**before, "world_digest": "0" * 64}
    assert set(compare(before, after)["outcome_diff"]) == {"world_digest"}
