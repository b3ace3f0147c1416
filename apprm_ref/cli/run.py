"""``apprm backup SPEC`` (omnib) and ``apprm restore --session ID`` (omnir, instant recovery)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from apprm_ref.cli.app import emit_json, status_exit
from apprm_ref.cli.labdir import Lab, current_home, current_settings, open_lab
from apprm_ref.cli.sessions import session_dict
from apprm_ref.errors import ConfigError, OrchestrationError
from apprm_ref.types import Severity


def _drive(lab: Lab, proc: Any, label: str, quiet: bool) -> Any:
    """Step the simulation until the session process ends, showing its latest message."""
    import simpy

    env = lab.world.env
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
        while proc.is_alive:
            try:
                env.step()
            except simpy.core.EmptySchedule:
                raise OrchestrationError(
                    f"{label}: the session stalled (nothing left to wait for)"
                ) from None
            if lab.logs is not None:
                lab.logs.check_aborts()  # apprm abort from another process
            running = list(lab.orchestrator.running.values())
            if running and running[-1].messages:
                progress.update(task, description=f"{label}: {running[-1].messages[-1].text}")
    if not proc.ok:  # the orchestrator ends every session; an error here is never a result
        proc.defused = True
        raise OrchestrationError(f"{label}: the session process failed: {proc.value}")
    return proc.value


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


def _until_time(lab: Lab, text: str, *, future: bool = False) -> float:
    """The recovery target in simulated seconds; a time after now cannot be reached
    (``future``: a preview says so in its verdict instead)."""
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ConfigError(
                f"--until-time: not a time: {text!r} (YYYY-MM-DD HH:MM:SS or simulated seconds)"
            ) from None
        seconds = lab.world.clock.seconds_of(when)
    if seconds > lab.world.now() and not future:
        raise ConfigError(
            f"--until-time {text} is in the future (simulated now is "
            f"{lab.stamp(lab.world.now())}): no redo exists yet to recover to it"
        )
    return seconds


def _recovery(
    lab: Lab,
    ref: str,
    *,
    scn: int | None,
    time: str | None,
    sequence: int | None,
    now: bool,
    **rest: Any,
) -> Any:
    """The application half of the restore, in the options model of the spec's kind."""
    from apprm_ref.core.integrations.base import recovery_options_for

    chosen = [
        n
        for n, v in (("--until-scn", scn), ("--until-time", time), ("--until-sequence", sequence))
        if v is not None
    ]
    if now:
        chosen.append("--now")
    if len(chosen) > 1:
        raise ConfigError(f"choose one recovery target, not {' and '.join(chosen)}")
    kw: dict[str, Any] = {k: v for k, v in rest.items() if v is not None}
    if scn is not None:
        kw.update(until="scn", scn=scn)
    elif time is not None:
        kw.update(until="time", time=_until_time(lab, time))
    elif sequence is not None:
        kw.update(until="sequence", sequence=sequence)
    spec = lab.orchestrator.repo.get_spec(lab.orchestrator.find_replica(ref).spec)
    return recovery_options_for(spec.type, kw)


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
    from apprm_ref.core.replication.base import restore_options_for
    from apprm_ref.drivers import registry

    registry.check_restore_method(method, field="--method")
    if thread is not None and until_sequence is None:
        raise ConfigError("--thread goes with --until-sequence")
    if (session_id is None) == (spec is None):
        raise ConfigError("name the replica with --session or choose it with --spec, not both")
    if until_sequence is not None and (spec is not None or preview):
        raise ConfigError("--until-sequence cannot be previewed or chosen by; use --until-scn")
    if spec is not None and not (latest or until_scn is not None or until_time is not None):
        raise ConfigError("--spec needs a target: --latest, --until-time or --until-scn")
    if preview:
        with open_lab(current_home()) as lab:
            seconds = None if until_time is None else _until_time(lab, until_time, future=True)
            target = rt.target_of(until_scn, seconds)
            rt.show(
                lab, rt.verdict(lab, session=session_id, spec=spec, target=target), as_json=as_json
            )
    arr_kw = {"method": method, "keep_replica": keep_replica, "retain_source": retain_source}
    with open_lab(current_home(), save=True) as lab:
        if spec is not None:
            seconds = None if until_time is None else _until_time(lab, until_time)
            session_id = rt.chosen(lab, spec, rt.target_of(until_scn, seconds))
        app_opts = _recovery(
            lab,
            session_id,
            scn=until_scn,
            time=until_time,
            sequence=until_sequence,
            now=now or latest,
            thread=thread,
            recover=recover,
            open_resetlogs=open_resetlogs,
            keep_current_cf_olf=keep_cf,
            components=tuple(component) if component else None,
            recovery_group=recovery_group,
            check_before_ir=check_before_ir,
        )
        array = lab.orchestrator.drivers.array(lab.orchestrator.find_replica(session_id).array)
        array_opts = restore_options_for(array, {k: v for k, v in arr_kw.items() if v is not None})
        proc = lab.orchestrator.start_restore(session_id, array_opts, app_opts)
        session = _drive(lab, proc, f"Restore {session_id}", as_json)
        _report(lab, session, as_json=as_json, monitor=True, level=Severity.NORMAL)
    raise typer.Exit(status_exit(session.status))
