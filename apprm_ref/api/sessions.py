"""Sessions: previous ones (the IDB), current ones (running now), one with its messages,
and its live messages as server-sent events (the session's log, as ``sessions log -f``)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from apprm_ref.api.deps import ReadLab, Server, ServerDep, role
from apprm_ref.api.views import doc, progress, session_doc
from apprm_ref.errors import ConfigError
from apprm_ref.front.lab import open_lab
from apprm_ref.front.sessionlog import END_LINE, log_path, writer_alive
from apprm_ref.lab.journal import Journal

router = APIRouter(prefix="/api/sessions", tags=["sessions"], dependencies=[Depends(role)])
POLL = 0.1
KINDS = {"backup": "Backup", "restore": "Restore"}


@router.get("", summary="Previous sessions recorded in the IDB, oldest first")
def list_sessions(
    lab: ReadLab,
    spec: str | None = None,
    type: str | None = Query(None, description="backup | restore"),  # noqa: A002
    last: int | None = Query(None, ge=1, le=10000),
) -> dict[str, Any]:
    if type is not None and type.lower() not in KINDS:
        raise ConfigError(f"type: {type!r} is not backup or restore")
    kind = KINDS[type.lower()] if type else None
    rows = []
    for s in lab.repo.list_sessions(spec=spec, limit=last, type=kind):
        d = session_doc(lab, s)
        d.pop("messages")
        rows.append(d)
    return doc(rows, key="sessions")


def current(srv: Server) -> list[dict[str, Any]]:
    """Running sessions: this server's own (live, with progress) and those a command in
    another process runs (named by its journal, messages from their logs)."""
    out = [
        session_doc(job.clock, job.session, running=True, progress=progress(job.session))
        for job in srv.jobs.running()
        if job.session is not None
    ]
    ours = {d["id"] for d in out}
    record = Journal(srv.home).pending()
    if record is not None and writer_alive(srv.home):
        for entry in record.sessions:
            if entry.id not in ours and not _ended(log_path(srv.home, entry.id)):
                out.append(_from_log(srv.home, entry))
    return out


def _ended(path: Path) -> bool:
    try:
        last = path.read_text(encoding="utf-8").rstrip("\n").rsplit("\n", 1)[-1]
    except OSError:
        return False
    return bool(END_LINE.match(last))


def _from_log(home: Path, entry: Any) -> dict[str, Any]:
    try:
        blocks = log_path(home, entry.id).read_text(encoding="utf-8").split("\n\n")[1:]
    except OSError:
        blocks = []
    return {
        "id": entry.id,
        "type": entry.type,
        "spec": entry.spec,
        "status": "In Progress",
        "running": True,
        "messages": [{"text": b.strip()} for b in blocks if b.strip()],
    }


@router.get("/current", summary="Sessions running now (omnistat)")
def current_sessions(srv: ServerDep) -> dict[str, Any]:
    return doc(current(srv), key="sessions")


@router.get("/{session_id:path}/events", summary="A session's messages as server-sent events")
async def session_events(session_id: str, srv: ServerDep) -> StreamingResponse:
    """``event: message`` per message block of the session's log, then ``event: end`` with
    the status; a session that ended before logs existed is read from the IDB."""
    return StreamingResponse(_events(srv, session_id), media_type="text/event-stream")


def _sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, sort_keys=True)}\n\n"


async def _events(srv: Server, session_id: str) -> AsyncIterator[str]:
    path, offset, pending = log_path(srv.home, session_id), 0, ""
    while True:
        job = srv.jobs.find(session_id)
        alive = (job is not None and not job.done) or writer_alive(srv.home)  # before the file
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                fh.seek(offset)
                pending += fh.read()
                offset = fh.tell()
        *blocks, pending = pending.split("\n\n")
        for block in (b.strip() for b in blocks):
            if END_LINE.match(block):
                yield _end(session_id, block)
                return
            if block:
                yield _sse("message", {"text": block})
        if END_LINE.match(pending.strip()):  # the end line is the log's last, unterminated
            yield _end(session_id, pending.strip())
            return
        if not alive:  # nothing writes it any more: the IDB says how it ended
            yield _from_idb(srv, session_id)
            return
        await asyncio.sleep(POLL)


def _end(session_id: str, line: str) -> str:
    match = END_LINE.match(line)
    return _sse("end", {"id": session_id, "status": match.group(2) if match else ""})


def _from_idb(srv: Server, session_id: str) -> str:
    try:
        with open_lab(srv.home) as lab:
            s = lab.repo.get_session(session_id)
    except Exception as exc:  # noqa: BLE001 - the stream ends with the reason
        return _sse("error", {"message": " ".join(str(exc).split())})
    return _sse("end", {"id": s.id, "status": s.status.value})


@router.get("/{session_id:path}", summary="One session with its objects and messages")
def show_session(session_id: str, srv: ServerDep) -> dict[str, Any]:
    job = srv.jobs.find(session_id)
    if job is not None and not job.done and job.session is not None:
        return doc(
            session_doc(job.clock, job.session, running=True, progress=progress(job.session))
        )
    with open_lab(srv.home) as lab:
        s = lab.repo.get_session(session_id)
        return doc(session_doc(lab, s, running=False, progress=progress(s)))
