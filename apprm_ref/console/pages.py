"""Console pages: server-rendered from the same documents the API sends, with a little
vanilla JavaScript (``static/console.js``) for live sessions and the restore wizard.

A page needs a token like the API (the ``apprm_token`` cookie the login page sets,
``SameSite=Strict`` and ``HttpOnly``); without one it redirects to the login page. The
buttons call the API, so a viewer sees every page and is refused every change there.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from apprm_ref.api import drills
from apprm_ref.api.auth import COOKIE, Role
from apprm_ref.api.deps import server, token_of
from apprm_ref.api.sessions import current
from apprm_ref.api.views import replicas_doc, session_doc, spec_row
from apprm_ref.drivers import registry
from apprm_ref.errors import NotFoundError
from apprm_ref.front.lab import open_lab

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
router = APIRouter(include_in_schema=False)


def _who(request: Request) -> Role | None:
    return server(request).tokens.role_of(token_of(request))


def _page(request: Request, name: str, **context: Any) -> Response:
    who = _who(request)
    if who is None:
        return RedirectResponse("/login", status_code=303)
    context.update(role=who.value, operator=who.may_write(), page=name)
    return templates.TemplateResponse(request, f"{name}.html", context)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, failed: bool = False) -> Response:
    return templates.TemplateResponse(request, "login.html", {"failed": failed, "page": "login"})


@router.post("/login")
def login(request: Request, token: str = Form(...)) -> Response:
    if server(request).tokens.role_of(token) is None:
        return RedirectResponse("/login?failed=1", status_code=303)
    out = RedirectResponse("/", status_code=303)
    out.set_cookie(COOKIE, token, httponly=True, samesite="strict")
    return out


@router.post("/logout")
def logout() -> Response:
    out = RedirectResponse("/login", status_code=303)
    out.delete_cookie(COOKIE)
    return out


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request) -> Response:
    if _who(request) is None:
        return _page(request, "dashboard")
    srv = server(request)
    with open_lab(srv.home) as lab:
        previous = [session_doc(lab, s) for s in lab.repo.list_sessions(limit=50)]
        specs = [spec_row(s) for s in lab.repo.list_specs()]
        now_at = lab.iso(lab.world.now())
    previous.reverse()  # newest first, as the monitor lists them
    running = current(srv)
    return _page(
        request, "dashboard", running=running, previous=previous, specs=specs, now_at=now_at
    )


@router.get("/sessions/{session_id:path}", response_class=HTMLResponse)
def session_page(request: Request, session_id: str) -> Response:
    if _who(request) is None:
        return _page(request, "session")
    with open_lab(server(request).home) as lab:
        try:
            data = session_doc(lab, lab.repo.get_session(session_id))
        except NotFoundError:  # running in a command not committed yet: the log follows
            data = None
    return _page(request, "session", session_id=session_id, session=data)


@router.get("/replicas", response_class=HTMLResponse)
def replicas_page(request: Request) -> Response:
    if _who(request) is None:
        return _page(request, "replicas")
    with open_lab(server(request).home) as lab:
        rows = replicas_doc(lab, lab.repo.list_replicas())
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault((r["spec"], r["array"]), []).append(r)
    return _page(request, "replicas", groups=sorted(groups.items()))


@router.get("/restore", response_class=HTMLResponse)
def restore_page(request: Request) -> Response:
    if _who(request) is None:
        return _page(request, "restore")
    with open_lab(server(request).home) as lab:
        specs = [s.name for s in lab.repo.list_specs()]
        now = lab.stamp(lab.world.now())
    methods = registry.restore_methods()
    return _page(request, "restore", specs=specs, now=now, methods=methods)


@router.get("/drills", response_class=HTMLResponse)
def drills_page(request: Request) -> Response:
    if _who(request) is None:
        return _page(request, "drills")
    listing = drills.list_drills(server(request))
    return _page(request, "drills", scenarios=listing["scenarios"], reports=listing["reports"])


@router.get("/drills/{report_id}", response_class=HTMLResponse)
def drill_page(request: Request, report_id: str) -> Response:
    if _who(request) is None:
        return _page(request, "drill")
    return _page(request, "drill", report=drills.show_drill(report_id, server(request)))


def mount(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    app.include_router(router)
