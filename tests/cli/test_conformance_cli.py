"""``apprm conformance run --driver NAME [--observe-only] --json``: pass/skip/fail per check,
with the check's id and description, for every registered driver (WIRE-I5)."""

from __future__ import annotations

import json

import pytest

from apprm_ref.conformance.runner import MIN_CHECKS

ARRAYS_AND_ORACLE = ["sim-eva", "sim-xp", "xp-cci", "sim-oracle", "oracle-dbapi"]


def _run(cli, *args: str) -> dict:  # type: ignore[no-untyped-def]
    result = cli("conformance", "run", *args, "--json")
    assert result.exit_code == 0, result.output[-2000:]
    return json.loads(result.output)


@pytest.mark.rule("WIRE-I5")
@pytest.mark.parametrize("driver", ARRAYS_AND_ORACLE)
def test_at_least_120_checks_all_pass(cli, driver: str) -> None:  # type: ignore[no-untyped-def]
    rep = _run(cli, "--driver", driver)
    assert rep["driver"] == driver and rep["total"] >= MIN_CHECKS
    assert rep["counts"]["fail"] == 0 and rep["counts"]["pass"] >= MIN_CHECKS
    for c in rep["checks"]:
        assert set(c) == {"id", "description", "outcome", "detail"} and c["description"]
        assert c["outcome"] in ("pass", "skip")


@pytest.mark.rule("WIRE-I5")
@pytest.mark.parametrize("driver", ["sim-eva", "xp-cci", "sim-host"])
def test_observe_only_passes(cli, driver: str) -> None:  # type: ignore[no-untyped-def]
    rep = _run(cli, "--driver", driver, "--observe-only")
    assert rep["observe_only"] is True and rep["counts"]["fail"] == 0
    skipped = [c for c in rep["checks"] if c["outcome"] == "skip"]
    assert all("backdoor" in c["detail"] or "storage stack only" in c["detail"] for c in skipped)


@pytest.mark.rule("WIRE-I5")
@pytest.mark.parametrize("driver", ["sim-vss", "sim-mssql", "vss-diskshadow", "sim-exchange"])
def test_vss_and_exchange_drivers_pass(cli, driver: str) -> None:  # type: ignore[no-untyped-def]
    for extra in ((), ("--observe-only",)):
        rep = _run(cli, "--driver", driver, *extra)
        assert rep["driver"] == driver and rep["counts"]["fail"] == 0
        assert rep["family"] in ("vss", "exchange") and rep["note"]
        assert rep["counts"]["pass"] >= 15


@pytest.mark.rule("WIRE-I5")
def test_host_family_says_why_it_has_fewer(cli) -> None:  # type: ignore[no-untyped-def]
    rep = _run(cli, "--driver", "sim-host")
    assert rep["total"] < MIN_CHECKS and "17 calls" in rep["note"]
    assert rep["counts"]["fail"] == 0


def test_one_check_in_a_table(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("conformance", "run", "--driver", "sim-xp", "--check", "life.cycle.mu1")
    assert result.exit_code == 0, result.output
    assert "life.cycle.mu1" in result.output and "1 passed, 0 failed, 0 skipped" in result.output


def test_unknown_driver_is_refused_with_the_known_ones(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("conformance", "run", "--driver", "no-such-driver")
    assert result.exit_code != 0
    assert "xp-cci" in result.output and "oracle-dbapi" in result.output
    assert "Traceback" not in result.output


def test_list_shows_requirements(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("conformance", "list", "--driver", "sim-eva", "--json")
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in json.loads(result.output)["checks"]}
    assert rows["create.vsnap.listed"]["requires"] == []  # gated inside, by the replica type
    assert rows["case.snapshot_is_point_in_time"]["backdoor"] is True
