"""``apprm conformance run --driver eva-smis``: the real SMI-S driver over the simulated door."""

from __future__ import annotations

from .conftest import doc


def test_conformance_run_eva_smis_passes_every_case(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("conformance", "run", "--driver", "eva-smis", "--json")
    assert result.exit_code == 0, result.output
    cases = doc(result.output)
    assert len(cases) >= 10
    assert {c["outcome"] for c in cases} == {"passed"}


def test_conformance_run_one_case(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "conformance", "run", "--driver", "eva-smis", "--case", "snapshot_limit_per_source"
    )
    assert result.exit_code == 0, result.output
    assert "1 passed, 0 failed, 0 skipped" in result.output
