"""Drills: run a shipped scenario and keep its report (summary, expectations, timeline).

A drill builds its own world and IDB (it never touches the lab), so it takes no lab lock.
A scenario is named, never given as a path: only files of the server's scenario
directory run. Each report is kept as ``<lab>/drills/<n>-<name>.json`` (and ``.html``,
the self-contained report of ``apprm drill run --report``).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.api.deps import Server, ServerDep, operator, role
from apprm_ref.api.views import doc
from apprm_ref.errors import NotFoundError
from apprm_ref.lab.atomic import write_atomic

read = APIRouter(prefix="/api/drills", tags=["drills"], dependencies=[Depends(role)])
write = APIRouter(prefix="/api/drills", tags=["drills"], dependencies=[Depends(operator)])
DIR = "drills"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_RUN = threading.Lock()  # one drill at a time: each is CPU-bound simulated time


def scenarios(srv: Server) -> list[str]:
    if not srv.scenarios.is_dir():
        return []
    return sorted(p.stem for p in srv.scenarios.glob("*.yaml"))


def _reports(srv: Server) -> list[Path]:
    folder = srv.home / DIR
    paths = folder.glob("*.json") if folder.is_dir() else []
    return sorted(paths, key=lambda p: int(p.stem.split("-", 1)[0]))


def _summary(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text())
    keep = ("id", "scenario", "passed", "seed", "digest", "duration_seconds", "started_at")
    return {k: data.get(k) for k in keep}


@read.get("", summary="Scenarios that can run, and the reports of drills run")
def list_drills(srv: ServerDep) -> dict[str, Any]:
    return doc({"scenarios": scenarios(srv), "reports": [_summary(p) for p in _reports(srv)]})


def _find(srv: Server, report_id: str) -> Path:
    for path in _reports(srv):
        if path.stem.split("-", 1)[0] == report_id:
            return path
    raise NotFoundError(f"no drill report {report_id}")


@read.get("/{report_id}", summary="One drill report")
def show_drill(report_id: str, srv: ServerDep) -> dict[str, Any]:
    return doc(json.loads(_find(srv, report_id).read_text()))


@read.get("/{report_id}/report.html", response_class=HTMLResponse, summary="HTML report")
def drill_html(report_id: str, srv: ServerDep) -> HTMLResponse:
    return HTMLResponse(_find(srv, report_id).with_suffix(".html").read_text())


class DrillBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    scenario: str = Field(description="a scenario of the server's directory, by file stem")
    seed: int | None = Field(None, ge=0, le=2**31 - 1)


@write.post("", status_code=201, summary="Run a drill and keep its report")
def run_drill(body: DrillBody, srv: ServerDep) -> dict[str, Any]:
    if not NAME.match(body.scenario) or body.scenario not in scenarios(srv):
        raise NotFoundError(f"no scenario {body.scenario!r} (have: {', '.join(scenarios(srv))})")
    with _RUN:
        report, html = _run(srv.scenarios / f"{body.scenario}.yaml", body.seed)
        number = 1 + max((int(p.stem.split("-", 1)[0]) for p in _reports(srv)), default=0)
        report["id"] = str(number)
        folder = srv.home / DIR
        folder.mkdir(parents=True, exist_ok=True)
        stem = f"{number}-{body.scenario}"
        write_atomic(folder / f"{stem}.html", html)
        write_atomic(folder / f"{stem}.json", json.dumps(report, sort_keys=True, indent=1))
    return doc(report)


def _run(path: Path, seed: int | None) -> tuple[dict[str, Any], str]:
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.drill.report import report_html, timeline_svg
    from apprm_ref.drill.runner import Drill
    from apprm_ref.drill.trace import file_digest

    drill = Drill(load_scenario(path), path=path.name, file_sha256=file_digest(path), seed=seed)
    result = drill.run()
    iso = drill.world.clock.at
    report = {
        "scenario": result.scenario,
        "passed": result.passed,
        "seed": result.seed,
        "digest": result.digest,
        "duration_seconds": result.duration,
        "started_at": iso(0).isoformat(timespec="seconds"),
        "sessions": [_timed(asdict(s), iso) for s in result.sessions],
        "restores": [_timed(asdict(r), iso) for r in result.restores],
        "expectations": [asdict(e) for e in result.expectations],
        "timeline": [
            {"at": iso(m.at).isoformat(timespec="seconds"), "kind": m.kind, "label": m.label}
            for m in result.markers
        ],
        "timeline_svg": timeline_svg(result),
    }
    return report, report_html(result)


TIMES = {"started": "started_at", "finished": "finished_at", "failure_at": "failure_at"}


def _timed(row: dict[str, Any], iso: Any) -> dict[str, Any]:
    """A drill row with its simulated seconds as ``*_at`` (docs/cli.md)."""
    out = {}
    for key, value in row.items():
        if key in TIMES or key == "recovered_to":
            name = TIMES.get(key, "recovered_to_at")
            out[name] = None if value is None else iso(value).isoformat(timespec="seconds")
        elif key == "backup_mode" and value is not None:
            out["backup_mode_seconds"] = value[1] - value[0]
        elif key == "messages":
            out["message_count"] = value
        elif key == "texts":
            out["messages"] = [{"code": c or None, "text": t} for c, t in value]
        else:
            out[key] = value
    return out
