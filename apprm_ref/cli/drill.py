"""``apprm drill``: run a scenario, replay a trace, print the scenario JSON Schema, list scenarios.

Exit codes: 0 every expectation holds (replay: identical), 1 an expectation failed (replay:
a difference), 2 bad input (one line naming file:line and field).
"""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console

from apprm_ref.cli.app import emit_json
from apprm_ref.errors import ApprmError

app = typer.Typer(
    help="Scenario files and replayable disaster-recovery drills on simulated time.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_FAILED, EXIT_BAD = 0, 1, 2


def _bad(exc: ApprmError) -> typer.Exit:
    typer.echo("apprm: error: " + " ".join(str(exc).split()), err=True)
    return typer.Exit(EXIT_BAD)


@app.command("run")
def run(
    file: Path = typer.Argument(..., help="scenario YAML file"),
    seed: int = typer.Option(None, "--seed", help="override the scenario's seed"),
    trace: Path = typer.Option(None, "--trace", help="write the canonical JSONL trace here"),
    report: Path = typer.Option(None, "--report", help="write a self-contained HTML report"),
    junit: Path = typer.Option(
        None, "--junit", help="write JUnit XML, one testcase per expectation"
    ),
    idb: str = typer.Option(None, "--idb", help="IDB URL (default: in memory)"),
) -> None:
    """Run a drill; exit 0 only if every expectation holds."""
    from apprm_ref.drill.junit import write_junit
    from apprm_ref.drill.report import write_report
    from apprm_ref.drill.runner import run_file
    from apprm_ref.drill.summary import print_summary, progress_bar

    console = Console()
    if not console.is_terminal:  # CI logs: wide enough that tables do not fold
        console = Console(width=120)
    try:
        with progress_bar(console, file.name) as progress:
            result = run_file(file, seed=seed, idb=idb, progress=progress)
    except ApprmError as exc:
        raise _bad(exc) from None
    assert result.trace is not None
    if trace:
        result.trace.write(trace)
    if report:
        write_report(result, report)
    if junit:
        write_junit(result, junit)
    print_summary(result, console)
    for path, what in ((trace, "trace"), (report, "report"), (junit, "JUnit")):
        if path:
            console.print(f"{what}: {path}")
    raise typer.Exit(EXIT_OK if result.passed else EXIT_FAILED)


@app.command("replay")
def replay_cmd(
    trace: Path = typer.Argument(..., help="a trace written by drill run --trace"),
) -> None:
    """Re-run the scenario a trace names with its seed; fail on the first differing event."""
    from apprm_ref.drill.replay import replay

    try:
        outcome = replay(trace)
    except ApprmError as exc:
        raise _bad(exc) from None
    if outcome.same:
        typer.echo(
            f"replay identical: {len(outcome.result.trace.lines)} events, sha256 {outcome.recorded_digest}"
        )  # type: ignore[union-attr]
        raise typer.Exit(EXIT_OK)
    assert outcome.difference is not None
    typer.echo(f"replay differs: {outcome.difference.describe()}")
    typer.echo(f"recorded sha256 {outcome.recorded_digest}, replay sha256 {outcome.result.digest}")
    raise typer.Exit(EXIT_FAILED)


@app.command("schema")
def schema_cmd() -> None:
    """Print the JSON Schema of scenario files (version 1)."""
    from apprm_ref.drill.schema import Scenario

    typer.echo(json.dumps(Scenario.model_json_schema(), indent=2, sort_keys=True))


@app.command("list")
def list_cmd(
    directory: Path = typer.Argument(Path("scenarios"), help="directory of scenario files"),
    as_json: bool = typer.Option(False, "--json", help="JSON output"),
) -> None:
    """Scenario files under DIR with their names and descriptions."""
    from apprm_ref.drill.loader import load_scenario

    if not directory.is_dir():
        typer.echo(f"apprm: error: {directory}: not a directory", err=True)
        raise typer.Exit(EXIT_BAD)
    rows = []
    for path in sorted(directory.rglob("*.yaml")):
        try:
            sc = load_scenario(path)
            rows.append({"path": str(path), "name": sc.name, "description": sc.description.strip(),
                         "steps": len(sc.timeline), "expectations": len(sc.expect), "error": None})  # fmt: skip
        except ApprmError as exc:
            rows.append({"path": str(path), "name": None, "description": "", "steps": 0, "expectations": 0, "error": str(exc)})  # fmt: skip
    invalid = any(r["error"] for r in rows)
    if as_json:
        emit_json(rows, key="scenarios")
        raise typer.Exit(EXIT_BAD if invalid else EXIT_OK)
    for r in rows:
        if r["error"]:
            typer.echo(f"{r['path']}: INVALID: {r['error']}")
        else:
            first = _first_sentence(r["description"])
            typer.echo(
                f"{r['path']}: {r['name']} ({r['steps']} steps, {r['expectations']} expectations) {first}"
            )
    raise typer.Exit(EXIT_BAD if invalid else EXIT_OK)


def _first_sentence(text: str, width: int = 110) -> str:
    flat = " ".join(text.split())
    cut = flat.find(". ")
    first = flat if cut < 0 else flat[: cut + 1]
    return first if len(first) <= width else first[: width - 3].rstrip() + "..."
