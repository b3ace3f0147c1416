"""The split-mirror conformance suite against the simulated XP (sim-xp) and against the
real RAID Manager driver over the simulator's CCI door (xp-cci)."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.harness import cases_for, run_case, run_suite
from apprm_ref.conformance.xp_subjects import cci_xp_subject, sim_xp_subject

CASES = cases_for("split-mirror-array")
SUBJECTS = {"sim-xp": sim_xp_subject, "xp-cci": cci_xp_subject}


@pytest.mark.rule("ARR-I10")
@pytest.mark.rule("ARR-I12")
@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@pytest.mark.parametrize(("name", "fn"), CASES, ids=[n for n, _ in CASES])
def test_xp_drivers_conform(subject: str, name, fn) -> None:  # type: ignore[no-untyped-def]
    driver, backdoor = SUBJECTS[subject]()
    result = run_case(driver, backdoor, name, fn)
    assert result.outcome == "passed", result.detail


def test_the_suite_catches_a_split_that_is_not_point_in_time() -> None:
    """An array whose S-VOL keeps following the P-VOL after the split fails ARR-I12."""
    driver, backdoor = sim_xp_subject()
    real_write = backdoor.write

    def write_through(volume, items):  # type: ignore[no-untyped-def]
        real_write(volume, items)
        for p in driver.backend.pairs.values():
            if p.pvol == volume:
                driver.backend.ldevs[p.svol].data.write_many(items)

    backdoor.write = write_through  # type: ignore[method-assign]
    name, fn = next((n, f) for n, f in CASES if n == "split_is_point_in_time")
    assert run_case(driver, backdoor, name, fn).outcome == "failed"


def test_no_leaks_after_the_whole_suite() -> None:
    for make in SUBJECTS.values():
        driver, backdoor = make()
        results = run_suite(driver, backdoor)
        assert {r.outcome for r in results} == {"passed"}, [
            r for r in results if r.outcome != "passed"
        ]
        assert driver.list_volumes() == []
