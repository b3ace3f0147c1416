"""A real PostgreSQL server for the tests, started once per test session.

``initdb`` and ``pg_ctl`` of the installed server (Debian's ``postgresql`` package; ``.ci/run``
installs it) make a cluster in a temporary directory, listening on a free port of
127.0.0.1 and on a socket in that directory, with trust authentication for the tests'
role. PostgreSQL refuses to run as root, so as root the cluster belongs to the
``postgres`` system user and is run through ``runuser``. Each test gets its own schema
(``search_path`` in the URL), so tests never see each other's rows and need no new database.
The server is stopped (``-m immediate``) and its directory removed at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

ROLE, DATABASE = "apprm", "apprm"
_SCHEMAS = count(1)


def binaries() -> Path | None:
    """The directory of ``initdb``/``pg_ctl``, or None when no server is installed."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return Path(versions[-1]).parent if versions else None


def missing() -> str | None:
    if binaries() is None:
        return "no PostgreSQL server installed (Debian package postgresql; .ci/run installs it)"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install 'apprm-ref[postgresql]')"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgServer:
    bindir: Path
    root: Path
    port: int
    owner: str | None  # the system user running it (as root), else the current user

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _run(self, *args: str) -> None:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        if self.owner is not None:
            cmd = ["runuser", "-u", self.owner, "--", *cmd]
        res = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if res.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {res.stdout}{res.stderr}")

    def start(self) -> None:
        self._run(
            "initdb", "-D", str(self.data), "-U", ROLE, "-A", "trust", "--no-sync", "-E", "UTF8"
        )
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        opts += " -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", opts, "-l", str(self.root / "log"), "-w", "start"
        )
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", ROLE, DATABASE)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, schema: str | None = None) -> str:
        base = f"postgresql+psycopg://{ROLE}@127.0.0.1:{self.port}/{DATABASE}"
        return base if schema is None else f"{base}?options=-csearch_path%3D{schema}"

    def fresh_url(self) -> str:
        """A URL whose tables live in a new, empty schema of their own."""
        import psycopg

        schema = f"t{next(_SCHEMAS)}"
        with psycopg.connect(self.url().replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
        return self.url(schema)


def _owner() -> str | None:
    if os.getuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
    return "postgres"


@pytest.fixture(scope="session")
def postgresql_server() -> Iterator[PgServer]:
    reason = missing()
    if reason is not None:
        if os.environ.get("APPRM_CI"):  # .ci/run installs it: there, missing is a failure
            pytest.fail(reason)
        pytest.skip(reason)
    bindir = binaries()
    assert bindir is not None
    root = Path(tempfile.mkdtemp(prefix="apprm-pg-"))
    owner = _owner()
    if owner is not None:
        shutil.chown(root, owner)
    server = PgServer(bindir, root, _free_port(), owner)
    try:
        server.start()
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_url(postgresql_server: PgServer) -> str:
    """A fresh schema on the session's server."""
    return postgresql_server.fresh_url()
