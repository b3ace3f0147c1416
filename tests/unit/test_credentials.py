"""Credential references and the lab's encrypted store (REL-I3): every bad reference is a
clear error naming the option and the reference's kind, never its target or the secret."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from apprm_ref import credentials as cr
from apprm_ref.errors import ConfigError

SECRET = "Tr0ub4dor&3"


@pytest.mark.rule("REL-I3")
@pytest.mark.parametrize(
    ("ref", "shown"),
    [
        ("env:ORA_PW", "env:****"),
        ("file:/etc/pw", "file:****"),
        ("keyring:svc/user", "keyring:****"),
        ("fernet:gAAAA", "fernet:****"),
        ("unset:lab-save", "unset:****"),
        (SECRET, "****"),
        (f"env{SECRET}", "****"),
        ("", ""),
    ],
)
def test_mask_shows_only_the_kind(ref: str, shown: str) -> None:
    assert cr.mask(ref) == shown


@pytest.mark.rule("REL-I3")
@pytest.mark.parametrize(
    ("ref", "why"),
    [
        (SECRET, "not a credential reference"),
        (f"env:{SECRET}", "not a credential reference"),  # not a variable name
        ("env:", "not a credential reference"),
        (f"file:{SECRET}", "not a credential reference"),  # not an absolute path
        (f"keyring:{SECRET}", "not a credential reference"),  # no service/user
        (f"obf1:{SECRET}", "not a credential reference"),  # the old XOR form is gone
        (f"fernet:{SECRET}", "not a credential reference"),  # made by the lab, not typed
        ("env:APPRM_TEST_UNSET_PW", "env:****: the environment variable is not set"),
        (f"file:/nonexistent/{SECRET}", "file:****: the file cannot be read (No such file"),
        ("keyring:apprm-test/nobody", "keyring:****"),
    ],
)
def test_bad_references_are_refused_without_echo(ref: str, why: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("APPRM_TEST_UNSET_PW", raising=False)
    with pytest.raises(ConfigError) as err:
        cr.validate(ref, "--password-ref")
    text = str(err.value)
    assert text.startswith("--password-ref: ") and why in text
    assert SECRET not in text and "APPRM_TEST_UNSET_PW" not in text and "nobody" not in text


@pytest.mark.rule("REL-I3")
def test_references_resolve(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("APPRM_TEST_PW", SECRET)
    assert cr.resolve("env:APPRM_TEST_PW", tmp_path) == SECRET
    pw = tmp_path / "pw"
    pw.write_text(SECRET + "\nignored\n")
    assert cr.resolve(f"file:{pw}", tmp_path) == SECRET
    empty = tmp_path / "empty"
    empty.write_text("\n")
    with pytest.raises(ConfigError, match="first line is empty"):
        cr.validate(f"file:{empty}", "--password-ref")


@pytest.mark.rule("REL-I3")
def test_fernet_store_key_file_is_private_and_never_the_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    token = cr.encrypt(SECRET, tmp_path)
    key = tmp_path / cr.KEY_FILE
    assert token.startswith("fernet:") and SECRET not in token
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert cr.encrypt(SECRET, tmp_path) != token  # a fresh IV each time
    assert cr.resolve(token, tmp_path) == SECRET
    key.chmod(0o644)
    with pytest.raises(ConfigError, match="readable by others"):
        cr.resolve(token, tmp_path)
    other = tmp_path / "other"
    cr.lab_key(other)  # another lab's key cannot read this lab's passwords
    with pytest.raises(ConfigError, match="not encrypted with this lab's") as err:
        cr.resolve(token, other)
    assert SECRET not in str(err.value) and token not in str(err.value)
    with pytest.raises(ConfigError, match="no secret.key"):
        cr.resolve(token, tmp_path / "nokey")


@pytest.mark.rule("REL-I3")
def test_scrub_drops_sealed_passwords_and_keeps_references() -> None:
    data = {
        "target": {"user": "system", "password_ref": "fernet:abc"},
        "catalog": {"user": "rman", "password_ref": "env:RMAN_PW"},
        "list": [{"password_ref": "fernet:def"}],
        "note": "fernet:kept (not a credential field)",
    }
    assert cr.scrub_data(data) == {
        "target": {"user": "system", "password_ref": "unset:lab-save"},
        "catalog": {"user": "rman", "password_ref": "env:RMAN_PW"},
        "list": [{"password_ref": "unset:lab-save"}],
        "note": "fernet:kept (not a credential field)",
    }
    with pytest.raises(ConfigError, match="not carried"):
        cr.resolve("unset:lab-save", Path("/nonexistent"))


@pytest.mark.rule("REL-I3")
def test_idb_file_is_created_private(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.idb.engine import file_url, make_engine

    path = tmp_path / "idb.sqlite"
    make_engine(file_url(path)).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # an IDB made before: tightened when opened
    make_engine(file_url(path)).dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
