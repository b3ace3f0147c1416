"""An IDB made by the first release upgrades through the Alembic migrations and its
sessions, replicas, specification and configuration read back (ECO-I4), on SQLite and on a
real PostgreSQL server; the migrated schema is the models' schema.

The fixture ``fixtures/idb-first-release.sql`` is an IDB written by the code of commit
ba60306 (the IDB's first landing; ``fixtures/make_first_release.py`` rebuilds it).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import JSON, Boolean, MetaData, create_engine, insert
from typer.testing import CliRunner

from apprm_ref.errors import IdbError
from apprm_ref.idb import migrate
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository
from tests.idb_pg.server import pg_url, postgresql_server  # noqa: F401 - fixtures

FIXTURE = Path(__file__).with_name("fixtures") / "idb-first-release.sql"
TABLES = ["sessions", "session_messages", "backup_objects", "backup_specs", "replica_sets",
          "replicas", "replica_targets", "app_configs"]  # fmt: skip


def _first_release_sqlite(path: Path) -> str:
    db = sqlite3.connect(path)
    db.executescript(FIXTURE.read_text())
    db.close()
    return file_url(path)


def _first_release_pg(url: str, tmp_path: Path) -> str:
    """The first release's schema by migration 0001, then the fixture's rows copied in."""
    engine = create_engine(url)
    migrate.upgrade(engine, "0001")
    source = sqlite3.connect(tmp_path / "source.sqlite")
    source.executescript(FIXTURE.read_text())
    meta = MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for name in TABLES:
            table = meta.tables[name]
            cur = source.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - fixed names
            cols = [d[0] for d in cur.description]
            rows = [dict(zip(cols, r, strict=True)) for r in cur]
            for row in rows:
                for col in table.columns:
                    if isinstance(col.type, Boolean) and row[col.name] is not None:
                        row[col.name] = bool(row[col.name])
                    elif isinstance(col.type, JSON) and row[col.name] is not None:
                        row[col.name] = json.loads(row[col.name])
            if rows:
                conn.execute(insert(table), rows)
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.rule("ECO-I3"))])
def old_idb(request, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return _first_release_sqlite(tmp_path / "idb.sqlite")
    return _first_release_pg(request.getfixturevalue("pg_url"), tmp_path)


@pytest.mark.rule("ECO-I4")
def test_the_first_release_is_refused_until_upgraded(old_idb: str) -> None:
    with create_engine(old_idb).connect() as conn:
        assert migrate.revision_of(conn) == "0001"  # recognised by its shape, not stamped
    with pytest.raises(IdbError, match="revision 0001.*run 'apprm idb upgrade'"):
        make_engine(old_idb)
    with create_engine(old_idb).connect() as conn:  # the refusal changed nothing
        assert migrate.revision_of(conn) == "0001"


@pytest.mark.rule("ECO-I4")
def test_the_first_release_upgrades_and_its_sessions_read_back(old_idb: str) -> None:
    assert migrate.upgrade(create_engine(old_idb)) == ("0001", migrate.HEAD)
    repo = SqlRepository(make_engine(old_idb))
    sessions = repo.list_sessions()
    assert [s.id for s in sessions] == ["2008/03/03-1", "2008/03/03-2"]
    first = repo.get_session("2008/03/03-1")
    assert [m.text for m in first.messages] == [
        "Backup session started.",
        "slow",
        "snapshot failed",
    ]
    assert [(o.name, o.status, o.detail) for o in first.objects] == [
        ("/data", "Completed", ""),
        ("/logs", "Failed", "EBUSY"),
    ]
    assert first.finished == 70.0 and first.status == repo.get_session(first.id).status
    assert first.metrics == {"alpha": 2.0, "zeta": 1.5} and first.backup_mode_seconds == 3.25
    replica = repo.get_replica("fs1#2")
    assert [str(t.target) for t in replica.targets] == ["eva1:src0-t2", "eva1:src1-t2"]
    assert all(t.identity == {} for t in replica.targets)  # recorded before REL-I6: unverifiable
    assert repo.get_spec("fs1").replication == {"snapshot_type": "vsnap"}
    assert repo.get_config("oracle", "PROD").host == "app1"
    assert repo.next_replica_sequence("fs1") == 3
    repo.engine.dispose()


@pytest.mark.rule("ECO-I4")
def test_the_migrated_schema_is_the_models_schema(old_idb: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from apprm_ref.idb.models import Base

    engine = create_engine(old_idb)
    migrate.upgrade(engine)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": migrate.include_object})
        assert compare_metadata(ctx, Base.metadata) == []
    engine.dispose()


def test_head_is_the_newest_migration() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS))
    assert ScriptDirectory.from_config(cfg).get_heads() == [migrate.HEAD]


def test_a_new_idb_is_made_at_head_and_opens_again(tmp_path: Path) -> None:
    url = file_url(tmp_path / "new.sqlite")
    make_engine(url).dispose()
    engine = make_engine(url)  # a second open accepts it
    with engine.connect() as conn:
        assert migrate.revision_of(conn) == migrate.HEAD
    engine.dispose()


@pytest.mark.rule("ECO-I4")
def test_apprm_idb_upgrade_on_a_lab(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.cli.main import app

    monkeypatch.delenv("APPRM_IDB_URL", raising=False)
    home = tmp_path / "lab"
    home.mkdir()
    _first_release_sqlite(home / "idb.sqlite")
    runner = CliRunner()
    res = runner.invoke(app, ["--home", str(home), "idb", "upgrade"])
    assert res.exit_code == 0 and res.output == "IDB upgraded from schema revision 0001 to 0003.\n"
    res = runner.invoke(app, ["--home", str(home), "idb", "upgrade"])
    assert res.output == "IDB already at schema revision 0003.\n"
    res = runner.invoke(app, ["--home", str(home), "idb", "revision", "--json"])
    assert json.loads(res.output) == {"head": "0003", "revision": "0003", "schema_version": 1}
