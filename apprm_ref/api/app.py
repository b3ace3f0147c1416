"""The ASGI application of ``apprm serve``: the REST API under ``/api`` (OpenAPI at
``/api/openapi.json``, browsable at ``/api/docs``) and the web console at ``/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from apprm_ref.api import drills, lab, sessions
from apprm_ref.api.auth import tokens_for
from apprm_ref.api.deps import HANDLERS, Server

DEFAULT_SCENARIOS = Path("scenarios")
ROUTERS = (sessions.router, lab.read, lab.write, drills.read, drills.write)


def create_app(home: Path, *, scenarios: Path = DEFAULT_SCENARIOS) -> FastAPI:
    """The API and console of the lab at ``home`` (its tokens in ``<home>/api-tokens.json``)."""
    from importlib.metadata import version

    app = FastAPI(
        title="apprm-ref",
        version=version("apprm-ref"),
        description="Zero downtime backup and instant recovery of a simulated lab.",
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.server = Server(home, tokens_for(home), scenarios)
    for exc, handler in HANDLERS:
        app.add_exception_handler(exc, handler)
    for router in ROUTERS:
        app.include_router(router)
    from apprm_ref.console.pages import mount

    mount(app)
    return app
