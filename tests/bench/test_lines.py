"""``bench.lines``: the Python lines of a window of simulated days, per database-day, by
module and function, as the difference of two traced runs."""

from __future__ import annotations

import pytest

from bench import lines
from bench.harness import BenchConfig


def test_a_traced_run_counts_the_functions_it_ran() -> None:
    out, counts = lines.traced(BenchConfig(days=1, databases=1, check_invariants=False))
    assert out["sessions"] > 0
    epoch = "apprm_ref/sim/oracle/transactions.py:Transactions._epoch"
    assert counts[epoch] > 0  # the hourly workload epoch ran, in Python lines
    assert all(n > 0 for n in counts.values())
    assert not any(name.startswith("/") and "apprm_ref/" in name for name in counts)


def test_the_window_is_counted_the_same_twice_and_ranked() -> None:
    first = lines.measure(1, 1, 1, top=5)
    assert first == lines.measure(1, 1, 1, top=5)  # PYTHONHASHSEED=0, no clock: exact
    assert first["lines_per_db_day"] > 1000 and first["sessions"] > 0
    for key in ("modules", "functions"):
        ranked = first[key]
        assert 1 <= len(ranked) <= 5
        assert [r[1] for r in ranked] == sorted((r[1] for r in ranked), reverse=True)
        assert all(0 < r[2] <= 100 for r in ranked)
    top_module = first["modules"][0]
    assert top_module[1] >= first["functions"][0][1]  # a module holds its functions
    report = lines.report(first)
    assert report[0].startswith("days 1+1, 1 databases: ")
    assert len(report) == 1 + 1 + len(first["modules"]) + 1 + len(first["functions"])


def test_a_bad_window_is_refused() -> None:
    with pytest.raises(ValueError):
        lines.measure(1, 1, 1, top=0)
    with pytest.raises(SystemExit) as info:
        lines.main(["--days", "0"])
    assert info.value.code == 2
