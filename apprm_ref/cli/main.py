"""The ``apprm`` command: mirrors the product's commands over a persistent simulated lab.

Command groups live in one module each; optional groups owned by other parts of the
project (``drill``, ``conformance``, integrations) are mounted only when they import.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import typer

from apprm_ref.cli import abort, idb, lab, replicas, run, serve, sessions, spec
from apprm_ref.cli.app import ApprmGroup, set_indent
from apprm_ref.cli.labdir import select_home
from apprm_ref.lab.lock import DEFAULT_WAIT, MAX_WAIT

app = typer.Typer(
    cls=ApprmGroup,
    help="apprm: zero downtime backup and instant recovery on simulated EVA/XP arrays.",
    no_args_is_help=True,
    add_completion=True,  # --install-completion / --show-completion SHELL
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"apprm-ref {version('apprm-ref')}")
        raise typer.Exit(0)


@app.callback()
def root(
    home: Path = typer.Option(
        None, "--home", help="lab directory (default: $APPRM_HOME or ./.apprm)"
    ),
    wait: float = typer.Option(
        None,
        "--wait",
        min=0,
        max=MAX_WAIT,
        help=f"seconds a command that changes the lab waits for another one holding it "
        f"(default {DEFAULT_WAIT:g}, or apprm.toml's wait)",
    ),
    _show_version: bool = typer.Option(
        False, "--version", is_eager=True, callback=_version, help="print the version and exit"
    ),
) -> None:
    """Keep the chosen lab directory and lock wait for the subcommand."""
    settings = select_home(home, wait)
    set_indent(settings.json_indent)


app.add_typer(lab.app, name="lab")
app.add_typer(spec.app, name="spec")
app.add_typer(sessions.app, name="sessions")
app.add_typer(replicas.app, name="replicas")
app.add_typer(idb.app, name="idb")
app.command("backup")(run.backup)
app.command("restore")(run.restore)
app.command("stat")(sessions.stat)
app.command("abort")(abort.abort)
app.command("serve")(serve.serve)

# name -> module: sub-apps mounted when their module imports and exposes ``app``
OPTIONAL = {
    "drill": "apprm_ref.cli.drill",
    "conformance": "apprm_ref.cli.conformance",
    "fidelity": "apprm_ref.cli.fidelity",
    "swarm": "apprm_ref.cli.swarm",
    "whatif": "apprm_ref.cli.whatif",
}


def _mount_optional() -> None:
    for name, module in OPTIONAL.items():
        try:
            sub = importlib.import_module(module).app
        except Exception:  # noqa: BLE001 - a broken optional group must not break apprm
            continue
        app.add_typer(sub, name=name)


def _mount_kinds() -> None:
    """The command group a registered kind brings (``apprm oracle`` ...), under its name."""
    from apprm_ref.drivers import registry
    from apprm_ref.errors import ConfigError

    try:
        groups = registry.cli_groups()
    except ConfigError:  # a broken kind is reported by the command that needs it
        return
    for name, sub in groups:
        app.add_typer(sub, name=name)


_mount_optional()
_mount_kinds()


def main() -> None:
    """Console-script entry point: errors become one line and exit 2 (see ApprmGroup)."""
    app()
