"""``bench.compare``: ratios of rates, and a different simulated outcome is an error."""

from __future__ import annotations

import json
from pathlib import Path

from bench import compare

BEFORE = {
    "app": "oracle", "databases": 10, "sim_days": 30, "sessions": 1250,
    "session_statuses": {"Completed": 1250}, "max_backup_mode_s": 5.0,
    "median_ir_rto_s": 14.15, "invariant_problems": [], "sim_days_per_cpu_s": 1.5,
    "cpu_s": 20.0, "peak_rss_mb": 100.0,
}  # fmt: skip


def _write(tmp: Path, name: str, obj: dict) -> Path:  # type: ignore[type-arg]
    path = tmp / name
    path.write_text("some log line\n" + json.dumps(obj) + "\n")
    return path


def test_same_outcome_gives_ratios_and_exit_0(tmp_path: Path) -> None:
    after = dict(BEFORE, sim_days_per_cpu_s=15.0, cpu_s=2.0, peak_rss_mb=80.0)
    out = compare.compare(BEFORE, after)
    assert out["same_outcome"]
    assert out["ratios"]["sim_days_per_cpu_s"]["ratio"] == 10.0
    assert out["ratios"]["cpu_s"]["ratio"] == 0.1
    args = [str(_write(tmp_path, "b.json", BEFORE)), str(_write(tmp_path, "a.json", after))]
    assert compare.main(args) == 0


def test_a_changed_outcome_is_reported_and_fails(tmp_path: Path) -> None:
    after = dict(BEFORE, session_statuses={"Completed": 1249, "Failed": 1}, max_backup_mode_s=6.0)
    out = compare.compare(BEFORE, after)
    assert not out["same_outcome"]
    assert set(out["outcome_diff"]) == {"session_statuses", "max_backup_mode_s"}
    args = [str(_write(tmp_path, "b.json", BEFORE)), str(_write(tmp_path, "a.json", after))]
    assert compare.main(args) == 1


def test_different_configurations_are_not_comparable() -> None:
    out = compare.compare(BEFORE, dict(BEFORE, databases=100))
    assert not out["same_config"] and not out["same_outcome"]
    assert out["config_diff"] == {"databases": (10, 100)}


def test_a_file_without_json_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "x.json"
    empty.write_text("nothing here\n")
    assert compare.main([str(empty), str(empty)]) == 2
