"""``apprm conformance run --driver NAME``: the driver conformance suite from the command line.

Reports pass/skip/fail per check with the check's id and description; ``--observe-only``
judges through the driver alone (no ground-truth backdoor), as on real equipment.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from apprm_ref.cli.app import emit_json

app = typer.Typer(help="Run the driver conformance suite against a driver.", no_args_is_help=True)

STYLE = {"pass": "green", "fail": "red", "skip": "yellow"}


def _subject(name: str, seed: int) -> Any:
    """The subject the registered kind declares for driver ``name`` (built-ins point at
    :mod:`apprm_ref.conformance.subjects`; a plug-in kind brings its own)."""
    from apprm_ref.conformance.subjects import CONFORMANCE_ONLY, SUBJECTS
    from apprm_ref.drivers import registry

    if name in CONFORMANCE_ONLY:  # a stack of a registered driver, no driver of its own
        return SUBJECTS[name](seed)
    return registry.subject(name, seed)


def _check_id(kind: str, wanted: str | None) -> str | None:
    """A check id, or an original case name (``snapshot_limit_per_source``)."""
    from apprm_ref.conformance.runner import checks_for

    if wanted is None or wanted in {c.id for c in checks_for(kind)}:
        return wanted
    return f"case.{wanted}"


def report(name: str, subject: Any, results: list[Any], observe_only: bool) -> dict[str, Any]:
    from apprm_ref.conformance.runner import note

    counts = {o: sum(1 for r in results if r.outcome == o) for o in ("pass", "skip", "fail")}
    return {
        "driver": name,
        "family": subject.family,
        "observe_only": observe_only,
        "total": len(results),
        "counts": counts,
        "note": note(subject.family),
        "checks": [r.__dict__ for r in results],
    }


def _table(rep: dict[str, Any]) -> None:
    mode = ", observe-only" if rep["observe_only"] else ""
    table = Table(title=f"conformance: {rep['driver']} ({rep['family']}{mode})")
    for col in ("check", "outcome", "description / detail"):
        table.add_column(col)
    for r in rep["checks"]:
        style = STYLE[r["outcome"]]
        text = r["description"] + (f"\n{r['detail']}" if r["detail"] else "")
        table.add_row(r["id"], f"[{style}]{r['outcome']}[/{style}]", text)
    console = Console()
    console.print(table)
    c = rep["counts"]
    console.print(f"{c['pass']} passed, {c['fail']} failed, {c['skip']} skipped")
    if rep["note"]:
        console.print(f"note: {rep['note']}")


@app.command("run")
def run(
    driver: str = typer.Option(..., "--driver", help="registered driver name, e.g. sim-eva"),
    check: str | None = typer.Option(None, "--check", "--case", help="run one check only"),
    observe_only: bool = typer.Option(
        False, "--observe-only", help="judge through the driver alone (no backdoor)"
    ),
    seed: int = typer.Option(0, "--seed"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    from apprm_ref.conformance.runner import run as run_suite

    subject = _subject(driver, seed)
    only = _check_id(subject.family, check)
    results = run_suite(subject, observe_only=observe_only, only=only)
    rep = report(driver, subject, results, observe_only)
    if as_json:
        emit_json(rep)
    else:
        _table(rep)
    raise typer.Exit(2 if rep["counts"]["fail"] else 0)


@app.command("list")
def list_checks(
    driver: str = typer.Option(..., "--driver", help="registered driver name"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The checks that apply to a driver's family, with what each needs."""
    from apprm_ref.conformance.runner import checks_for

    subject = _subject(driver, 0)
    rows = [
        {
            "id": c.id,
            "description": c.description,
            "requires": list(c.requires),
            "backdoor": c.backdoor,
        }
        for c in checks_for(subject.family)
    ]
    if as_json:
        emit_json(rows, key="checks")
        return
    for r in rows:
        needs = ", ".join(r["requires"]) + (" +backdoor" if r["backdoor"] else "")
        print(f"{r['id']:<50} {r['description']}" + (f"  [{needs}]" if needs else ""))
