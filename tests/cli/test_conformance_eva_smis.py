"""``apprm conformance run --driver eva-smis``: the real SMI-S driver over the simulated door."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.runner import MIN_CHECKS

from .conftest import doc


@pytest.mark.rule("WIRE-I5")
def test_conformance_run_eva_smis_passes_every_check(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("conformance", "run", "--driver", "eva-smis", "--json")
    assert result.exit_code == 0, result.output[-2000:]
    rep = doc(result.output)
    assert rep["total"] >= MIN_CHECKS
    assert rep["counts"] == {"pass": rep["total"], "skip": 0, "fail": 0}


def test_conformance_run_one_case(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "conformance", "run", "--driver", "eva-smis", "--case", "snapshot_limit_per_source"
    )
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed, 0 skipped" in result.output
