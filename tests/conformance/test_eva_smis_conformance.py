"""The conformance suite run against the real EVA SMI-S driver over the simulated SMI-S door
(``eva-smis``), with the ``sim-eva`` backdoor translated to EVA object ids."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.harness import cases_for, run_case, run_suite
from apprm_ref.conformance.sim_backdoors import eva_smis_subject
from apprm_ref.real.eva_smis import EvaSmisDriver

CASES = cases_for("snapshot-array")
RULES = {
    "snapshot_is_point_in_time": ("ARR-I6", "ARR-P3"),
    "one_replica_type_per_source": ("ARR-I2",),
    "nothing_new_while_a_snapclone_normalizes": ("ARR-I2",),
    "snapshot_limit_per_source": ("ARR-I4",),
    "presented_volume_is_not_deleted": ("ARR-I8",),
}


def _param(name, fn):  # type: ignore[no-untyped-def]
    marks = [pytest.mark.rule(*RULES[name])] if name in RULES else []
    return pytest.param(name, fn, id=name, marks=marks)


@pytest.mark.parametrize(("name", "fn"), [_param(n, f) for n, f in CASES])
def test_eva_smis_conforms(name, fn) -> None:  # type: ignore[no-untyped-def]
    driver, backdoor = eva_smis_subject()
    assert isinstance(driver, EvaSmisDriver)
    result = run_case(driver, backdoor, name, fn)
    assert result.outcome == "passed", result.detail


def test_every_case_runs_and_nothing_is_skipped() -> None:
    """The driver declares every feature the snapshot cases need (from the provider's
    capabilities), so no case is skipped and the array is left as found."""
    driver, backdoor = eva_smis_subject()
    before = driver.list_volumes()
    results = run_suite(driver, backdoor)
    assert [r.outcome for r in results] == ["passed"] * len(CASES), results
    assert driver.list_volumes() == before


def test_the_suite_catches_an_smis_driver_that_loses_refusals() -> None:
    """A driver that swallows the provider's refusal must fail the refusal cases."""
    driver, backdoor = eva_smis_subject()
    real = driver.create_replicas

    def swallowing(requests):  # type: ignore[no-untyped-def]
        try:
            return real(requests)
        except Exception:
            return None

    driver.create_replicas = swallowing  # type: ignore[method-assign]
    name, fn = next((n, f) for n, f in CASES if n == "one_replica_type_per_source")
    assert run_case(driver, backdoor, name, fn).outcome == "failed"
