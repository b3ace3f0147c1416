"""What every route needs: the server's state, the caller's role, the lab opened as the
CLI opens it, and ApprmError mapped to an HTTP status with the CLI's JSON error."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from apprm_ref.api.auth import COOKIE, Role, TokenStore
from apprm_ref.api.jobs import Jobs
from apprm_ref.errors import ApprmError, ConfigError, NotFoundError
from apprm_ref.front.lab import Lab, open_lab
from apprm_ref.front.views import SCHEMA_VERSION
from apprm_ref.lab.lock import LabBusyError


@dataclass
class Server:
    """One ``apprm serve``: the lab it serves, its tokens, its writer commands."""

    home: Path
    tokens: TokenStore
    scenarios: Path
    jobs: Jobs = field(init=False)

    def __post_init__(self) -> None:
        self.jobs = Jobs(self.home)


def server(request: Request) -> Server:
    return request.app.state.server  # type: ignore[no-any-return]


def token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


def role(request: Request) -> Role:
    """The caller's role; 401 without a known token (checked before anything is read)."""
    found = server(request).tokens.role_of(token_of(request))
    if found is None:
        raise HTTPException(
            401, "a valid API token is required", headers={"WWW-Authenticate": "Bearer"}
        )
    return found


def operator(request: Request) -> Role:
    """Only an operator may change the lab; a viewer is refused (403) before anything runs."""
    who = role(request)
    if not who.may_write():
        raise HTTPException(403, f"the {who.value} role cannot change the lab (operator only)")
    return who


Viewer = Annotated[Role, Depends(role)]
Operator = Annotated[Role, Depends(operator)]
ServerDep = Annotated[Server, Depends(server)]


def reader(request: Request) -> Iterator[Lab]:
    """The lab as ``apprm`` readers see it: one snapshot, writes refused, no lock."""
    with open_lab(server(request).home) as lab:
        yield lab


ReadLab = Annotated[Lab, Depends(reader)]

STATUS = ((NotFoundError, 404), (LabBusyError, 409), (ConfigError, 400))


def error_body(code: str, message: str) -> dict[str, Any]:
    text = " ".join(str(message).split())
    return {"error": {"code": code, "message": text}, "schema_version": SCHEMA_VERSION}


def apprm_error(_request: Request, exc: Exception) -> JSONResponse:
    status = next((s for cls, s in STATUS if isinstance(exc, cls)), 409)
    code = getattr(exc, "code", None) or type(exc).__name__
    return JSONResponse(error_body(code, str(exc)), status_code=status)


def http_error(_request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    codes = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}
    body = error_body(codes.get(exc.status_code, "HTTPError"), str(exc.detail))
    return JSONResponse(body, status_code=exc.status_code, headers=exc.headers)


def invalid_body(_request: Request, exc: Exception) -> JSONResponse:
    """A body or parameter the route does not take: 422, one line naming each field."""
    errors = getattr(exc, "errors", lambda: [])()
    text = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return JSONResponse(error_body("ValidationError", text or str(exc)), status_code=422)


HANDLERS = (
    (ApprmError, apprm_error),
    (HTTPException, http_error),
    (RequestValidationError, invalid_body),
)
