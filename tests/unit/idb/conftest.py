"""Fixtures for IDB tests: an in-memory repository and a file-backed one."""

from __future__ import annotations

import pytest

from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository


@pytest.fixture
def repo() -> SqlRepository:
    return SqlRepository(make_engine("sqlite://"))


@pytest.fixture
def db_path(tmp_path):  # type: ignore[no-untyped-def]
    return tmp_path / "idb.sqlite"


@pytest.fixture
def file_repo(db_path) -> SqlRepository:  # type: ignore[no-untyped-def]
    return SqlRepository(make_engine(file_url(db_path)))
