"""``python -m bench.scaling [--json] [--full] [--calls] [--app oracle|filesystem]``

The reference estate at 1, 10 and 100 databases for 30 and 365 simulated days, each run in
its own process (so each peak RSS is its own), to show how cost grows: wall seconds and
events per database-day should stay flat if cost is linear in databases x days. The
largest configuration (100 databases x 365 days) runs only with ``--full``; without it the
table says it was skipped. With ``--calls`` each configuration also runs once more under
``bench.calls``, whose call counts per database-day do not move with the machine's load as
CPU time does; ``calls_per_db_day_spread`` is their max/min. Then the memory test (``bench.memory``): 100 TiB of volumes,
0.1 % daily change, daily snapshots, 30 days, peak RSS well under 500 MB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from bench.kernel import kernel_events_per_s

DATABASES = (1, 10, 100)
DAYS = (30, 365)
FULL_ONLY = {(100, 365)}


def _run(module: str, args: list[str], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", module, *args]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s"}
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        return {"error": (proc.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def _row(out: dict[str, Any], dbs: int, days: int) -> dict[str, Any]:
    if "error" in out:
        return {"databases": dbs, "days": days, **out}
    db_days = dbs * days
    keys = ("wall_s", "sessions", "events", "sim_days_per_wall_s", "events_per_wall_s")
    row = {"databases": dbs, "days": days, **{k: out.get(k) for k in keys}}
    row["peak_rss_mb"] = out.get("peak_rss_mb")
    row["idb_bytes"] = out.get("idb_bytes")
    row["cpu_s"] = out.get("cpu_s")
    row["ms_per_db_day"] = round(1000 * out["wall_s"] / db_days, 3)
    if out.get("cpu_s"):
        row["cpu_ms_per_db_day"] = round(1000 * out["cpu_s"] / db_days, 3)
    row["events_per_db_day"] = round(out["events"] / db_days, 2)
    row["ok"] = out["sessions"] == out["expected_sessions"] and not out["invariant_problems"]
    return row


def with_calls(row: dict[str, Any], counted: dict[str, Any]) -> dict[str, Any]:
    """``row`` with the call counts of the same configuration (or why there are none)."""
    if "error" in counted:
        return {**row, "calls_error": counted["error"]}
    keys = ("interpreted_calls_per_db_day", "calls_per_db_day")
    return {**row, **{k: counted[k] for k in keys}}


def spread(rows: list[dict[str, Any]], key: str) -> float | None:
    """max/min of ``key`` over the rows that have it."""
    values: list[float] = [r[key] for r in rows if r.get(key)]
    return round(max(values) / min(values), 2) if values else None


def run_scaling(app: str, full: bool, timeout: float, calls: bool = False) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    for dbs in DATABASES:
        for days in DAYS:
            if (dbs, days) in FULL_ONLY and not full:
                rows.append({"databases": dbs, "days": days, "skipped": "needs --full"})
                continue
            args = ["--days", str(days), "--databases", str(dbs), "--app", app, "--json"]
            row = _row(_run("bench.estate", args, timeout), dbs, days)
            if calls:
                row = with_calls(row, _run("bench.calls", args, timeout))
            rows.append(row)
    costs: list[float] = [
        r.get("cpu_ms_per_db_day") or r["ms_per_db_day"] for r in rows if "ms_per_db_day" in r
    ]
    out: dict[str, Any] = {
        "app": app,
        "kernel_events_per_s": round(kernel_events_per_s(), 1),
        "runs": rows,
        "ms_per_db_day_spread": round(max(costs) / min(costs), 2) if costs else None,
        "memory": _run("bench.memory", [], timeout),
    }
    if calls:
        out["calls_per_db_day_spread"] = spread(rows, "calls_per_db_day")
        out["interpreted_calls_per_db_day_spread"] = spread(rows, "interpreted_calls_per_db_day")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.scaling")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--full", action="store_true", help="also run 100 databases x 365 days")
    ap.add_argument("--calls", action="store_true", help="also count calls (bench.calls)")
    ap.add_argument("--app", choices=("oracle", "filesystem"), default="oracle")
    ap.add_argument("--timeout", type=float, default=3600.0, help="per configuration, seconds")
    a = ap.parse_args(argv)
    out = run_scaling(a.app, a.full, a.timeout, a.calls)
    if a.json:
        print(json.dumps(out, sort_keys=True))
    else:
        for r in out["runs"]:
            print(r)
        print("memory:", out["memory"])
        if a.calls:
            print("calls per database-day, max/min:", out["calls_per_db_day_spread"])
    ok = all(r.get("ok", True) for r in out["runs"])
    return 0 if ok and out["memory"].get("peak_rss_mb", 1e9) < 500 else 1


if __name__ == "__main__":
    sys.exit(main())
