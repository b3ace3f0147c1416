"""Credentials (REL-I3): references to a secret store by default, encrypted when stored.

A stored credential is one of

- ``env:NAME`` - the environment variable ``NAME`` of the process that needs it;
- ``file:/absolute/path`` - the first line of a file (keep it mode 0600);
- ``keyring:service/user`` - the OS keyring through the ``keyring`` library;
- ``fernet:TOKEN`` - a password given on standard input, encrypted with Fernet
  (``cryptography``) under the key file ``secret.key`` (mode 0600) in the lab home, made on
  first use; the key is never in the IDB, in an archive or in the source.

A reference is validated when it is configured (the variable is set, the file is readable,
the keyring holds an entry) and shown only masked (``env:****``): a password typed where a
name was expected must not come back in any output, error message included.
"""

from __future__ import annotations

import dataclasses
import os
import re
import stat
from pathlib import Path
from typing import Any

from apprm_ref.errors import ConfigError

SCHEMES = ("env", "file", "keyring")
STORED = "fernet"  # encrypted under the lab's key file
NOT_CARRIED = "unset"  # an encrypted password dropped by ``lab save`` (the key stays behind)
KEY_FILE = "secret.key"
MASK = "****"
FORMS = "env:NAME, file:/absolute/path or keyring:service/user"
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def mask(ref: str) -> str:
    """How a stored credential is shown: its kind only (``env:****``), "" when none."""
    if not ref:
        return ""
    scheme, sep, _ = ref.partition(":")
    known = (*SCHEMES, STORED, NOT_CARRIED)
    return f"{scheme}:{MASK}" if sep and scheme in known else MASK


def parse(ref: str, field: str) -> tuple[str, str]:
    """(scheme, target) of a reference a user gave; a malformed one is refused without
    echoing it (it may be the password itself)."""
    scheme, sep, target = ref.partition(":")
    ok = sep and (
        (scheme == "env" and _ENV_NAME.match(target))
        or (scheme == "file" and target.startswith("/") and len(target) > 1)
        or (scheme == "keyring" and _keyring_parts(target) is not None)
    )
    if not ok:
        raise ConfigError(
            f"not a credential reference: use {FORMS} (the value given is not shown)",
            field=field,
        )
    return scheme, target


def _keyring_parts(target: str) -> tuple[str, str] | None:
    service, sep, user = target.rpartition("/")
    return (service, user) if sep and service and user else None


def validate(ref: str, field: str) -> str:
    """``ref`` if it is well formed and resolves now; else a ConfigError that names the
    option and the reference's kind, never its target or the secret."""
    resolve_ref(ref, field)
    return ref


def resolve_ref(ref: str, field: str) -> str:
    """The secret an ``env:``/``file:``/``keyring:`` reference points to."""
    scheme, target = parse(ref, field)
    shown = mask(ref)
    if scheme == "env":
        value = os.environ.get(target)
        if not value:
            raise ConfigError(f"{shown}: the environment variable is not set", field=field)
        return value
    if scheme == "file":
        return _read_file(target, shown, field)
    return _from_keyring(target, shown, field)


def _read_file(path: str, shown: str, field: str) -> str:
    try:
        with open(path, encoding="utf-8") as fh:
            value = fh.readline().rstrip("\r\n")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        raise ConfigError(f"{shown}: the file cannot be read ({why})", field=field) from None
    if not value:
        raise ConfigError(f"{shown}: the file's first line is empty", field=field)
    return value


def _from_keyring(target: str, shown: str, field: str) -> str:
    import keyring
    from keyring.errors import KeyringError

    service, user = _keyring_parts(target) or ("", "")
    try:
        value = keyring.get_password(service, user)
    except KeyringError as exc:
        raise ConfigError(
            f"{shown}: the keyring is not available ({type(exc).__name__})", field=field
        ) from None
    if not value:
        raise ConfigError(f"{shown}: the keyring holds no such entry", field=field)
    return value


# --- passwords stored in the IDB: Fernet under the lab's key file ------------------------------


def private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 if it does not exist (so what is written to it
    later, by SQLite included, is never readable by others); tighten an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.close(fd)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(0o600)


def lab_key(home: Path) -> bytes:
    """The lab's Fernet key, made on first use (mode 0600); a key file others can read is
    refused, since anyone who can read it can read every stored password."""
    from cryptography.fernet import Fernet

    path = home / KEY_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(Fernet.generate_key())
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise ConfigError(f"{path} is readable by others: chmod 600 it", file=str(path))
    return path.read_bytes().strip()


def encrypt(password: str, home: Path) -> str:
    from cryptography.fernet import Fernet

    return f"{STORED}:" + Fernet(lab_key(home)).encrypt(password.encode()).decode()


def decrypt(ref: str, home: Path, field: str) -> str:
    from cryptography.fernet import Fernet, InvalidToken

    if not (home / KEY_FILE).exists():
        raise ConfigError(
            f"{mask(ref)}: this lab has no {KEY_FILE}; set the password again", field=field
        )
    try:
        return Fernet(lab_key(home)).decrypt(ref.partition(":")[2].encode()).decode()
    except (InvalidToken, ValueError):
        raise ConfigError(
            f"{mask(ref)}: not encrypted with this lab's {KEY_FILE}; set the password again",
            field=field,
        ) from None


def resolve(ref: str, home: Path, field: str = "password") -> str:
    """The clear secret of a stored credential, for a real driver's connection only:
    never logged, shown or stored."""
    scheme = ref.partition(":")[0]
    if scheme == STORED:
        return decrypt(ref, home, field)
    if scheme == NOT_CARRIED:
        raise ConfigError(
            "the password was not carried by 'apprm lab save'; set it again "
            "(--password-stdin) or use a reference",
            field=field,
        )
    return resolve_ref(ref, field)


def scrubbed(ref: str) -> str:
    """What an archive keeps of a stored credential: references as they are (they hold no
    secret), encrypted passwords dropped (their key is not archived either)."""
    return f"{NOT_CARRIED}:lab-save" if ref.partition(":")[0] == STORED else ref


def scrub_data(data: Any) -> Any:
    """``data`` (an application configuration's JSON) with every stored credential
    :func:`scrubbed`: what ``lab save`` archives."""
    if isinstance(data, dict):
        return {
            k: scrubbed(v) if k.endswith("password_ref") and isinstance(v, str) else scrub_data(v)
            for k, v in data.items()
        }
    if isinstance(data, list):
        return [scrub_data(v) for v in data]
    return data


def scrub_idb(repo: Any) -> int:
    """Drop every encrypted password from the IDB behind ``repo`` (an archive's copy);
    how many configurations changed."""
    changed = 0
    for cfg in repo.list_configs():
        clean = scrub_data(cfg.data)
        if clean != cfg.data:
            repo.save_config(dataclasses.replace(cfg, data=clean))
            changed += 1
    return changed
