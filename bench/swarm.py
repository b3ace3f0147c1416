"""``python -m bench.swarm [--seeds N] [--json]``

Swarm throughput: seeds per wall-second of the shipped scenarios with faults armed, in this
process (1 worker) and in 2 local worker processes, and on a 2-worker Dask LocalCluster
when ``distributed`` is installed. The seeds' outcomes must be identical on every executor;
the JSON says whether they were.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from apprm_ref.swarm.execute import Task, run_tasks

SCENARIOS = sorted((Path(__file__).parents[1] / "scenarios").glob("*.yaml"))


def _measure(tasks: list[Task], **how: Any) -> tuple[float, list[Any]]:
    start = time.perf_counter()
    outcomes = run_tasks(tasks, **how)
    return time.perf_counter() - start, outcomes


def _key(outcomes: list[Any]) -> list[tuple[Any, ...]]:
    return [(o.scenario, o.seed, o.first_broken, o.digest) for o in outcomes]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2, help="seeds per shipped scenario")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    tasks = [Task(str(p), s) for p in SCENARIOS for s in range(args.seeds)]
    one, ref = _measure(tasks, jobs=1)
    two, local = _measure(tasks, jobs=2)
    out: dict[str, Any] = {
        "scenarios": len(SCENARIOS), "seeds": len(tasks),
        "failed": sum(not o.passed for o in ref),
        "seeds_per_s_1_worker": round(len(tasks) / one, 3),
        "seeds_per_s_2_processes": round(len(tasks) / two, 3),
        "same_outcomes": _key(local) == _key(ref),
    }  # fmt: skip
    try:
        import distributed
    except ImportError:
        out["seeds_per_s_2_dask_workers"] = None
    else:
        with (
            distributed.LocalCluster(
                n_workers=2, threads_per_worker=1, dashboard_address=None
            ) as cluster,
            distributed.Client(cluster) as client,
        ):
            dask_s, on_dask = _measure(tasks, scheduler=client)
        out["seeds_per_s_2_dask_workers"] = round(len(tasks) / dask_s, 3)
        out["same_outcomes"] = out["same_outcomes"] and _key(on_dask) == _key(ref)
    print(json.dumps(out, sort_keys=True) if args.json else json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
