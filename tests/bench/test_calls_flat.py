"""The work of a database-day stays flat in days and in databases: counted, not timed.

Issue 19 asks for CPU per database-day flat within 10 %, from 30 to 365 days and from 1 to
100 databases. CPU time on a shared machine moves by more than that between identical runs;
the calls of ``bench.calls`` do not. Counted week by week after the first week (which holds
the ramp-up and, in a fresh process, first use), short runs can test this:
- a cost per day that grows with what the world accumulates (archived logs, sessions,
  replicas) makes the later weeks of one run differ;
- a cost per database that grows with the estate makes the second week of 4 databases
  differ from that of 2. Both hold the same mix of arrays (databases alternate EVA and
  XP): an XP database-day makes fewer interpreted calls than an EVA one (about 11 % on
  the pure-Python path, 15 % since the compiled write path also takes the XP's
  difference tracking), so 1 database (EVA) against 3 (two EVA, one XP) would compare
  the mix, not the growth.
Measured: the later weeks of 1 database differ by about 2 %; the second week of 4
databases makes 7 470.7 interpreted calls per database-day and that of 2 makes 7 507.3
(0.5 %). One builtin call more per archived-log record at each log switch (``len`` of
each record, a cost that grows with the control file) spreads the weeks by 6.6 %, and the
first test fails on it (checked when the tests were written).
"""

from __future__ import annotations

from typing import Any

import pytest

from bench.calls import KEYS, count_calls, report
from bench.harness import BenchConfig, run_estate
from bench.scaling import spread, with_calls

WEEK = 7
FLAT = 1.05  # the schedule's mix of days alone moves a week by ~2 %


def _weeks(days: int, databases: int) -> dict[str, Any]:
    return count_calls(BenchConfig(days=days, databases=databases, check_invariants=False), WEEK)


@pytest.fixture(scope="module")
def four_weeks() -> dict[str, Any]:
    return _weeks(4 * WEEK, 1)


def test_later_weeks_make_the_same_calls(four_weeks: dict[str, Any]) -> None:
    assert len(four_weeks["windows"]) == 4
    for key in KEYS:
        assert four_weeks["steady_window_spread"][key] < FLAT, four_weeks["windows"]


def test_the_report_gives_every_window(four_weeks: dict[str, Any]) -> None:
    lines = report(four_weeks)
    assert len(lines) == 1 + 4 + 1
    week = four_weeks["windows"][1]
    assert lines[2] == (
        f"  days 7+7: {week['interpreted_calls_per_db_day']} interpreted,"
        f" {week['calls_per_db_day']} with builtins"
    )
    assert lines[-1].startswith("  later windows, max/min: ")


def test_a_database_day_makes_the_same_calls_in_a_wider_estate() -> None:
    narrow, wider = _weeks(2 * WEEK, 2), _weeks(2 * WEEK, 4)
    for key in KEYS:
        two, four = narrow["windows"][1][key], wider["windows"][1][key]
        assert 1 / FLAT < four / two < FLAT, (key, two, four)


def test_a_week_makes_the_same_calls_on_every_run() -> None:
    first, again = _weeks(2 * WEEK, 1), _weeks(2 * WEEK, 1)
    assert again["windows"][1] == first["windows"][1]
    assert again["windows"][1]["interpreted_calls_per_db_day"] > 0


def test_the_probe_watches_the_simulated_run_only() -> None:
    seen: list[Any] = []

    class Probe:
        def start(self, env: Any) -> None:
            seen.append(("start", env.now))

        def stop(self) -> None:
            seen.append("stop")

    out = run_estate(BenchConfig(days=1, databases=1), probe=Probe())
    assert seen == [("start", 0.0), "stop"]
    assert out["sessions"] > 0  # the run happened between the two


def test_scaling_rows_carry_the_counts_or_why_not() -> None:
    row = {"databases": 1, "days": 30, "cpu_ms_per_db_day": 25.0}
    counted = {"interpreted_calls_per_db_day": 7900.0, "calls_per_db_day": 19400.0, "x": 1}
    assert with_calls(row, counted) == {**row, **{k: counted[k] for k in KEYS}}
    assert with_calls(row, {"error": "timed out after 5 s"}) == {
        **row,
        "calls_error": "timed out after 5 s",
    }
    rows: list[dict[str, Any]] = [
        {"calls_per_db_day": 100.0},
        {"calls_per_db_day": 125.0},
        {"skipped": "x"},
    ]
    assert spread(rows, "calls_per_db_day") == 1.25
    assert spread([{"skipped": "x"}], "calls_per_db_day") is None
