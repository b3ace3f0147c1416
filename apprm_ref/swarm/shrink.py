"""Shrink a failing seed to a smaller scenario file that still fails (REL-P2).

The failing seed's fault plan is written into the file as ``fault:`` steps at 0s and every
step time is made absolute, so the file stands alone: ``apprm swarm check FILE`` (or a
swarm of one seed with faults off) replays it. Then the timeline is reduced by delta
debugging (Zeller's ddmin): drop chunks of steps, then single steps, keeping a candidate
only if it still loads and still breaks the same check first. The result is replayed twice
and must give one digest.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from apprm_ref.errors import ApprmError
from apprm_ref.swarm.execute import Task, run_task
from apprm_ref.swarm.plan import draw_plan

MAX_RUNS = 200  # candidate drills one shrink may run


@dataclass(frozen=True)
class ShrinkResult:
    path: str
    check: str
    steps_before: int
    steps_after: int
    digest: str
    runs: int


def standalone(scenario_path: str, seed: int) -> dict[str, Any]:
    """The scenario with the seed's plan as steps and absolute step times."""
    from apprm_ref.drill.loader import load_scenario

    doc = yaml.safe_load(Path(scenario_path).read_text())
    times = load_scenario(scenario_path).step_times()
    steps = []
    for step, at in zip(doc.get("timeline") or [], times, strict=True):
        steps.append({**step, "at": f"{at:g}s"})
    faults = [{"at": "0s", "fault": a.to_step()} for a in draw_plan(seed).armed]
    doc.update(seed=seed, timeline=faults + steps, expect=[])
    doc["name"] = f"{doc.get('name', 'scenario')}-seed{seed}"
    return doc


def shrink(scenario_path: str, seed: int, out_dir: Path) -> ShrinkResult:
    doc = standalone(scenario_path, seed)
    work = Path(tempfile.mkdtemp(prefix="apprm-shrink-"))
    runs = 0

    def verdict(steps: list[Any]) -> str | None:
        nonlocal runs
        runs += 1
        path = work / f"candidate{runs}.yaml"
        path.write_text(yaml.safe_dump({**doc, "timeline": steps}, sort_keys=False))
        try:
            return run_task(Task(str(path), seed, faults=False)).first_broken
        except ApprmError:  # no longer a valid scenario (a removed mark, a bad reference)
            return None

    check = verdict(doc["timeline"])
    if check is None:
        raise ApprmError(f"seed {seed} of {scenario_path} does not fail as a standalone file")
    steps = ddmin(doc["timeline"], lambda c: runs < MAX_RUNS and verdict(c) == check)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / f"{Path(scenario_path).stem}-seed{seed}-shrunk.yaml"
    out.write_text(yaml.safe_dump({**doc, "timeline": steps}, sort_keys=False))
    first, second = (run_task(Task(str(out), seed, faults=False)) for _ in range(2))
    if first.digest != second.digest or first.first_broken != check:
        raise ApprmError(f"shrunk file {out} does not replay to one failing digest")
    return ShrinkResult(str(out), check, len(doc["timeline"]), len(steps), first.digest, runs)


def ddmin(items: list[Any], fails: Callable[[list[Any]], bool]) -> list[Any]:
    """A 1-minimal sublist of ``items`` that still ``fails`` (order kept)."""
    n = 2
    while len(items) >= 2:
        size = max(1, len(items) // n)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        for i in range(len(chunks)):
            rest = [x for j, c in enumerate(chunks) if j != i for x in c]
            if rest and fails(rest):
                items, n = rest, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    return items
