"""An API over a fresh lab: one EVA file-system spec (vsnap), an operator and a viewer token."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from apprm_ref.api.app import create_app
from apprm_ref.api.auth import issue
from apprm_ref.cli.main import app as cli_app

ROOT = Path(__file__).resolve().parents[2]
SPEC = ["--name", "fs_eva", "--host", "app1", "--backup-host", "bk1", "--array", "eva1",
        "--object", "/data", "--opt", "snapshot_type=vsnap"]  # fmt: skip


def make_lab(home: Path) -> None:
    runner = CliRunner()
    for args in (["lab", "init", "--seed", "7"], ["spec", "create", *SPEC]):
        res = runner.invoke(cli_app, ["--home", str(home), *args])
        assert res.exit_code == 0, res.output


def files_of(home: Path) -> dict[str, str]:
    """Every file of the lab directory, byte for byte (as a digest per path)."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("APPRM_IDB_URL", raising=False)
    monkeypatch.delenv("APPRM_HOME", raising=False)
    path = tmp_path / "lab"
    make_lab(path)
    return path


@pytest.fixture
def tokens(home: Path) -> dict[str, str]:
    return {"operator": issue(home, "operator"), "viewer": issue(home, "viewer")}


@pytest.fixture
def client(home: Path, tokens: dict[str, str]) -> Any:
    from fastapi.testclient import TestClient

    app = create_app(home, scenarios=ROOT / "scenarios")
    with TestClient(app) as c:
        yield c
    app.state.server.jobs.join(30)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
