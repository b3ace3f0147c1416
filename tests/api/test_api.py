"""The REST API: roles enforced before anything is read or changed, the OpenAPI description
matching the served routes, and backups, restores and drills run through the service
layer as the CLI runs them (ECO-I1)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import auth, files_of
from tests.cli.test_fuzz_input import lab_state

SID = "2008/03/03-1"


def _routes(client: Any) -> list[tuple[str, str]]:
    """(method, path) of every route the OpenAPI description lists."""
    spec = client.get("/api/openapi.json").json()
    return sorted((m.upper(), p) for p, ops in spec["paths"].items() for m in ops)


def _concrete(path: str) -> str:
    return (
        path.replace("{session_id}", SID)
        .replace("{replica_id}", "fs_eva#1")
        .replace("{name}", "fs_eva")
        .replace("{report_id}", "1")
    )


BODIES: dict[str, dict[str, Any]] = {
    "/api/backups": {"spec": "fs_eva"},
    "/api/restores": {"session": SID},
    "/api/restores/preview": {"spec": "fs_eva", "latest": True},
    "/api/specs": {"spec": {"name": "other"}},
    "/api/drills": {"scenario": "eva-ir-switch"},
}


def _send(client: Any, method: str, path: str, headers: dict[str, str]) -> Any:
    body = BODIES.get(path) if method == "POST" else None
    return client.request(method, _concrete(path), json=body, headers=headers)


@pytest.mark.rule("ECO-I1")
def test_without_a_token_every_route_is_refused_and_nothing_changes(client, home, tokens):  # type: ignore[no-untyped-def]
    before = files_of(home)
    for method, path in _routes(client):
        for headers in ({}, auth("not-a-token"), {"Cookie": "apprm_token=nope"}):
            res = _send(client, method, path, headers)
            assert res.status_code == 401, (method, path, res.text)
            assert res.json()["error"]["code"] == "Unauthorized"
            assert res.json()["schema_version"] == 1
    assert files_of(home) == before  # byte for byte


@pytest.mark.rule("ECO-I1")
def test_a_viewer_reads_but_every_change_is_refused_and_changes_nothing(client, home, tokens):  # type: ignore[no-untyped-def]
    viewer = auth(tokens["viewer"])
    writes = [(m, p) for m, p in _routes(client) if m != "GET" and p != "/api/restores/preview"]
    assert {p for _m, p in writes} == {"/api/backups", "/api/restores", "/api/specs", "/api/drills"}
    before = files_of(home)
    for method, path in writes:
        res = _send(client, method, path, viewer)
        assert res.status_code == 403, (method, path, res.text)
        assert "operator only" in res.json()["error"]["message"]
    assert files_of(home) == before  # byte for byte: not even the lab was opened
    assert client.get("/api/specs", headers=viewer).json()["specs"][0]["name"] == "fs_eva"
    preview = client.post(
        "/api/restores/preview", json=BODIES["/api/restores/preview"], headers=viewer
    )
    assert preview.status_code == 200 and preview.json()["restorable"] is False  # no replica yet
    assert preview.json()["reasons"][0]["code"]


@pytest.mark.rule("ECO-I1")
def test_an_operator_request_refused_for_its_input_changes_nothing(client, home, tokens):  # type: ignore[no-untyped-def]
    op = auth(tokens["operator"])
    before = lab_state(home)
    refusals = [
        ("/api/backups", {"spec": "nope"}, 404),
        ("/api/restores", {"session": SID}, 404),
        ("/api/restores", {"session": SID, "spec": "fs_eva"}, 400),
        ("/api/restores", {"spec": "fs_eva", "latest": True, "method": "teleport"}, 400),
        ("/api/restores", {"session": SID, "unknown_option": True}, 422),
        ("/api/specs", {"spec": {"name": "fs_eva", "type": "filesystem"}}, 400),
        ("/api/drills", {"scenario": "../../etc/passwd"}, 404),
    ]
    for path, body, status in refusals:
        res = client.post(path, json=body, headers=op)
        assert res.status_code == status, (path, body, res.text)
        assert res.json()["error"]["message"] and res.json()["schema_version"] == 1
    assert lab_state(home) == before  # the stored world and every IDB row


@pytest.mark.rule("ECO-I1")
def test_the_openapi_description_matches_the_served_routes(client, tokens):  # type: ignore[no-untyped-def]
    from apprm_ref.api.app import ROUTERS

    served = sorted(
        (m, r.path.replace(":path}", "}"))
        for router in ROUTERS
        for r in router.routes
        for m in r.methods
    )
    assert _routes(client) == served
    assert client.get("/api/nothing", headers=auth(tokens["viewer"])).status_code == 404
    for method, path in _routes(client):  # each documented route answers (no routing 404)
        if method != "GET":
            continue
        res = _send(client, method, path, auth(tokens["viewer"]))
        assert res.status_code in (200, 404), (path, res.text)
        if res.headers["content-type"].startswith("application/json"):
            assert res.json()["schema_version"] == 1, path
            if res.status_code == 404:  # the lab has no such object: the IDB's error
                assert res.json()["error"]["code"] == "NotFoundError", (path, res.text)


def _events(client: Any, sid: str, headers: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    out = []
    with client.stream("GET", f"/api/sessions/{sid}/events", headers=headers) as stream:
        event = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                out.append((event, json.loads(line[6:])))
    return out


def test_backup_then_restore_through_the_api(client, home, tokens):  # type: ignore[no-untyped-def]
    op, viewer = auth(tokens["operator"]), auth(tokens["viewer"])
    res = client.post("/api/backups", json={"spec": "fs_eva"}, headers=op)
    assert res.status_code == 202 and res.json()["id"] == SID and res.json()["running"] is True
    events = _events(client, SID, viewer)
    assert events[-1] == ("end", {"id": SID, "status": "Completed"})
    texts = [d["text"] for e, d in events if e == "message"]
    assert any("Replica fs_eva#1 created" in t for t in texts), texts
    client.app.state.server.jobs.join(30)
    session = client.get(f"/api/sessions/{SID}", headers=viewer).json()
    assert session["status"] == "Completed" and session["finished_at"].endswith("+00:00")
    assert session["replica_id"] == "fs_eva#1" and session["progress"]["objects_done"] == 1
    replicas = client.get("/api/replicas", params={"spec": "fs_eva"}, headers=viewer).json()
    assert [r["id"] for r in replicas["replicas"]] == ["fs_eva#1"]
    verdict = client.post(
        "/api/restores/preview", json={"spec": "fs_eva", "latest": True}, headers=viewer
    ).json()
    assert verdict["restorable"] is True and verdict["replica"] == "fs_eva#1"
    started = client.post("/api/restores", json={"spec": "fs_eva", "latest": True}, headers=op)
    assert started.status_code == 202, started.text
    rid = started.json()["id"]
    assert _events(client, rid, viewer)[-1] == ("end", {"id": rid, "status": "Completed"})
    client.app.state.server.jobs.join(30)
    listed = client.get("/api/sessions", headers=viewer).json()["sessions"]
    assert [(s["type"], s["status"]) for s in listed] == [
        ("Backup", "Completed"),
        ("Restore", "Completed"),
    ]
    assert listed[1]["restored_from"] == SID
    assert client.get("/api/sessions/current", headers=viewer).json()["sessions"] == []


def test_a_drill_runs_and_its_report_is_kept(client, home, tokens):  # type: ignore[no-untyped-def]
    op = auth(tokens["operator"])
    res = client.post("/api/drills", json={"scenario": "eva-ir-switch"}, headers=op)
    assert res.status_code == 201, res.text
    report = res.json()
    assert report["passed"] is True and report["expectations"] and report["sessions"]
    assert report["timeline_svg"].startswith("<svg") and report["sessions"][0]["started_at"]
    listing = client.get("/api/drills", headers=auth(tokens["viewer"])).json()
    assert "eva-ir-switch" in listing["scenarios"]
    assert [r["id"] for r in listing["reports"]] == [report["id"]]
    html = client.get(f"/api/drills/{report['id']}/report.html", headers=op)
    assert "Drill" in html.text and "<svg" in html.text
    assert (home / "drills" / f"{report['id']}-eva-ir-switch.json").exists()


def test_tokens_are_kept_as_digests_only(home: Path, tokens) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.api.auth import Role, tokens_for

    text = (home / "api-tokens.json").read_text()
    assert tokens["operator"] not in text and tokens["viewer"] not in text
    assert (home / "api-tokens.json").stat().st_mode & 0o077 == 0
    store = tokens_for(home)
    assert store.role_of(tokens["viewer"]) is Role.VIEWER
    assert store.role_of(tokens["operator"]) is Role.OPERATOR
    assert store.role_of(tokens["operator"] + "x") is None and store.role_of("") is None
