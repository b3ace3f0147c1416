"""Fixtures for IDB tests: a repository on each dialect (in-memory SQLite, and a real
PostgreSQL server started once per test session, ECO-I3) and a file-backed SQLite one."""

from __future__ import annotations

import pytest

from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository
from tests.idb_pg.server import pg_url, postgresql_server  # noqa: F401 - fixtures


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.rule("ECO-I3"))])
def idb_url(request):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        return "sqlite://"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def repo(idb_url) -> SqlRepository:  # type: ignore[no-untyped-def]
    r = SqlRepository(make_engine(idb_url))
    yield r
    r.engine.dispose()


@pytest.fixture
def db_path(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "idb.sqlite"


@pytest.fixture
def file_repo(db_path) -> SqlRepository:  # type: ignore[no-untyped-def]
    return SqlRepository(make_engine(file_url(db_path)))
