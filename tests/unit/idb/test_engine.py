"""Engine choice: WAL SQLite files, a persistent in-memory database, the env override."""

from __future__ import annotations

import pytest

from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import ConfigError
from apprm_ref.idb.engine import ENV_URL, file_url, journal_mode, make_engine, resolve_url
from apprm_ref.idb.repository import SqlRepository


def test_file_database_uses_wal(db_path):
    engine = make_engine(file_url(db_path))
    assert journal_mode(engine) == "wal"
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert db_path.exists()


def test_memory_database_persists_across_sessions():
    repo = SqlRepository(make_engine("sqlite://"))
    repo.save_spec(BackupSpec(name="x", application_system="h", array="a", objects=["/d"]))
    # a second repository on the same engine sees the same data (one connection)
    assert [s.name for s in SqlRepository(repo.engine).list_specs()] == ["x"]


def test_resolve_url(monkeypatch, tmp_path):
    monkeypatch.delenv(ENV_URL, raising=False)
    assert resolve_url(default_path=tmp_path / "i.db") == f"sqlite:///{tmp_path / 'i.db'}"
    assert resolve_url("sqlite://") == "sqlite://"
    assert resolve_url() == "sqlite://"
    monkeypatch.setenv(ENV_URL, "sqlite:///elsewhere.db")
    assert resolve_url("sqlite://", default_path="x") == "sqlite:///elsewhere.db"


def test_bad_url_is_a_config_error():
    with pytest.raises(ConfigError, match="bad IDB URL"):
        make_engine("nosuchdialect://x")
