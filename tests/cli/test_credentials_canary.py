"""REL-I3 canary: one password configured through every path (stdin, env:, file:, keyring:
with an in-memory backend) and used by backups, restores and a drill, then looked for in
the IDB file's bytes, every lab file, a ``lab save`` archive, the drill's trace, report and
JUnit file, every command's output (``--json`` included) and the errors of mistyped
options. It must be nowhere."""

from __future__ import annotations

import stat
import tarfile
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from typer.testing import CliRunner

from apprm_ref.cli.main import app

from .conftest import doc

CANARY = "Canary-7f3e-Secret"
SCENARIO = Path(__file__).parents[2] / "scenarios" / "oracle-online-pitr.yaml"


class MemoryKeyring(KeyringBackend):
    """A keyring backend that keeps entries in memory (the test's OS keyring)."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.items.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.items[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.items.pop((service, username), None)


@pytest.fixture
def memory_keyring():  # type: ignore[no-untyped-def]
    old = keyring.get_keyring()
    ring = MemoryKeyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(old)


class Recorder:
    """Runs ``apprm`` commands and keeps every byte they print."""

    def __init__(self) -> None:
        self.runner = CliRunner()
        self.seen: list[str] = []

    def __call__(self, *args: str, stdin: str | None = None, code: int | None = 0):  # type: ignore[no-untyped-def]
        res = self.runner.invoke(app, list(args), input=stdin)
        self.seen.append(res.stdout + res.stderr)
        if code is not None:
            assert res.exit_code == code, (args, res.exit_code, res.stdout, res.stderr)
        return res


def _configure_every_path(run: Recorder, home: Path, tmp: Path, ring: MemoryKeyring) -> None:
    base = ["--host", "app1", "--oracle-home", "/u01/app/oracle"]
    run("oracle", "config", "set", "PROD", *base, "--password-stdin", "--catalog-user", "rman",
        stdin=CANARY + "\n")  # fmt: skip
    run("oracle", "config", "set", "PRDX", *base, "--password-ref", "env:CANARY_PW")
    secret_file = tmp / "ora.pw"
    secret_file.write_text(CANARY + "\n")
    secret_file.chmod(0o600)
    run("oracle", "config", "set", "FILEDB", *base, "--password-ref", f"file:{secret_file}")
    ring.set_password("apprm-oracle", "system", CANARY)
    run("oracle", "config", "set", "KEYDB", *base, "--password-ref", "keyring:apprm-oracle/system")


def _mistype(run: Recorder) -> None:
    """Mistyped options: refused (exit 2), the canary never echoed."""
    base = ["oracle", "config", "set", "BAD", "--host", "app1", "--oracle-home", "/u01"]
    run(*base, "--password-stdin", CANARY, stdin="x\n", code=2)
    run(*base, "--password", CANARY, code=2)
    run(*base, "--password-ref", CANARY, code=2)
    run(*base, "--password-ref", f"env:{CANARY}", code=2)  # the password where a name goes
    run(*base, "--password-ref", f"keyring:{CANARY}", code=2)
    run(*base, "--password-ref", f"file:/nonexistent/{CANARY}", code=2)
    run(*base, "--password-ref", "env:CANARY_PW", "--password-stdin", stdin=CANARY + "\n", code=2)


def _use_it(run: Recorder, home: Path, tmp: Path) -> None:
    run("spec", "create", "--name", "ora", "--type", "oracle", "--host", "app1",
        "--backup-host", "bk1", "--array", "eva1", "--object", "PROD",
        "--opt", "snapshot_type=snapclone", "--opt", "replicas=2")  # fmt: skip
    run("lab", "workload", "PROD", "--commits", "20")
    backup = doc(run("backup", "ora", "--json").stdout)["id"]
    run("lab", "advance", "1h")
    run("restore", "--session", backup, "--method", "copy-back", "--json")
    for args in (
        ("sessions", "list", "--json"),
        ("sessions", "show", backup, "--json"),
        ("sessions", "show", backup),
        ("replicas", "list", "--json", "--all"),
        ("oracle", "config", "list", "--json"),
        ("oracle", "config", "list"),
        ("oracle", "check", "PROD", "--json"),
        ("stat",),
    ):
        run(*args, code=None)
    for sid in ("PROD", "PRDX", "FILEDB", "KEYDB"):
        shown = doc(run("oracle", "config", "show", sid, "--json").stdout)
        assert shown["target"]["password_ref"].endswith(":****"), shown
        run("oracle", "config", "show", sid)
    run("drill", "run", str(SCENARIO), "--trace", str(tmp / "t.jsonl"),
        "--report", str(tmp / "r.html"), "--junit", str(tmp / "j.xml"), code=None)  # fmt: skip


def _files(*roots: Path) -> list[Path]:
    return sorted(p for root in roots for p in root.rglob("*") if p.is_file())


@pytest.mark.rule("REL-I3")
def test_canary_password_is_nowhere(home, tmp_path, monkeypatch, memory_keyring):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CANARY_PW", CANARY)
    run = Recorder()
    run("lab", "init", "--seed", "7")
    _configure_every_path(run, home, tmp_path, memory_keyring)
    _mistype(run)
    _use_it(run, home, tmp_path)
    archive = tmp_path / "lab.tar.gz"
    run("lab", "save", str(archive))
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive) as tar:
        assert "secret.key" not in tar.getnames()
        tar.extractall(unpacked, filter="data")
    needle = CANARY.encode()
    for path in _files(home, unpacked):
        assert needle not in path.read_bytes(), path
    for name in ("t.jsonl", "r.html", "j.xml"):  # the drill's trace, report and JUnit file
        assert needle not in (tmp_path / name).read_bytes(), name
    assert needle not in archive.read_bytes()
    for out in run.seen:
        assert CANARY not in out, out
    for private in ("idb.sqlite", "secret.key"):
        assert stat.S_IMODE((home / private).stat().st_mode) == 0o600, private


@pytest.mark.rule("REL-I3")
def test_a_loaded_lab_needs_the_password_again_and_keeps_references(home, tmp_path):  # type: ignore[no-untyped-def]
    from apprm_ref import credentials
    from apprm_ref.core.integrations import oracle_config as oc
    from apprm_ref.idb.engine import file_url, make_engine
    from apprm_ref.idb.repository import SqlRepository

    run = Recorder()
    run("lab", "init", "--seed", "7")
    run("oracle", "config", "set", "PROD", "--host", "app1", "--oracle-home", "/u01",
        "--password-stdin", stdin=CANARY + "\n")  # fmt: skip
    run("oracle", "config", "set", "PRDX", "--host", "app1", "--oracle-home", "/u01",
        "--password-ref", "env:ORA_PW")  # fmt: skip
    repo = SqlRepository(make_engine(file_url(home / "idb.sqlite")))
    sealed = oc.load_config(repo, "PROD")
    repo.engine.dispose()
    assert sealed is not None and oc.password_of(sealed.target, home) == CANARY
    run("lab", "save", str(tmp_path / "lab.tar.gz"))
    other = tmp_path / "other"
    run("--home", str(other), "lab", "load", str(tmp_path / "lab.tar.gz"))
    assert stat.S_IMODE((other / "idb.sqlite").stat().st_mode) == 0o600
    assert not (other / credentials.KEY_FILE).exists()
    shown = doc(run("--home", str(other), "oracle", "config", "show", "PROD", "--json").stdout)
    assert shown["target"]["password_ref"] == "unset:****"
    repo = SqlRepository(make_engine(file_url(other / "idb.sqlite")))
    try:
        prod, prdx = oc.load_config(repo, "PROD"), oc.load_config(repo, "PRDX")
    finally:
        repo.engine.dispose()
    assert prod is not None and prdx is not None
    with pytest.raises(Exception, match="not carried by 'apprm lab save'"):
        oc.password_of(prod.target, other)
    assert oc.password_of(prdx.target, other) == "lab-oracle-pw"  # the reference travelled
