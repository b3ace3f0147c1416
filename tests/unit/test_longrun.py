"""The collector's tuning for long runs changes speed only: CPython's settings come back
after the run, and a what-if run gives the same findings with and without it."""

from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from apprm_ref import longrun
from apprm_ref.longrun import GEN0_THRESHOLD, long_run_gc
from apprm_ref.whatif import run as whatif_run
from apprm_ref.whatif.analyse import analyse
from apprm_ref.whatif.plan import load_plan
from apprm_ref.whatif.report import to_json

SMALL = Path(__file__).parents[1] / "whatif" / "small_estate.yaml"


def test_settings_are_tuned_inside_and_restored_after() -> None:
    before = gc.get_threshold()
    with long_run_gc():
        assert gc.get_threshold()[0] == GEN0_THRESHOLD
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_run_raises() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), long_run_gc():
        raise RuntimeError("session crashed")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_nested_runs_tune_once_and_disabled_changes_nothing() -> None:
    before = gc.get_threshold()
    with long_run_gc():
        frozen = gc.get_freeze_count()
        with long_run_gc():  # the inner run must not unfreeze the outer one's heap
            pass
        assert gc.get_threshold()[0] == GEN0_THRESHOLD
        assert gc.get_freeze_count() == frozen
    with long_run_gc(enabled=False):
        assert gc.get_threshold() == before


@contextlib.contextmanager
def _untuned(enabled: bool = True) -> Iterator[None]:
    yield


def test_whatif_findings_do_not_depend_on_the_tuning(monkeypatch: pytest.MonkeyPatch) -> None:
    plan = load_plan(SMALL)
    tuned = run_plan_json(plan)
    monkeypatch.setattr(whatif_run, "long_run_gc", _untuned)
    assert longrun._depth == 0
    assert run_plan_json(plan) == tuned


def run_plan_json(plan: object) -> str:
    year = whatif_run.run_plan(plan, 2)  # type: ignore[arg-type]
    return json.dumps(to_json(year, analyse(year)), sort_keys=True)
