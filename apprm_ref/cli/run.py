"""``apprm backup SPEC`` (omnib) and ``apprm restore --session ID`` (omnir, instant recovery)."""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from apprm_ref.cli.app import emit_json, status_exit
from apprm_ref.cli.labdir import Lab, current_home, current_settings, open_lab
from apprm_ref.errors import ConfigError
from apprm_ref.front.views import session_dict
from apprm_ref.types import Severity


def _drive(lab: Lab, proc: Any, label: str, quiet: bool) -> Any:
    """Step the simulation until the session process ends, showing its latest message."""
    from apprm_ref.core.requests import drive

    console = Console(stderr=True)
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    ) as progress:
        task = progress.add_task(label, total=None)

        def step() -> None:
            if lab.logs is not None:
                lab.logs.check_aborts()  # apprm abort from another process
            running = list(lab.orchestrator.running.values())
            if running and running[-1].messages:
                progress.update(task, description=f"{label}: {running[-1].messages[-1].text}")

        return drive(lab.orchestrator, proc, label, step)


def _report(lab: Lab, session: Any, *, as_json: bool, monitor: bool, level: Severity) -> None:
    if as_json:
        emit_json(session_dict(lab, session, level=level))
        return
    if monitor:
        for m in session.messages_at_least(level):
            typer.echo(m.render(lab.when(m.at)))
            typer.echo("")
    typer.echo(f"Session {session.id} {session.status.value}.")


def _level(report: str) -> Severity:
    try:
        return Severity.parse(report)
    except ValueError:
        raise ConfigError(f"unknown report level {report!r}") from None


def backup(
    spec: str = typer.Argument(..., help="backup specification"),
    no_monitor: bool = typer.Option(False, "--no-monitor", help="print only the session ID"),
    report: str = typer.Option(
        None, "--report", help="lowest severity of messages shown (default: apprm.toml, normal)"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the session as JSON"),
) -> None:
    """Run a ZDB session now; exit 0 Completed, 1 with errors/failures, 2 Failed/Aborted."""
    level = _level(report or current_settings().report)
    with open_lab(current_home(), save=True) as lab:
        proc = lab.orchestrator.start_backup(spec)
        session = _drive(lab, proc, f"Backup {spec}", as_json or no_monitor)
        _report(lab, session, as_json=as_json, monitor=not no_monitor, level=level)
    raise typer.Exit(status_exit(session.status))


def restore(
    session_id: str = typer.Option(None, "--session", help="backup session ID or replica ID"),
    spec: str = typer.Option(
        None, "--spec", help="restore the newest replica of this spec that reaches the target"
    ),
    latest: bool = typer.Option(False, "--latest", help="recover to the latest point"),
    preview: bool = typer.Option(
        False, "--preview", help="say whether the restore can reach its target; change nothing"
    ),
    method: str = typer.Option(
        None,
        "--method",
        help="a restore method of the array's family (switch, copy-back, normal, quick)",
    ),
    keep_replica: bool = typer.Option(None, "--keep-replica/--no-keep-replica"),
    retain_source: bool = typer.Option(None, "--retain-source/--no-retain-source", help="XP"),
    until_scn: int = typer.Option(None, "--until-scn", min=0),
    until_time: str = typer.Option(None, "--until-time", help="YYYY-MM-DD HH:MM:SS (simulated)"),
    until_sequence: int = typer.Option(None, "--until-sequence", min=0),
    thread: int = typer.Option(None, "--thread", min=1, help="redo thread of --until-sequence"),
    now: bool = typer.Option(False, "--now", help="recover to the latest point (default)"),
    recover: bool = typer.Option(None, "--recover/--no-recover", help="run database recovery"),
    open_resetlogs: bool = typer.Option(None, "--open-resetlogs/--no-resetlogs"),
    keep_cf: bool = typer.Option(
        None, "--keep-current-cf-olf", help="keep current control files and online logs"
    ),
    component: list[str] = typer.Option(
        None, "--component", help="VSS: restore only this component (repeat)"
    ),
    recovery_group: str = typer.Option(
        None, "--recovery-group", help="Exchange 2007: restore into this recovery storage group"
    ),
    check_before_ir: bool = typer.Option(
        None, "--check-before-ir", help="Exchange: consistency check of the replica first"
    ),
    as_json: bool = typer.Option(False, "--json", help="print the session as JSON"),
) -> None:
    """Instant recovery from a replica; exit code from the restore session's status.
    ``--preview``: whether it would reach its target, and why not (exit 0/1)."""
    from apprm_ref.cli import restore_target as rt
    from apprm_ref.core import requests

    req = requests.RestoreRequest(
        session=session_id,
        spec=spec,
        latest=latest,
        method=method,
        keep_replica=keep_replica,
        retain_source=retain_source,
        until_scn=until_scn,
        until_time=until_time,
        until_sequence=until_sequence,
        thread=thread,
        now=now,
        recover=recover,
        open_resetlogs=open_resetlogs,
        keep_current_cf_olf=keep_cf,
        components=tuple(component) if component else None,
        recovery_group=recovery_group,
        check_before_ir=check_before_ir,
    )
    req.check(preview=preview)
    if preview:
        with open_lab(current_home()) as lab:
            rt.show(lab, requests.preview(lab.orchestrator, req), as_json=as_json)
    with open_lab(current_home(), save=True) as lab:
        ref, proc = requests.start_restore(lab.orchestrator, req)
        session = _drive(lab, proc, f"Restore {ref}", as_json)
        _report(lab, session, as_json=as_json, monitor=True, level=Severity.NORMAL)
    raise typer.Exit(status_exit(session.status))
