"""``apprm swarm``: many seeds of scenarios with random fault plans; failures shrunk.

Exit codes: 0 every seed held its safety and liveness checks, 1 some seed failed (each
failure shrunk to a scenario file), 2 bad input.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from apprm_ref.cli.app import EXIT_OK, EXIT_WARN, emit_json, new_app, table
from apprm_ref.errors import ConfigError

app = new_app("Swarm testing: seeds with random fault plans, safety then liveness checks.")

MAX_SEEDS = 100_000


def _tasks(scenarios: list[Path], seeds: int, first: int, faults: bool) -> list[Any]:
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.swarm.execute import Task

    if not 1 <= seeds <= MAX_SEEDS:
        raise ConfigError(f"--seeds must be between 1 and {MAX_SEEDS}, got {seeds}")
    for path in scenarios:
        load_scenario(path)  # a bad file is refused before anything runs
    return [Task(str(p), first + i, faults) for p in scenarios for i in range(seeds)]


@app.command("run")
def run(
    scenarios: list[Path] = typer.Argument(..., help="scenario files"),
    seeds: int = typer.Option(20, "--seeds", help="seeds per scenario"),
    first_seed: int = typer.Option(0, "--first-seed", min=0, help="the first seed"),
    jobs: int = typer.Option(1, "--jobs", min=1, max=256, help="local worker processes"),
    scheduler: str = typer.Option(None, "--scheduler", help="Dask scheduler address"),
    shrink_dir: Path = typer.Option(
        Path("swarm-failures"), "--shrink-dir", help="where shrunk failing scenarios go"
    ),
    no_faults: bool = typer.Option(False, "--no-faults", help="arm no fault (a baseline)"),
    no_shrink: bool = typer.Option(False, "--no-shrink", help="report failures unshrunk"),
    as_json: bool = typer.Option(False, "--json", help="print the outcome of every seed as JSON"),
) -> None:
    """Run every scenario under SEEDS seeds, each with its own fault plan."""
    from apprm_ref.swarm.execute import run_tasks

    tasks = _tasks(list(scenarios), seeds, first_seed, not no_faults)
    console = Console(stderr=True)
    with Progress(
        TextColumn("swarm"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"),
        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
    ) as progress:  # fmt: skip
        bar = progress.add_task("", total=len(tasks))
        failed = Counter[str]()

        def done(outcome: Any) -> None:
            if not outcome.passed:
                failed[outcome.first_broken] += 1
            progress.update(bar, advance=1, description=f"{sum(failed.values())} failed")

        outcomes = run_tasks(tasks, jobs=jobs, scheduler=scheduler, done=done)
    shrunk = [] if no_shrink else _shrink_all(outcomes, shrink_dir)
    if as_json:
        emit_json({"seeds": [o.to_dict() for o in outcomes], "shrunk": shrunk})
    else:
        _summary(outcomes, shrunk)
    raise typer.Exit(EXIT_WARN if any(not o.passed for o in outcomes) else EXIT_OK)


def _commit() -> str:
    """The commit the seeds ran at (a failure is scenario + seed + commit); "" outside git."""
    import subprocess

    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def _shrink_all(outcomes: list[Any], out_dir: Path) -> list[dict[str, Any]]:
    from apprm_ref.swarm.shrink import shrink

    done = []
    commit = _commit() if any(not o.passed for o in outcomes) else ""
    for o in outcomes:
        if not o.passed:
            r = shrink(o.scenario, o.seed, out_dir)
            done.append({"scenario": o.scenario, "seed": o.seed, "commit": commit, **r.__dict__})
    return done


def _summary(outcomes: list[Any], shrunk: list[dict[str, Any]]) -> None:
    rows = []
    for path in sorted({o.scenario for o in outcomes}):
        mine = [o for o in outcomes if o.scenario == path]
        broken = Counter(o.first_broken for o in mine if not o.passed)
        rows.append([
            path, len(mine), sum(o.passed for o in mine), len(mine) - sum(o.passed for o in mine),
            ", ".join(f"{k} {n}" for k, n in sorted(broken.items())) or "-",
        ])  # fmt: skip
    typer.echo(table(["Scenario", "Seeds", "Passed", "Failed", "First broken check"], rows))
    for s in shrunk:
        at = f" at {s['commit'][:12]}" if s["commit"] else ""
        typer.echo(
            f"seed {s['seed']} of {s['scenario']}{at}: {s['check']}; shrunk "
            f"{s['steps_before']} -> {s['steps_after']} steps: {s['path']}"
        )


@app.command("check")
def check(
    file: Path = typer.Argument(..., help="a scenario file (e.g. a shrunk failure)"),
    seed: int = typer.Option(None, "--seed", help="default: the file's own seed"),
    as_json: bool = typer.Option(False, "--json", help="print the outcome as JSON"),
) -> None:
    """Replay one file under the swarm's checks with no extra fault (faults it arms stay)."""
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.swarm.execute import Task, run_task

    scenario = load_scenario(file)
    outcome = run_task(Task(str(file), scenario.seed if seed is None else seed, faults=False))
    if as_json:
        emit_json(outcome.to_dict())
    else:
        for v in outcome.violations:
            typer.echo(f"{v.check} at {v.at:g}s ({v.where}): {v.detail}")
        typer.echo(f"{'passed' if outcome.passed else 'FAILED'}; trace sha256 {outcome.digest}")
    raise typer.Exit(EXIT_OK if outcome.passed else EXIT_WARN)
