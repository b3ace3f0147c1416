"""What a user reads after a drill: rich tables of sessions, replicas, restores (RTO/RPO in
simulated time), every expectation with its observed value, and the trace digest."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from apprm_ref.drill.result import DrillResult
from apprm_ref.drill.timeparse import format_at, short_at, short_duration

STATUS_STYLE = {"Completed": "green", "Failed": "red", "Aborted": "magenta"}


def _t(v: float | None) -> str:
    return "-" if v is None else short_at(v)


def _dur(v: float | None) -> str:
    return "-" if v is None else short_duration(v)


def _table(title: str, columns: tuple[str, ...], nowrap: int) -> Table:
    """The first ``nowrap`` columns (ids) are never folded."""
    t = Table(title=title, title_justify="left")
    for i, col in enumerate(columns):
        t.add_column(col, no_wrap=i < nowrap)
    return t


MAX_ROWS, HEAD, TAIL = 20, 5, 10  # long drills: first and last rows, the rest elided


def _shown(items: list, width: int) -> list:  # type: ignore[type-arg]
    """Rows to print; an elided middle becomes one row of ``...``."""
    if len(items) <= MAX_ROWS:
        return items
    gap = [f"... {len(items) - HEAD - TAIL} more", *[""] * (width - 1)]
    return [*items[:HEAD], gap, *items[-TAIL:]]


def _sessions(result: DrillResult, console: Console) -> None:
    cols = ("session", "type", "spec", "status", "started", "finished", "replica")
    t = _table("Sessions", cols, 1)
    for s in _shown(result.sessions, len(cols)):
        if isinstance(s, list):
            t.add_row(*s)
            continue
        style = STATUS_STYLE.get(s.status, "yellow")
        status = f"[{style}]{s.status}[/{style}]"
        t.add_row(s.id, s.type, s.spec, status, _t(s.started), _t(s.finished), s.replica or "-")
    console.print(t)


def _replicas(result: DrillResult, console: Console) -> None:
    cols = ("replica", "spec", "session", "type", "status", "created", "left set")
    t = _table("Replicas", cols, 1)
    for r in _shown(result.replicas, len(cols)):
        if isinstance(r, list):
            t.add_row(*r)
            continue
        t.add_row(r.id, r.spec, r.session, r.type, r.status, _t(r.created), _t(r.removed))
    console.print(t)


def _restores(result: DrillResult, console: Console) -> None:
    cols = ("replica", "method", "status", "failure", "recovered to", "RTO", "RPO")
    t = _table("Restores (simulated time)", cols, 1)
    for r in result.restores:
        t.add_row(
            r.replica, r.method, r.status, _t(r.failure_at), _t(r.recovered_to),
            _dur(r.rto), _dur(r.rpo),
        )  # fmt: skip
    console.print(t)


def print_summary(result: DrillResult, console: Console | None = None) -> None:
    console = console or Console()
    # names come from the file: printed as text (no markup, no highlighting, whose regexes
    # take quadratic time on a long name)
    console.print(
        f"[bold]Drill {escape(result.scenario)}[/bold]  seed {result.seed}  "
        f"simulated {format_at(result.duration)}  ({escape(result.path)})",
        highlight=False,
    )
    if result.sessions:
        _sessions(result, console)
    if result.replicas:
        _replicas(result, console)
    if result.restores:
        _restores(result, console)
    _expectations(result, console)
    verdict = "[bold green]PASSED[/bold green]" if result.passed else "[bold red]FAILED[/bold red]"
    n, bad = len(result.expectations), len(result.failed)
    console.print(f"{verdict}  {n - bad}/{n} expectations hold   trace sha256 {result.digest}")


def _expectations(result: DrillResult, console: Console) -> None:
    t = Table(title="Expectations", title_justify="left")
    for col in ("", "expectation", "expected", "observed"):
        t.add_column(col, overflow="fold")
    for e in result.expectations:
        mark = "[green]pass[/green]" if e.passed else "[red]FAIL[/red]"
        t.add_row(mark, escape(e.name), escape(e.expected), escape(e.observed))
    console.print(t)


@contextmanager
def progress_bar(console: Console, label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A transient progress bar on a terminal; a no-op callback elsewhere (CI logs)."""
    if not console.is_terminal:
        yield lambda _done, _total, _kind: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int, kind: str) -> None:
            bar.update(task, completed=done, total=total, description=f"{label}: {kind}")

        yield update
