"""``python -m bench.swarm [--seeds N] [--json]``

Swarm throughput: seeds per wall-second of the shipped scenarios with faults armed, in this
process (1 worker) and in 2 local worker processes, and on Dask LocalClusters of 1 and 2
workers when ``distributed`` is installed. The seeds' outcomes must be identical on every executor;
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


def _on_dask(tasks: list[Task], workers: int, ref: list[Any]) -> dict[str, Any]:
    """Seeds per second on a local Dask cluster of ``workers`` single-threaded workers."""
    key = f"seeds_per_s_{workers}_dask_worker{'s' if workers > 1 else ''}"
    try:
        import distributed
    except ImportError:
        return {key: None}
    with (
        distributed.LocalCluster(
            n_workers=workers, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        seconds, on_dask = _measure(tasks, scheduler=client)
    return {key: round(len(tasks) / seconds, 3), "same": _key(on_dask) == _key(ref)}


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
    for workers in (1, 2):
        out.update(_on_dask(tasks, workers, ref))
        out["same_outcomes"] = out["same_outcomes"] and out.pop("same", True)
    print(json.dumps(out, sort_keys=True) if args.json else json.dumps(out, indent=2))
    return out


if __name__ == "__main__":
    main()
