"""Command-line options of the BR*Tools: the letter or the whole word (SAP-11).

An option not in the tool's table is BR0153E ("Unknown option '%s' found at position %d"),
a missing value BR0155E, a value where none is taken BR0154E, a value outside the option's
domain BR0156E: all initialisation errors (rc 3), so nothing has been touched yet. An
option the real tool has but this simulator does not carry out is in no table, so it is
refused the same way, never ignored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apprm_ref.sim.sap.messages import RC_INIT, BrError, msg

REQUIRED, OPTIONAL, NONE = "required", "optional", "none"


@dataclass(frozen=True)
class Opt:
    letter: str  # "-t"
    words: tuple[str, ...]  # ("-type",)
    value: str = REQUIRED
    domain: tuple[str, ...] | None = None  # allowed values (None: any)

    @property
    def name(self) -> str:
        return self.letter


def common(devices: tuple[str, ...]) -> tuple[Opt, ...]:
    """``-u [user[/pw]]|/``, ``-c [force]``, ``-p <profile>``, ``-r <parfile>``, ``-d``: the
    options every BR*Tool here takes (SAP-11..SAP-14)."""
    return (
        Opt("-u", ("-user",), OPTIONAL),
        Opt("-c", ("-confirm",), OPTIONAL, ("", "force")),
        Opt("-p", ("-profile",)),
        Opt("-r", ("-parfile",)),
        Opt("-d", ("-device",), domain=devices),
    )


def parse(argv: Sequence[str], table: Sequence[Opt]) -> dict[str, str]:
    """``{"-t": "online_split", "-c": "", ...}`` keyed by the option letter."""
    by_name = {n: o for o in table for n in (o.letter, *o.words)}
    out: dict[str, str] = {}
    i = 0
    while i < len(argv):
        tok = argv[i]
        opt = by_name.get(tok)
        if opt is None:
            code = "BR0154E" if not tok.startswith("-") else "BR0153E"
            raise BrError(RC_INIT, msg(code, tok, i + 1))
        nxt = argv[i + 1] if i + 1 < len(argv) else None
        takes = nxt is not None and (not nxt.startswith("-") or nxt[1:2].isdigit())
        if opt.value == REQUIRED and not takes:
            raise BrError(RC_INIT, msg("BR0155E", tok))
        value = ""
        if opt.value != NONE and takes and nxt is not None:
            value, i = nxt, i + 1
        if opt.domain is not None and value not in opt.domain:
            raise BrError(RC_INIT, msg("BR0156E", value, tok))
        out[opt.letter] = value
        i += 1
    return out


def check_user(db: object, value: str | None) -> None:
    """``-u /`` (OS authentication), ``-u user/password``; a bad logon is BR0310E."""
    from apprm_ref.sim.oracle.backend import password_digest

    if value in (None, "", "/"):
        return
    user, _, password = value.partition("/")
    users = getattr(db, "users", {})
    if users.get(user.lower()) != password_digest(user, password):
        raise BrError(
            RC_INIT,
            msg("BR0301E", "ORA-01017: invalid username/password; logon denied", "connect"),
            msg("BR0310E", getattr(db, "sid", "")),
        )
