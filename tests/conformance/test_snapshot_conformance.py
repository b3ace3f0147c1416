"""The conformance suite run against the simulated EVA driver (sim-eva)."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.harness import cases_for, run_case
from apprm_ref.conformance.sim_backdoors import sim_eva_subject

CASES = cases_for("snapshot-array")


@pytest.mark.parametrize(("name", "fn"), CASES, ids=[n for n, _ in CASES])
def test_sim_eva_conforms(name, fn) -> None:  # type: ignore[no-untyped-def]
    driver, backdoor = sim_eva_subject()
    result = run_case(driver, backdoor, name, fn)
    assert result.outcome == "passed", result.detail


def test_the_suite_catches_a_driver_that_breaks_point_in_time() -> None:
    """A broken driver (targets alias the source) must fail the point-in-time cases."""
    driver, backdoor = sim_eva_subject()
    real_read = backdoor.read

    def aliasing_read(volume, extent):  # type: ignore[no-untyped-def]
        info = driver.volume_info(volume)
        return real_read(info.source.volume if info.source else volume, extent)

    backdoor.read = aliasing_read  # type: ignore[method-assign]
    name, fn = next((n, f) for n, f in CASES if n == "snapshot_is_point_in_time")
    assert run_case(driver, backdoor, name, fn).outcome == "failed"


def test_cleanup_leaves_no_volume_behind() -> None:
    driver, backdoor = sim_eva_subject()
    before = [v.ref for v in driver.list_volumes()]
    for name, fn in CASES:
        run_case(driver, backdoor, name, fn)
    assert [v.ref for v in driver.list_volumes()] == before
