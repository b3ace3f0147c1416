"""REL-I4: bad input to any command is one clear line and exit 2, and changes nothing.

Two bounded Hypothesis fuzzers: random arguments to every command (its own option names
with random values: huge numbers, unicode, empty strings, negatives), and corrupted
``apprm lab load`` archives (truncated, wrong members, path traversal, non-files). A
refused command must leave the stored world and IDB exactly as they were.
"""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import tarfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command

from apprm_ref.cli.main import app

from .conftest import one_error_line

# long-running or environment-changing commands, fuzzed elsewhere or not at all:
# drills/swarm/conformance/fidelity run whole suites; completion writes shell rc files
SKIP = {"drill run", "swarm run", "swarm replay", "conformance run", "fidelity", "lab init"}


def _commands(group: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if hasattr(group, "commands"):  # a group of the click typer uses (maybe vendored)
        out: list[tuple[str, Any]] = []
        for name, sub in sorted(group.commands.items()):
            out += _commands(sub, f"{prefix} {name}".strip())
        return out
    return [(prefix, group)]


COMMANDS = [(p, c) for p, c in _commands(get_command(app)) if p not in SKIP]
VALUES = st.one_of(
    st.sampled_from(["", " ", "-1", "0", "1e309", "nan", "10" * 20, "2008/03/03-1", "../x"]),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.text(max_size=12),
)


def _argv(draw: Any) -> list[str]:
    path, cmd = draw(st.sampled_from(COMMANDS))
    opts = [o for p in cmd.params if getattr(p, "param_type_name", "") == "option" for o in p.opts]
    opts = [o for o in opts if o not in ("--help", "--follow", "-f")]
    argv = path.split()
    for _ in range(draw(st.integers(0, 4))):
        argv.append(draw(st.one_of(st.sampled_from(opts or ["--json"]), VALUES)))
        if draw(st.booleans()):
            argv.append(draw(VALUES))
    return argv


def lab_state(home: Path) -> str:
    """A digest of the stored world and every IDB row (the lab's whole durable state)."""
    db = sqlite3.connect(f"file:{home / 'idb.sqlite'}?mode=ro", uri=True)
    try:
        h = hashlib.sha256()
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in sorted(tables):
            for row in sorted(map(repr, db.execute(f'SELECT * FROM "{table}"'))):  # noqa: S608
                h.update(f"{table}:{row}\n".encode())
    finally:
        db.close()
    return h.hexdigest()


def _refused_cleanly(res: Any) -> None:
    text = res.stdout + res.stderr
    assert "Traceback" not in text and "internal error" not in text, text
    if res.exit_code == 2:
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1, res.stderr
        if lines[0].startswith("{"):  # with --json the error is JSON (one document)
            assert set(json.loads(lines[0])["error"]) == {"code", "message"}
        else:
            assert lines[0].startswith("apprm: error: "), res.stderr


@pytest.mark.rule("REL-I4")
def test_random_arguments_to_every_command(lab, cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a path argument is written or read here, never elsewhere

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data: Any) -> None:
        argv = _argv(data.draw)
        before = lab_state(lab)
        res = cli(*argv)
        _refused_cleanly(res)
        if res.exit_code == 2:
            assert lab_state(lab) == before, argv

    run()


@pytest.mark.rule("REL-I4")
@pytest.mark.parametrize(
    ("args", "limit"),
    [
        (("lab", "workload", "PROD", "--commits", "10001"), "10000"),
        (("lab", "workload", "PROD", "--commits", "9" * 30), "--commits"),
        (("--wait", "1e9", "stat"), "--wait"),
        (("sessions", "log", "X", "--timeout", "1e9"), "--timeout"),
    ],
)
def test_out_of_range_numbers_are_refused_with_the_limit(lab, cli, args, limit):
    before = lab_state(lab)
    one_error_line(cli(*args), limit)
    assert lab_state(lab) == before


def _archive(members: list[tuple[str, bytes, bytes]]) -> bytes:
    """A .tar.gz of (name, type, body): type b"f" file, b"d" directory, b"l" symlink."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, kind, body in members:
            info = tarfile.TarInfo(name)
            if kind == b"d":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif kind == b"l":
                info.type, info.linkname = tarfile.SYMTYPE, body.decode("utf-8", "replace")
                tar.addfile(info)
            else:
                info.size = len(body)
                tar.addfile(info, io.BytesIO(body))
    return buf.getvalue()


NAMES = st.sampled_from(
    ["world.json", "lab.yaml", "idb.sqlite", "../world.json", "/tmp/x", "a/../../b", "extra", ""]
)
MEMBERS = st.lists(
    st.tuples(NAMES, st.sampled_from([b"f", b"f", b"d", b"l"]), st.binary(max_size=64)),
    max_size=4,
)


@pytest.mark.rule("REL-I4")
def test_corrupt_lab_archives_are_refused_and_change_nothing(lab, cli, tmp_path):
    good = tmp_path / "good.tar.gz"
    assert cli("lab", "save", str(good)).exit_code == 0
    good_bytes = good.read_bytes()
    bad = tmp_path / "bad.tar.gz"

    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        st.one_of(
            MEMBERS.map(_archive),
            st.integers(0, len(good_bytes) - 1).map(lambda n: good_bytes[:n]),  # truncated
            st.binary(max_size=200),
        )
    )
    def run(body: bytes) -> None:
        bad.write_bytes(body)
        before = lab_state(lab)
        res = cli("lab", "load", str(bad), "--force")
        _refused_cleanly(res)
        assert res.exit_code == 2, res.stdout
        assert lab_state(lab) == before
        assert not (tmp_path / "world.json").exists() and not Path("/tmp/x").is_symlink()

    run()
