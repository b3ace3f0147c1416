"""CLI test fixtures: a lab directory in tmp (``APPRM_HOME``) and a runner.

Every ``cli(...)`` call is a separate invocation, so state must persist in the lab dir.
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from apprm_ref.cli.main import app
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository


@pytest.fixture
def home(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    path = tmp_path / "lab"
    monkeypatch.setenv("APPRM_HOME", str(path))
    monkeypatch.delenv("APPRM_IDB_URL", raising=False)
    monkeypatch.delenv("APPRM_DEBUG", raising=False)
    # the credential the tests' Oracle configurations name (--password-ref env:ORA_PW), which
    # is validated when configured (REL-I3)
    monkeypatch.setenv("ORA_PW", "lab-oracle-pw")
    return path


@pytest.fixture
def cli():  # type: ignore[no-untyped-def]
    runner = CliRunner()

    def invoke(*args: str):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args))

    return invoke


@pytest.fixture
def lab(home, cli):  # type: ignore[no-untyped-def]
    res = cli("lab", "init", "--seed", "7")
    assert res.exit_code == 0, res.stdout + res.stderr
    return home


@pytest.fixture
def idb(lab):  # type: ignore[no-untyped-def]
    repo = SqlRepository(make_engine(file_url(lab / "idb.sqlite")))
    yield repo
    repo.engine.dispose()


def one_error_line(res, text: str) -> None:  # type: ignore[no-untyped-def]
    """A refused command: exit 2, exactly one line on stderr, no traceback."""
    assert res.exit_code == 2, (res.exit_code, res.stdout, res.stderr)
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("apprm: error: "), lines[0]
    assert text in lines[0], lines[0]
    assert "Traceback" not in res.stdout + res.stderr


# the collection key of every ``--json`` document that holds a list (docs/cli.md)
COLLECTIONS = {
    "sessions",
    "replicas",
    "findings",
    "specs",
    "configs",
    "sites",
    "results",
    "scenarios",
}


def doc(text: str):  # type: ignore[no-untyped-def]
    """A ``--json`` document's payload: it must carry ``schema_version`` 1; a collection
    document gives its list, any other its fields."""
    import json

    data = json.loads(text)
    assert isinstance(data, dict) and data.pop("schema_version") == 1, text[:200]
    keys = set(data)
    if len(keys) == 1 and keys <= COLLECTIONS:
        return data[keys.pop()]
    return data
