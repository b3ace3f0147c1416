"""The IDB on a real PostgreSQL server (ECO-I3): a drill gives the same trace as on SQLite
(its golden digest), a lab lives in it by ``APPRM_IDB_URL``, and the lab store's writer
transaction has PostgreSQL's equivalent of ``BEGIN IMMEDIATE`` (an advisory lock taken
first, at READ COMMITTED) while a reader gets one read-only snapshot."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from typer.testing import CliRunner

from apprm_ref.cli.main import app
from apprm_ref.lab.store import LabStore
from tests.api.conftest import SPEC
from tests.idb_pg.server import pg_url, postgresql_server  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = json.loads((ROOT / "tests" / "scenarios" / "golden_digests.json").read_text())


@pytest.mark.rule("ECO-I3")
@pytest.mark.parametrize("name", ["oracle-online-pitr"])
def test_a_drill_on_postgresql_gives_its_golden_trace(name: str, pg_url: str) -> None:  # noqa: F811
    from apprm_ref.drill.runner import run_file

    result = run_file(ROOT / "scenarios" / f"{name}.yaml", idb=pg_url)
    assert result.passed, [(e.name, e.expected, e.observed) for e in result.failed]
    assert result.digest == GOLDEN[name]  # the same sessions, replicas and restores as SQLite
    assert result.sessions and result.restores


def _cli(home: Path, *args: str) -> str:
    res = CliRunner().invoke(app, ["--home", str(home), *args])
    assert res.exit_code == 0, res.output
    return res.output


@pytest.mark.rule("ECO-I3")
def test_a_lab_lives_in_postgresql(tmp_path: Path, pg_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    monkeypatch.setenv("APPRM_IDB_URL", pg_url)
    home = tmp_path / "lab"
    _cli(home, "lab", "init", "--seed", "7")
    _cli(home, "spec", "create", *SPEC)
    assert "Completed" in _cli(home, "backup", "fs_eva", "--no-monitor")
    assert "Completed" in _cli(home, "restore", "--spec", "fs_eva", "--latest")
    sessions = json.loads(_cli(home, "sessions", "list", "--json"))["sessions"]
    assert [(s["type"], s["status"]) for s in sessions] == [
        ("Backup", "Completed"),
        ("Restore", "Completed"),
    ]
    assert not (home / "idb.sqlite").exists()  # world and IDB are rows of the server


def _store(home: Path, url: str, write: bool, wait: float = 5) -> LabStore:
    return LabStore(home, url, write, wait).open()


@pytest.mark.rule("ECO-I3")
def test_writers_of_one_database_run_one_at_a_time_and_see_the_last_commit(  # type: ignore[no-untyped-def]
    tmp_path: Path,
    pg_url: str,  # noqa: F811
) -> None:
    first = _store(tmp_path / "a", pg_url, True)  # two lab directories: two file locks
    first.commit(b'{"n": 1}')
    first.close()
    first = _store(tmp_path / "a", pg_url, True)
    opened: list[LabStore] = []
    second = threading.Thread(target=lambda: opened.append(_store(tmp_path / "b", pg_url, True)))
    second.start()
    time.sleep(0.5)
    assert not opened  # waits on the advisory lock the first writer holds
    first.commit(b'{"n": 2}')
    first.close()
    second.join(10)
    assert opened and opened[0].generation == 2 and opened[0].world_body == b'{"n": 2}'
    opened[0].close()


@pytest.mark.rule("ECO-I3")
def test_a_reader_reads_one_snapshot_and_cannot_write(tmp_path: Path, pg_url: str) -> None:  # noqa: F811
    writer = _store(tmp_path, pg_url, True)
    writer.commit(b'{"n": 1}')
    writer.close()
    reader = _store(tmp_path, pg_url, False)
    assert reader.world_body == b'{"n": 1}'
    conn = reader._conn
    assert conn is not None
    with pytest.raises(SQLAlchemyError, match="read-only transaction"):
        conn.execute(text("UPDATE lab_world SET generation = 99"))
    reader.close()
