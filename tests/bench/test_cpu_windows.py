"""``bench.estate --window``: CPU per simulated day of each window of one run.

The windows are a measurement, so the tests check their bookkeeping, not a speed: they
tile the run, their CPU adds up to the run's, and the probe's own SimPy events are left out
of the estate's events (which the floor replays), so the floor does not move.
"""

from __future__ import annotations

import pytest

from bench.cpu_windows import CpuWindows, window_keys
from bench.estate import main, measure, parse
from bench.harness import BenchConfig, run_estate

CFG = BenchConfig(days=4, databases=2, check_invariants=False)


@pytest.fixture(scope="module")
def windowed() -> tuple[dict[str, object], CpuWindows]:
    probe = CpuWindows(1)
    return run_estate(CFG, probe=probe), probe


def test_the_windows_tile_the_run(windowed: tuple[dict[str, object], CpuWindows]) -> None:
    _, probe = windowed
    rows = probe.windows()
    assert [w["first_day"] for w in rows] == [0.0, 1.0, 2.0, 3.0]
    assert [w["days"] for w in rows] == [1.0, 1.0, 1.0, 1.0]
    assert all(w["cpu_ms_per_day"] > 0 for w in rows)


def test_the_windows_add_up_to_the_run(windowed: tuple[dict[str, object], CpuWindows]) -> None:
    out, probe = windowed
    total_ms = sum(w["cpu_ms_per_day"] * w["days"] for w in probe.windows())
    # the run's own figure starts a statement before the probe and stops one after it
    # (rounded to the millisecond)
    assert total_ms == pytest.approx(1000.0 * float(out["cpu_s"]), rel=0.02, abs=1.5)


def test_the_probe_changes_no_outcome(windowed: tuple[dict[str, object], CpuWindows]) -> None:
    out, probe = windowed
    bare = run_estate(CFG)
    assert probe.events == len(probe.windows())  # its start, and each boundary within the run
    assert out["events"] == bare["events"] + probe.events
    assert out["outcome_digest"] == bare["outcome_digest"]


def test_the_keys_compare_whole_windows() -> None:
    probe = CpuWindows(2)
    day = 86400.0
    probe.marks.marks = [(0.0, 0.0), (2 * day, 0.2), (4 * day, 0.5), (5 * day, 0.9)]
    keys = window_keys(probe)
    assert [w["cpu_ms_per_day"] for w in keys["windows"]] == [100.0, 150.0, 400.0]
    assert keys["window_cpu_spread"] == 1.5  # the one-day tail is not a whole window
    assert keys["window_cpu_last_over_first"] == 1.5


def test_estate_reports_windows_and_keeps_the_floor() -> None:
    out = measure(CFG, window_days=2)
    bare = measure(CFG)
    assert len(out["windows"]) == 2
    assert out["events"] == bare["events"]
    assert out["floor_events_per_day"] == bare["floor_events_per_day"]
    assert out["window_cpu_spread"] is not None


def test_the_window_is_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert parse(["--days", "3", "--window", "3"])[2] == 3
    for bad in ("0", "4"):
        with pytest.raises(SystemExit):
            main(["--days", "3", "--window", bad])
        assert "--window must be between 1 and --days" in capsys.readouterr().err
