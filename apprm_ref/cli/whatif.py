"""``apprm whatif ESTATE.yaml [--days 365] [--json] [--report r.html]``: plan a year.

Runs the estate's specs and schedules on the simulators for ``--days`` simulated days
(see :mod:`apprm_ref.whatif`) and reports capacity over time, snapshot and MU slots,
queued and overlapping sessions, the RPO each spec achieved and what rotation kept.
Exit codes: 0 every session completed, 1 some did not, 2 bad input.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from apprm_ref.cli.app import EXIT_OK, EXIT_WARN, emit_json, new_app

app = new_app(
    "What-if planning: a year of an estate's schedules on the simulators.",
    context_settings={"allow_interspersed_args": True},  # options after ESTATE, as commands
)


@app.callback(invoke_without_command=True)
def whatif(
    estate: Path = typer.Argument(..., help="estate, specs and workloads (YAML)"),
    days: int = typer.Option(365, "--days", help="simulated days (1-3660)"),
    as_json: bool = typer.Option(False, "--json", help="print the findings as JSON"),
    report: Path = typer.Option(None, "--report", help="write an HTML report to this file"),
) -> None:
    """Simulate DAYS days of ESTATE's specs and schedules and report what they did."""
    from apprm_ref.whatif.analyse import analyse
    from apprm_ref.whatif.plan import check_days, load_plan
    from apprm_ref.whatif.report import html_report, text, to_json
    from apprm_ref.whatif.run import run_plan

    plan = load_plan(estate)
    check_days(days)
    console = Console(stderr=True)
    with Progress(
        TextColumn("whatif"), BarColumn(), MofNCompleteColumn(), TextColumn("days"),
        TimeElapsedColumn(), console=console, transient=True, disable=not console.is_terminal,
    ) as progress:  # fmt: skip
        bar = progress.add_task("", total=days)
        year = run_plan(plan, days, lambda day, _total: progress.update(bar, completed=day))
    findings = analyse(year)
    doc = to_json(year, findings)
    if report is not None:
        report.write_text(html_report(doc, year))
    if as_json:
        emit_json(doc)
    else:
        typer.echo("\n".join(text(doc)))
    ok = findings.summary["statuses"].keys() <= {"Completed"}
    raise typer.Exit(EXIT_OK if ok else EXIT_WARN)
