"""API tokens with two roles: ``operator`` (may change the lab) and ``viewer`` (reads only).

Tokens are kept as SHA-256 digests in ``<lab>/api-tokens.json`` (mode 0600), so the file
never holds a usable secret; :func:`issue` adds one and returns the token, shown once.
A request carries it as ``Authorization: Bearer <token>`` or, from the console, in the
``apprm_token`` cookie set by the login page. The check runs before any handler, so a
refused request (401 no or unknown token, 403 a viewer asking to change something) reads
and changes nothing (ECO-I1).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from apprm_ref.errors import ConfigError
from apprm_ref.lab.atomic import write_atomic

TOKENS_FILE = "api-tokens.json"
COOKIE = "apprm_token"


class Role(StrEnum):
    OPERATOR = "operator"
    VIEWER = "viewer"

    def may_write(self) -> bool:
        return self is Role.OPERATOR


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class TokenStore:
    """The lab's tokens (digests and roles)."""

    path: Path

    def _read(self) -> list[dict[str, str]]:
        if not self.path.exists():
            return []
        try:
            entries = json.loads(self.path.read_text())["tokens"]
            return [{"sha256": str(e["sha256"]), "role": Role(e["role"]).value} for e in entries]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"not a token file: {exc}", file=str(self.path)) from None

    def role_of(self, token: str | None) -> Role | None:
        if not token:
            return None
        wanted = _digest(token)
        found = None
        for entry in self._read():  # compare every entry: no early exit to time
            if hmac.compare_digest(entry["sha256"], wanted):
                found = Role(entry["role"])
        return found

    def issue(self, role: Role) -> str:
        token = secrets.token_urlsafe(24)
        entries = [*self._read(), {"sha256": _digest(token), "role": role.value}]
        write_atomic(self.path, json.dumps({"tokens": entries}, indent=2) + "\n")
        self.path.chmod(0o600)  # digests only, but nobody else's business
        return token

    def empty(self) -> bool:
        return not self._read()


def tokens_for(home: Path) -> TokenStore:
    return TokenStore(home / TOKENS_FILE)


def issue(home: Path, role: Role | str) -> str:
    """A new token of ``role`` for the lab at ``home`` (printed once by ``apprm serve``)."""
    return tokens_for(home).issue(Role(role))
