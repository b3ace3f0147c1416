"""``apprm serve``: the REST API and web console of a lab, on uvicorn.

The first start of a lab makes one operator and one viewer token and prints them once
(only their digests are kept, ``<lab>/api-tokens.json``); ``--new-token ROLE`` adds one.
"""

from __future__ import annotations

from pathlib import Path

import typer

from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.errors import ConfigError


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="address to listen on"),
    port: int = typer.Option(8080, "--port", min=0, max=65535, help="TCP port (0: any free)"),
    scenarios: Path = typer.Option(
        Path("scenarios"), "--scenarios", help="directory of the drills the API may run"
    ),
    new_token: str = typer.Option(
        None, "--new-token", help="print a new token for ROLE (operator or viewer) and exit"
    ),
) -> None:
    """Serve the REST API (/api, OpenAPI at /api/openapi.json) and the web console (/)."""
    from apprm_ref.api.auth import Role, tokens_for

    home = current_home()
    with open_lab(home):  # no lab here is refused before anything listens
        pass
    store = tokens_for(home)
    if new_token is not None:
        try:
            role = Role(new_token)
        except ValueError:
            raise ConfigError(f"--new-token: {new_token!r} is not operator or viewer") from None
        typer.echo(f"{role.value} token: {store.issue(role)}")
        return
    if store.empty():
        for role in (Role.OPERATOR, Role.VIEWER):
            typer.echo(f"{role.value} token: {store.issue(role)}")
    _run(home, host, port, scenarios)


def _run(home: Path, host: str, port: int, scenarios: Path) -> None:
    import uvicorn

    from apprm_ref.api.app import create_app

    app = create_app(home, scenarios=scenarios)
    typer.echo(f"Console of lab {home} at http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        app.state.server.jobs.join()
