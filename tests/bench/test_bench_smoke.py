"""Smoke test of the benchmark harness: 2 databases (one EVA, one XP) for 2 simulated days.

Checks the JSON keys and that the run did what the estate says (session count, backup mode
held briefly, an IDB on disk); no timing assertions.
"""

from __future__ import annotations

import json

import pytest

from bench import estate

KEYS = {
    "sim_days",
    "wall_s",
    "sim_days_per_wall_s",
    "sessions",
    "sessions_per_wall_s",
    "events",
    "events_per_wall_s",
    "kernel_events_per_s",
    "kernel_ratio",
    "peak_rss_mb",
    "idb_bytes",
    "max_backup_mode_s",
    "median_ir_rto_s",
    "cpu_ms_per_day",
    "floor_ms_per_day",
    "cost_over_floor",
    "epoch_loop",
    "write_path",
}


@pytest.fixture(autouse=True)
def small_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    # the kernel yardstick is measured in full by the benchmark; keep the test quick
    import bench.kernel

    original = bench.kernel.kernel_events_per_s
    monkeypatch.setattr(
        estate, "kernel_events_per_s", lambda cpu=False: original(n=5_000, repeats=1, cpu=cpu)
    )


@pytest.mark.parametrize("app", ["filesystem", "oracle"])
def test_estate_two_days_two_databases(app: str, capsys: pytest.CaptureFixture[str]) -> None:
    rc = estate.main(["--days", "2", "--databases", "2", "--app", app, "--json"])
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= KEYS
    # 2 databases x 4 sessions x 2 days, plus one instant recovery per database (day 1)
    assert out["backup_sessions"] == 16
    assert out["restore_sessions"] == 2
    assert out["sessions"] == out["expected_sessions"] == 18
    assert out["session_statuses"] == {"Completed": 18}
    assert out["invariant_problems"] == []
    assert rc == 0
    assert 0 < out["max_backup_mode_s"] < 600
    assert out["median_ir_rto_s"] is not None and out["median_ir_rto_s"] > 0
    assert out["idb_bytes"] > 0
    assert out["events"] > 0 and out["kernel_events_per_s"] > 0
    assert out["kernel_ratio"] == pytest.approx(
        out["events_per_wall_s"] / out["kernel_events_per_s"], rel=1e-2, abs=1e-5
    )


def test_gc_tuning_is_undone_after_the_run() -> None:
    import gc

    from bench.harness import BenchConfig, run_estate

    before = gc.get_threshold()
    out = run_estate(BenchConfig(days=1, databases=1, app="filesystem"))
    assert out["gc_tuned"] is True
    assert out["sessions"] == out["expected_sessions"] == 4
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
