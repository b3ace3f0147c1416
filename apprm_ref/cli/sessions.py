"""``apprm stat`` (omnistat) and ``apprm sessions list/show`` (omnidb -session)."""

from __future__ import annotations

from typing import Any

import typer

from apprm_ref.cli import sessions_log
from apprm_ref.cli.app import emit_json, new_app, table
from apprm_ref.cli.labdir import Lab, current_home, current_settings, open_lab
from apprm_ref.errors import ConfigError
from apprm_ref.front.views import session_dict
from apprm_ref.types import Severity

app = new_app("Past and running sessions, with their messages (omnidb -session).")
app.command("log")(sessions_log.log)

IDLE = "No currently running sessions."
USER = "apprm.apprm@cellmanager"  # User.Group@Host column: the lab has a single user


def detail_block(lab: Lab, s: Any) -> str:
    """``key : value`` lines as ``omnistat -detail`` prints them."""
    pairs = [
        ("SessionID", s.id),
        ("Session type", s.type.value),
        ("Session status", s.status.value),
        ("User.Group@Host", USER),
        ("Session started", lab.stamp(s.started)),
        ("Backup Specification", s.spec),
    ]
    if s.finished is not None:
        pairs.append(("Session finished", lab.stamp(s.finished)))
    if s.replica_id:
        pairs.append(("Replica", s.replica_id))
    if s.restored_from:
        pairs.append(("Restored from", s.restored_from))
    width = max(len(k) for k, _ in pairs)
    return "\n".join(f"{k.ljust(width)} : {v}" for k, v in pairs)


def _rows(sessions: list[Any]) -> str:
    return table(
        ["SessionID", "Type", "Status", "User.Group@Host", "Specification"],
        [[s.id, s.type.value, s.status.value, USER, s.spec] for s in sessions],
    )


def stat(
    detail: bool = typer.Option(False, "--detail", help="key : value blocks per session"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Running sessions (omnistat); prints 'No currently running sessions.' when idle."""
    with open_lab(current_home()) as lab:
        running = lab.repo.list_sessions(running=True)
        if as_json:
            emit_json([session_dict(lab, s) for s in running], key="sessions")
            return
        if not running:
            typer.echo(IDLE)
        elif detail:
            typer.echo("\n\n".join(detail_block(lab, s) for s in running))
        else:
            typer.echo(_rows(running))


@app.command("list")
def list_(
    spec: str = typer.Option(None, "--spec", help="only sessions of this specification"),
    last: int = typer.Option(None, "--last", min=1, help="only the newest N sessions"),
    type_: str = typer.Option(None, "--type", help="backup | restore"),
    as_json: bool = typer.Option(False, "--json", help="print JSON (without messages)"),
) -> None:
    """Sessions recorded in the IDB, oldest first."""
    kinds = {"backup": "Backup", "restore": "Restore"}
    if type_ is not None and type_.lower() not in kinds:
        raise ConfigError(f"--type: {type_!r} is not backup or restore")
    kind = kinds[type_.lower()] if type_ else None
    with open_lab(current_home()) as lab:
        sessions = lab.repo.list_sessions(spec=spec, limit=last, type=kind)
        if as_json:
            out = []
            for s in sessions:
                d = session_dict(lab, s)
                d.pop("messages")
                out.append(d)
            emit_json(out, key="sessions")
            return
    if not sessions:
        typer.echo("No sessions.")
    else:
        typer.echo(_rows(sessions))


@app.command("show")
def show(
    session_id: str = typer.Argument(..., metavar="ID"),
    report: str = typer.Option(
        None,
        "--report",
        help="lowest severity shown: normal|warning|minor|major|critical (default: apprm.toml)",
    ),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """One session: its details, objects and messages in the product's layout."""
    report = report or current_settings().report
    try:
        level = Severity.parse(report)
    except ValueError:
        raise ConfigError(
            f"unknown report level {report!r} (normal, warning, minor, major, critical)"
        ) from None
    with open_lab(current_home()) as lab:
        s = lab.repo.get_session(session_id)
        if as_json:
            emit_json(session_dict(lab, s, level=level))
            return
        typer.echo(detail_block(lab, s))
        if s.objects:
            typer.echo("")
            typer.echo(
                table(
                    ["Object", "Type", "Status", "Detail"],
                    [[o.name, o.kind, o.status, o.detail] for o in s.objects],
                )
            )
        for m in s.messages_at_least(level):
            typer.echo("")
            typer.echo(m.render(lab.when(m.at)))
