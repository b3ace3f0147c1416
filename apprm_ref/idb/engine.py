"""Engines for the IDB: an SQLite file (WAL) by default, any SQLAlchemy URL otherwise.

``APPRM_IDB_URL`` overrides the URL a caller would use, so a deployment can point the lab
at PostgreSQL without touching code. ``sqlite://`` (in memory) keeps one connection alive
(``StaticPool``) so drills and tests see one database across sessions.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from apprm_ref.errors import ConfigError, IdbError
from apprm_ref.idb import migrate

ENV_URL = "APPRM_IDB_URL"
MEMORY_URL = "sqlite://"


def file_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path)}"


def resolve_url(url: str | None = None, *, default_path: str | Path | None = None) -> str:
    """The URL to use: ``$APPRM_IDB_URL``, else ``url``, else a file at ``default_path``."""
    env = os.environ.get(ENV_URL)
    if env:
        return env
    if url:
        return url
    if default_path is not None:
        return file_url(default_path)
    return MEMORY_URL


def _is_memory(url: str) -> bool:
    return url in ("sqlite://", "sqlite:///:memory:") or url.endswith(":memory:")


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    """WAL lets readers (``apprm stat``) run while a session writes; FKs keep rows tidy."""
    cur = dbapi_conn.cursor()
    try:
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
    finally:
        cur.close()


def _private_file(path: Path) -> None:
    from apprm_ref.credentials import private_file

    try:
        private_file(path)
    except OSError as exc:
        raise IdbError(f"cannot create the IDB file {path}: {exc.strerror}") from None


def make_engine(url: str | None = None, *, create: bool = True, echo: bool = False) -> Engine:
    """An engine for ``url`` (default in-memory SQLite), with the schema created."""
    url = url or MEMORY_URL
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False}
        if _is_memory(url):
            kwargs["poolclass"] = StaticPool
    try:
        engine = create_engine(url, **kwargs)
    except (ArgumentError, ImportError) as exc:
        raise ConfigError(f"bad IDB URL {url!r}: {exc}", field="idb_url") from None
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        if create and not _is_memory(url) and engine.url.database:
            _private_file(Path(engine.url.database))  # REL-I3: 0600 before SQLite opens it
    if create:
        try:
            migrate.prepare(engine)  # a new IDB at the newest revision; an older one refused
        except SQLAlchemyError as exc:
            raise IdbError(
                f"cannot open the IDB at {url}: {exc.__class__.__name__}: {exc}"
            ) from None
    return engine


def journal_mode(engine: Engine) -> str:
    with engine.connect() as conn:
        return str(conn.execute(text("PRAGMA journal_mode")).scalar()).lower()
