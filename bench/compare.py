"""``python -m bench.compare BEFORE.json AFTER.json [--json]``

Two ``bench.estate --json`` results of the same configuration: how much faster, and whether
the simulated outcome is the same. An optimization must not change what was simulated
(sessions, statuses, workload, backup-mode and recovery times, invariants), so those
fields are compared for equality and any difference makes the exit status 1; rates are
compared as ratios (after / before, higher is better for rates, lower for memory).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

CONFIG = (
    "app",
    "databases",
    "sim_days",
    "workload_epoch_s",
)  # gc_tuned, epoch_loop and write_path may differ: they are speed settings
# what the simulation did: must be identical for a pure optimization
OUTCOME = (
    "sessions",
    "backup_sessions",
    "restore_sessions",
    "session_statuses",
    "workload_epochs",
    "workload_blocked",
    "max_backup_mode_s",
    "max_backup_mode_s_by_array",
    "median_ir_rto_s",
    "max_ir_rto_s",
    "invariant_problems",
    "outcome_digest",  # every session's id, status, start, duration, backup-mode time
    "world_digest",  # the whole simulated world at the end (``--world-digest`` runs only)
)
FASTER = ("sim_days_per_cpu_s", "sim_days_per_wall_s", "sessions_per_wall_s", "kernel_ratio")
SMALLER = ("cpu_s", "wall_s", "events", "peak_rss_mb", "idb_bytes")


def load(path: str | Path) -> dict[str, Any]:
    """The last JSON object line of a file (bench output may follow other lines)."""
    lines = [ln for ln in Path(path).read_text().splitlines() if ln.lstrip().startswith("{")]
    if not lines:
        raise ValueError(f"{path}: no JSON object line")
    return json.loads(lines[-1])


def compare(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    config_diff = {
        k: (before.get(k), after.get(k)) for k in CONFIG if before.get(k) != after.get(k)
    }
    outcome_diff = {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in OUTCOME
        if k in before and k in after and before[k] != after[k]
    }
    ratios = {}
    for key in FASTER + SMALLER:
        b, a = before.get(key), after.get(key)
        if isinstance(b, int | float) and isinstance(a, int | float) and b:
            ratios[key] = {"before": b, "after": a, "ratio": round(a / b, 3)}
    return {
        "same_config": not config_diff,
        "config_diff": config_diff,
        "same_outcome": not outcome_diff and not config_diff,
        "outcome_diff": outcome_diff,
        "ratios": ratios,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__.split("\n")[2])
    ap.add_argument("before")
    ap.add_argument("after")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    try:
        out = compare(load(a.before), load(a.after))
    except (OSError, ValueError) as exc:
        print(f"bench.compare: {exc}", file=sys.stderr)
        return 2
    if a.json:
        print(json.dumps(out, sort_keys=True))
    else:
        for key, r in out["ratios"].items():
            print(f"{key:>22}: {r['before']:>12} -> {r['after']:>12}  x{r['ratio']}")
        if out["config_diff"]:
            print(f"different configurations: {out['config_diff']}")
        for key, d in out["outcome_diff"].items():
            print(f"outcome differs: {key}: {d['before']} -> {d['after']}")
        if out["same_outcome"]:
            print("same simulated outcome")
    return 0 if out["same_outcome"] else 1


if __name__ == "__main__":
    sys.exit(main())
