"""``apprm conformance run --driver NAME``: the driver conformance suite from the command line."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

from apprm_ref.cli.app import emit_json
from apprm_ref.conformance.harness import run_suite

app = typer.Typer(help="Run the driver conformance suite against a driver.", no_args_is_help=True)


def _subject(name: str, seed: int):  # type: ignore[no-untyped-def]
    """The (driver, backdoor) the registered kind declares for driver ``name``."""
    from apprm_ref.drivers import registry

    return registry.subject(name, seed)


@app.command("run")
def run(
    driver: str = typer.Option(..., "--driver", help="registered driver name, e.g. sim-eva"),
    case: str | None = typer.Option(None, "--case", help="run one case only"),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    drv, backdoor = _subject(driver, seed)
    results = run_suite(drv, backdoor, only=case)
    failed = [r for r in results if r.outcome == "failed"]
    if as_json:
        emit_json([dict(r.__dict__) for r in results], key="results")
    else:
        table = Table(title=f"conformance: {driver} ({drv.capabilities().kind})")
        for col in ("case", "outcome", "detail"):
            table.add_column(col)
        for r in results:
            style = {"passed": "green", "failed": "red", "skipped": "yellow"}[r.outcome]
            table.add_row(r.name, f"[{style}]{r.outcome}[/{style}]", r.detail)
        Console().print(table)
        counts = {
            o: sum(1 for r in results if r.outcome == o) for o in ("passed", "failed", "skipped")
        }
        Console().print(
            f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
        )
    raise typer.Exit(2 if failed else 0)
