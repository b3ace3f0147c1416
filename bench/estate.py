"""``python -m bench.estate [--days N] [--databases N] [--app oracle|filesystem] [--window D] [--json]``

The reference estate of DESIGN.md "Performance": databases split over one EVA and one XP,
4 online ZDB sessions per database per day, replica sets rotated (EVA 7 vsnaps; XP the
MU list 0-2, i.e. 3 — Business Copy allows only MU 0-2 at L1), one instant recovery with
database recovery per database per week, IDB on an SQLite file in a temporary directory,
workload in hourly epochs, 365 simulated days by default.

The same run measures the floor of its average day (``bench.floor``): the day's SimPy
events with empty bodies plus its IDB rows written with plain ``sqlite3``, one transaction
per session, counted from this run and replayed bare; ``cost_over_floor`` =
``cpu_ms_per_day`` / ``floor_ms_per_day``.

It also measures the raw SimPy event rate of this machine (``bench.kernel``);
``kernel_ratio`` = events_per_wall_s / kernel_events_per_s compares across machines.
Events are counted by wrapping ``env.step`` (see ``bench.metrics``).

``--window D`` also reports the CPU per simulated day of every D days of the same run
(``bench.cpu_windows``): the flatness of the cost across a run's days.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from bench.cpu_windows import CpuWindows, window_keys
from bench.floor import floor_keys
from bench.harness import WORKLOAD_EPOCH_S, BenchConfig, run_estate
from bench.kernel import kernel_events_per_s


def measure(cfg: BenchConfig, window_days: int | None = None) -> dict[str, Any]:
    kernel = kernel_events_per_s()
    kernel_cpu = kernel_events_per_s(cpu=True)
    probe = CpuWindows(window_days) if window_days else None
    out = run_estate(cfg, probe=probe)
    if probe is not None:  # the estate's events only: the floor replays those
        out["events"] -= probe.events
        out.update(window_keys(probe))
    out["kernel_events_per_s"] = round(kernel, 1)
    eps = out.get("events_per_wall_s") or 0.0
    out["kernel_ratio"] = round(eps / kernel, 6) if kernel else None
    out["kernel_events_per_cpu_s"] = round(kernel_cpu, 1)
    out["kernel_ratio_cpu"] = round((out.get("events_per_cpu_s") or 0.0) / kernel_cpu, 6)
    out.update(
        floor_keys(cfg.days, out["events"], out["idb_rows_written"], out["sessions"], out["cpu_s"])
    )
    return out


def parse(argv: list[str] | None = None) -> tuple[BenchConfig, bool, int | None]:
    ap = argparse.ArgumentParser(prog="python -m bench.estate", description=__doc__.split("\n")[2])
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--databases", type=int, default=10)
    ap.add_argument("--app", choices=("oracle", "filesystem"), default="oracle")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--no-invariants", action="store_true", help="skip the final invariant check")
    ap.add_argument(
        "--epoch-hours",
        type=float,
        default=WORKLOAD_EPOCH_S / 3600,
        help="workload epoch in hours (default 1; 6 is one per backup interval)",
    )
    ap.add_argument(
        "--gc-default",
        action="store_true",
        help="keep CPython's default collector settings (default: frozen start-up heap, "
        "young generation collected every 50 000 allocations)",
    )
    ap.add_argument(
        "--world-digest",
        action="store_true",
        help="digest the whole simulated world at the end (for bench.compare; costs time)",
    )
    ap.add_argument(
        "--window",
        type=int,
        default=None,
        help="also measure CPU per simulated day of every WINDOW days (bench.cpu_windows)",
    )
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    a = ap.parse_args(argv)
    if a.days < 1 or a.databases < 1:
        ap.error("--days and --databases must be at least 1")
    if a.window is not None and not 1 <= a.window <= a.days:
        ap.error("--window must be between 1 and --days")
    if not 0 < a.epoch_hours <= 24:
        ap.error("--epoch-hours must be in (0, 24]")
    cfg = BenchConfig(
        days=a.days,
        databases=a.databases,
        app=a.app,
        seed=a.seed,
        check_invariants=not a.no_invariants,
        gc_tuned=not a.gc_default,
        epoch_s=a.epoch_hours * 3600,
        world_digest=a.world_digest,
    )
    return cfg, a.json, a.window


def main(argv: list[str] | None = None) -> int:
    cfg, as_json, window = parse(argv)
    out = measure(cfg, window)
    if as_json:
        print(json.dumps(out, sort_keys=True))
    else:
        for key in sorted(out):
            print(f"{key:>22}: {out[key]}")
    ok = out["sessions"] == out["expected_sessions"] and not out["invariant_problems"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
