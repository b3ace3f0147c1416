"""Running seeds: in this process, in local worker processes, or on Dask distributed.

A task is plain data (scenario path, seed, whether faults are drawn) and its outcome is plain
data, so the same task gives the same outcome wherever it runs (REL-I5). The Dask path
takes a scheduler address (``tcp://host:8786``) or a ``distributed.Client``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from apprm_ref.swarm.checks import SeedOutcome, SwarmDrill
from apprm_ref.swarm.plan import draw_plan


@dataclass(frozen=True)
class Task:
    scenario: str  # path of the scenario file
    seed: int
    faults: bool = True


def run_task(task: Task) -> SeedOutcome:
    """One seed of one scenario, start to end (a top-level function: it must pickle)."""
    from apprm_ref.drill.loader import load_scenario

    scenario = load_scenario(task.scenario)
    plan = draw_plan(task.seed, faults=task.faults)
    drill = SwarmDrill(scenario, path=task.scenario, plan=plan, seed=task.seed)
    drill.run_swarm()
    return SeedOutcome(
        task.scenario, task.seed, plan.to_dict(), list(drill.violations),
        sessions=len(drill.result.sessions), firings=len(drill.world.fault_plan.log),
        digest=drill.result.digest,
    )  # fmt: skip


Done = Callable[[SeedOutcome], None]


def run_tasks(
    tasks: Sequence[Task], *, jobs: int = 1, scheduler: Any = None, done: Done | None = None
) -> list[SeedOutcome]:
    """Every task's outcome, in task order; ``done`` is called as each one finishes."""
    if scheduler is not None:
        results = _on_dask(tasks, scheduler, done)
    elif jobs <= 1:
        results = _here(tasks, done)
    else:
        results = _in_processes(tasks, jobs, done)
    order = {(t.scenario, t.seed): i for i, t in enumerate(tasks)}
    return sorted(results, key=lambda o: order[(o.scenario, o.seed)])


def _here(tasks: Sequence[Task], done: Done | None) -> Iterator[SeedOutcome]:
    for task in tasks:
        outcome = run_task(task)
        if done:
            done(outcome)
        yield outcome


def _in_processes(tasks: Sequence[Task], jobs: int, done: Done | None) -> list[SeedOutcome]:
    out = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for fut in as_completed([pool.submit(run_task, t) for t in tasks]):
            outcome = fut.result()
            if done:
                done(outcome)
            out.append(outcome)
    return out


def _on_dask(tasks: Sequence[Task], scheduler: Any, done: Done | None) -> list[SeedOutcome]:
    from distributed import Client
    from distributed import as_completed as dask_completed

    client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
    try:
        futures = client.map(run_task, list(tasks), pure=False)
        out = []
        for fut in dask_completed(futures):
            outcome = fut.result()
            if done:
                done(outcome)
            out.append(outcome)
        return out
    finally:
        if client is not scheduler:
            client.close()
