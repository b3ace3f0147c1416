"""``python -m bench.profile [--days N] [--databases N] [--app ...] [--top K] [--json]``

Where the estate's CPU goes, by layer: the reference estate under cProfile, each function's
own time charged to the layer of its file (IDB, Oracle simulator, host, arrays, core,
drivers, SimPy, bench). Time spent in builtins and the standard library is charged to the
layers that called them, in proportion to what each caller spent there, so "sorted() in the
Oracle simulator" counts as Oracle simulator. Profiling slows everything down by a roughly
constant factor: read the shares and the per-session figures relative to each other, and
take absolute rates from ``bench.estate``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
from typing import Any

from bench.args import add_estate_args, counted_config, printed_json
from bench.calls import call_totals
from bench.harness import BenchConfig, run_estate

# (path fragment, layer), first match wins
LAYERS: tuple[tuple[str, str], ...] = (
    ("/apprm_ref/idb/", "idb"),
    ("/sqlalchemy/", "idb"),
    ("/apprm_ref/sim/oracle/", "sim.oracle"),
    ("/apprm_ref/sim/host/", "sim.host"),
    ("/apprm_ref/sim/eva/", "sim.arrays"),
    ("/apprm_ref/sim/xp/", "sim.arrays"),
    ("/apprm_ref/sim/storage.py", "sim.arrays"),
    ("/apprm_ref/sim/", "sim.world"),
    ("/apprm_ref/core/integrations/", "core.integrations"),
    ("/apprm_ref/core/replication/", "core.replication"),
    ("/apprm_ref/core/", "core"),
    ("/apprm_ref/drivers/", "drivers"),
    ("/apprm_ref/", "apprm_ref"),
    ("/simpy/", "simpy"),
    ("/bench/", "bench"),
)
Key = tuple[str, int, str]


def layer_of(filename: str) -> str | None:
    """The layer of a source file, or None for builtins and the standard library."""
    for fragment, layer in LAYERS:
        if fragment in filename:
            return layer
    return None


def charge(stats: dict[Key, Any]) -> dict[str, float]:
    """Own time per layer; unowned time (builtins, stdlib) follows its callers, up the
    call graph until it reaches an owned frame (cycles are cut after a few hops)."""
    out: dict[str, float] = {}

    def give(key: Key, seconds: float, depth: int) -> None:
        layer = layer_of(key[0])
        callers = stats[key][4] if key in stats else {}
        if layer is not None or depth > 6 or not callers:
            name = layer or "unattributed"
            out[name] = out.get(name, 0.0) + seconds
            return
        spent = sum(v[2] for v in callers.values()) or 1.0
        for caller in sorted(callers):
            give(caller, seconds * callers[caller][2] / spent, depth + 1)

    for key in sorted(stats):
        give(key, stats[key][2], 0)
    return out


def profile(cfg: BenchConfig, top: int) -> dict[str, Any]:
    prof = cProfile.Profile()
    prof.enable()
    res = run_estate(cfg)
    prof.disable()
    st = pstats.Stats(prof)
    raw: dict[Key, Any] = st.stats  # type: ignore[attr-defined]
    layers = charge(raw)
    total = sum(layers.values()) or 1.0
    n = max(1, res["sessions"])
    rows = sorted(raw.items(), key=lambda kv: -kv[1][2])[:top]
    return {
        "databases": cfg.databases,
        "sim_days": cfg.days,
        "sessions": res["sessions"],
        "profiled_cpu_s": round(total, 3),
        # the whole run, start-up included: compare runs of one configuration
        "interpreted_calls_per_sim_day": round(call_totals(prof)[0] / max(1, cfg.days)),
        "layers": {
            name: {
                "share": round(s / total, 4),
                "profiled_us_per_session": round(1e6 * s / n, 1),
            }
            for name, s in sorted(layers.items(), key=lambda kv: -kv[1])
        },
        "top_own_time": [
            {
                "function": f"{_short(k[0])}:{k[1]}({k[2]})",
                "calls": v[1],
                "own_s": round(v[2], 4),
                "per_session_us": round(1e6 * v[2] / n, 1),
            }
            for k, v in rows
        ],
    }


def _short(filename: str) -> str:
    for marker in ("/apprm_ref/", "/site-packages/", "/bench/"):
        if marker in filename:
            return marker.strip("/") + "/" + filename.split(marker, 1)[1]
    return filename


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[2])
    add_estate_args(ap, days=10)
    ap.add_argument("--top", type=int, default=25)
    a = ap.parse_args(argv)
    out = profile(counted_config(a), a.top)
    if printed_json(a, out):
        return 0
    print(
        f"{out['sessions']} sessions, {out['profiled_cpu_s']} s profiled CPU, "
        f"{out['interpreted_calls_per_sim_day']} interpreted calls per simulated day"
    )
    for name, row in out["layers"].items():
        us = row["profiled_us_per_session"]
        print(f"  {name:<18} {100 * row['share']:5.1f} %  {us:>9} us per session")
    for row in out["top_own_time"]:
        print(f"  {row['own_s']:>8} s  {row['calls']:>9}  {row['function']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
