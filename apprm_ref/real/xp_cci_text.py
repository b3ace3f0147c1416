"""Parsing what RAID Manager prints (protocols.md 2.5-2.8), for the real XP driver.

Kept free of any simulator import: this is the code that would read a real array's output.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from apprm_ref.errors import XpError

# protocols.md 2.8; a test checks this copy equals the simulator's table
EXIT_CODES: dict[str, int] = {
    "EX_COMERR": 255, "EX_REQARG": 254, "EX_INVARG": 253, "EX_UNWOPT": 252, "EX_ATTHOR": 251,
    "EX_ATTDBG": 250, "EX_INVNAM": 249, "EX_OPTINV": 248, "EX_ENOENT": 247, "EX_ENODEV": 246,
    "EX_ENOUNT": 245, "EX_ENQSER": 244, "EX_ENOMEM": 243, "EX_ENORMT": 242, "EX_INVMOD": 241,
    "EX_INVCMD": 240, "EX_ENOGRP": 239, "EX_UNWCOD": 238, "EX_CMDIOE": 237, "EX_ENQVOL": 236,
    "EX_EVOLCE": 235, "EX_EWSUSE": 234, "EX_EWSTOT": 233, "EX_EWSLTO": 232, "EX_ESTMON": 231,
    "EX_UNWERR": 230, "EX_INCSTG": 229, "EX_INVSTP": 228, "EX_ENLDEV": 227, "EX_INVVOL": 222,
    "EX_CMDRJE": 221, "EX_ENOOBJ": 205, "EX_ENAUTH": 202,
}  # fmt: skip
CODE_NAMES = {v: k for k, v in EXIT_CODES.items()}
_EX = re.compile(r"\[(EX_[A-Z]+)\]")


@dataclass(frozen=True)
class PairRow:
    """One ``pairdisplay`` line; ``None`` where RAID Manager prints a dash."""

    group: str
    dev: str
    lr: str
    port: str | None
    tid: int | None
    lu: int | None
    mu: int | None  # None on TrueCopy rows
    serial: int
    ldev: int
    ps: str  # P-VOL | S-VOL | SMPL
    status: str | None
    partner_serial: int | None = None
    percent: int | None = None
    partner_ldev: int | None = None
    m: str = "-"
    fence: str | None = None


def error_code(rc: int, stderr: str) -> str:
    """The ``EX_*`` name of a failed command: from its message, else from the exit code."""
    m = _EX.search(stderr)
    return m.group(1) if m else CODE_NAMES.get(rc, "EX_UNWERR")


def raise_for(cmd: str, rc: int, stderr: str) -> None:
    if rc > 127:
        code = error_code(rc, stderr)
        raise XpError(stderr.strip() or f"{cmd} failed with exit {rc}", code=code)


def _num(tok: str | None, hexa: bool = False) -> int | None:
    if tok is None or set(tok) <= {"-"}:
        return None
    return int(tok, 16) if hexa else int(tok)


def _dash(tok: str) -> str | None:
    return None if set(tok) <= {"-"} else tok


_SI = re.compile(
    r"^(?P<group>\S+)\s+(?P<dev>\S+)\((?P<lr>[LR])\)\s+"
    r"\((?P<port>[^,]+),\s*(?P<tid>[^,]+),\s*(?P<lu>\d+|-)-(?P<mu>\d+)\s*\)"
    r"(?P<serial>\d+)\s+(?P<ldev>[0-9a-fA-F]+)\.(?P<ps>P-VOL|S-VOL|SMPL)\s+"
    r"(?P<status>\S+)\s*,\s*(?P<p1>\S+)\s+(?P<pldev>\S+)\s+(?P<m>\S+)\s*$"
)
_TC = re.compile(
    r"^(?P<group>\S+)\s+(?P<dev>\S+)\((?P<lr>[LR])\)\s+"
    r"\((?P<port>[^,]+),\s*(?P<tid>[^,]+),\s*(?P<lu>\d+|-)\)"
    r"(?P<serial>\d+)\s+(?P<ldev>[0-9a-fA-F]+)\.(?P<ps>P-VOL|S-VOL|SMPL)\s+"
    r"(?P<status>\S+)\s+(?P<fence>\S+)\s*,\s*(?P<p1>\S+)\s+(?P<pldev>\S+)\s+(?P<m>\S+)\s*$"
)


def parse_pairdisplay(text: str, *, hexa: bool = False) -> list[PairRow]:
    """Rows of any ``pairdisplay`` layout (default, ``-fc``, ``-CLI``; ``hexa`` for ``-fx``)."""
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines or not lines[0].startswith("Group"):
        raise XpError(f"pairdisplay output without header: {text[:80]!r}", code="EX_UNWERR")
    head = lines[0]
    cli, tc, fc = head.split()[1] == "PairVol", "Fence" in head, "%" in head
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        row = _cli(line, tc, fc, hexa) if cli else _default(line, tc, fc, hexa)
        if row is None:
            raise XpError(f"pairdisplay line {n} not understood: {line!r}", code="EX_UNWERR")
        rows.append(row)
    return rows


def _cli(line: str, tc: bool, fc: bool, hexa: bool) -> PairRow | None:
    t = line.split()
    if len(t) != 14:
        return None
    if tc:
        mu, rest, fence = None, t[6:], _dash(t[10])
        serial, ldev, ps, status, p1, pldev, m = (
            rest[0],
            rest[1],
            rest[2],
            rest[3],
            t[11],
            t[12],
            t[13],
        )
    else:
        mu, fence = _num(t[6]), None
        serial, ldev, ps, status, p1, pldev, m = t[7], t[8], t[9], t[10], t[11], t[12], t[13]
    return PairRow(
        t[0], t[1], t[2], _dash(t[3]), _num(t[4]), _num(t[5]), mu, int(serial),
        int(ldev, 16) if hexa else int(ldev), ps, _dash(status),
        None if fc else _num(p1), _num(p1) if fc else None, _num(pldev, hexa), m, fence,
    )  # fmt: skip


def _default(line: str, tc: bool, fc: bool, hexa: bool) -> PairRow | None:
    m = (_TC if tc else _SI).match(line)
    if m is None:
        return None
    g = m.groupdict()
    p1 = _num(g["p1"])
    return PairRow(
        g["group"], g["dev"], g["lr"], _dash(g["port"].strip()), _num(g["tid"].strip()),
        _num(g["lu"]), None if tc else int(g["mu"]), int(g["serial"]),
        int(g["ldev"], 16) if hexa else int(g["ldev"]), g["ps"], _dash(g["status"]),
        None if fc else p1, p1 if fc else None, _num(g["pldev"], hexa), g["m"],
        _dash(g["fence"]) if tc else None,
    )  # fmt: skip


_VOLCHK = re.compile(
    r"Volstat is (?P<attr>P-VOL|S-VOL|SMPL)\.(?:\[status = (?P<status>\S+)(?: fence = (?P<fence>\S+))?\s*(?:CTGID = \d+)?\s*\])?"
)


def parse_pairvolchk(text: str) -> tuple[str, str | None, str | None]:
    """(attribute, status, fence) of a ``pairvolchk`` line."""
    m = _VOLCHK.search(text)
    if m is None:
        raise XpError(f"pairvolchk output not understood: {text!r}", code="EX_UNWERR")
    return m.group("attr"), m.group("status"), m.group("fence")


def ldev_text(number: int) -> str:
    """LDEV number -> ``CU:LDEV`` as the orchestrator names XP volumes."""
    return f"{number >> 8:02X}:{number & 0xFF:02X}"


def ldev_num(text: str) -> int:
    cu, _, ld = text.partition(":")
    return int(cu, 16) * 256 + int(ld, 16) if ld else int(text, 0)


def parse_ldev(text: str) -> dict[str, str]:
    """``raidcom get ldev`` ``KEY : value`` lines (the first LDEV of the output)."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        key = key.strip()
        if not sep or not key:
            continue
        if key in out:  # the next LDEV begins
            break
        out[key] = value.strip()
    return out
