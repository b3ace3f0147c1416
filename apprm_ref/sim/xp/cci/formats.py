"""Text RAID Manager prints: ``pairdisplay`` (default, ``-fc``, ``-fx``, ``-fd``, ``-fe``,
``-CLI``) and ``pairvolchk`` lines.

Layouts follow captured output: ``pairdisplay -IBC6 -g vgdbRPS -fcx`` in gdha's BC-exec.sh
workflow logs (Status followed directly by the comma, ``%`` right-aligned in 5 columns, the
partner LDEV in 8, ``W`` on a split P-VOL) and ``pairdisplay -l -fd -CLI`` on a TrueCopy
group (pastebin.com/FJqYmfxh). The ShadowImage ``-fd`` layouts and the SMPL dash fields are
inferred from the same geometry.

A :class:`Row` holds the values of one ``pairdisplay`` line; ``None`` prints as the dash
RAID Manager uses for "not applicable". ``mu is None`` marks a TrueCopy (CA) row.
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.sim.xp.cci.formats_ext import (
    Ext,
    ext_cli_header,
    ext_cli_tokens,
    ext_header,
    ext_suffix,
)

SI_HEADER = "Group   PairVol(L/R) (Port#,TID, LU-M) ,Seq#,LDEV#.P/S,Status, Seq#,P-LDEV# M"
SI_HEADER_FC = "Group   PairVol(L/R) (Port#,TID, LU-M) ,Seq#,LDEV#.P/S,Status,   % ,P-LDEV# M"
TC_HEADER = "Group   PairVol(L/R) (Port#,TID, LU),Seq#,LDEV#.P/S,Status,Fence,Seq#,P-LDEV# M"
TC_HEADER_FC = "Group   PairVol(L/R) (Port#,TID, LU),Seq#,LDEV#.P/S,Status,Fence,   %,P-LDEV# M"
SI_CLI = "Group PairVol L/R Port# TID LU-M Seq# LDEV# P/S Status Seq# P-LDEV# M"
SI_CLI_FC = "Group PairVol L/R Port# TID LU-M Seq# LDEV# P/S Status % P-LDEV# M"
TC_CLI = "Group PairVol L/R Port# TID LU Seq# LDEV# P/S Status Fence Seq# P-LDEV# M"
TC_CLI_FC = "Group PairVol L/R Port# TID LU Seq# LDEV# P/S Status Fence % P-LDEV# M"
SI_FD = "Group   PairVol(L/R) Device_File M ,Seq#,LDEV#.P/S,Status, Seq#,P-LDEV# M"
TC_FD = "Group   PairVol(L/R) Device_File ,Seq#,LDEV#.P/S,Status,Fence,Seq#,P-LDEV# M"
SI_FD_CLI = "Group PairVol L/R Device_File M Seq# LDEV# P/S Status Seq# P-LDEV# M"
TC_FD_CLI = "Group PairVol L/R Device_File Seq# LDEV# P/S Status Fence Seq# P-LDEV# M"


@dataclass(frozen=True)
class Row:
    group: str
    dev: str
    lr: str  # L | R
    port: str | None  # CL1-A-0 (port and host group); None: no LUN path
    tid: int | None
    lu: int | None
    mu: int | None  # None on TrueCopy rows
    serial: int
    ldev: int
    ps: str  # P-VOL | S-VOL | SMPL
    status: str | None  # None when SMPL
    partner_serial: int | None = None
    percent: int | None = None
    partner_ldev: int | None = None
    m: str = "-"
    fence: str | None = None  # TrueCopy only
    device: str | None = None  # host device file (-fd); None prints "Unknown"
    ext: Ext | None = None  # -fe columns (formats_ext.py)


def _v(value: object, dash: str = "-") -> str:
    return dash if value is None else str(value)


def _ldev(value: int | None, hexa: bool, dash: str = "-") -> str:
    if value is None:
        return dash
    return format(value, "x") if hexa else str(value)


def header(*, tc: bool, fc: bool, cli: bool, fd: bool = False) -> str:
    if fd:
        return (TC_FD_CLI if tc else SI_FD_CLI) if cli else (TC_FD if tc else SI_FD)
    if cli:
        return (TC_CLI_FC if fc else TC_CLI) if tc else (SI_CLI_FC if fc else SI_CLI)
    return (TC_HEADER_FC if fc else TC_HEADER) if tc else (SI_HEADER_FC if fc else SI_HEADER)


def format_row(
    row: Row, *, fc: bool = False, hexa: bool = False, cli: bool = False, fd: bool = False
) -> str:
    if cli:
        return _cli_row(row, fc, hexa, fd)
    return _default_row(row, fc, hexa, fd)


def _cli_row(row: Row, fc: bool, hexa: bool, fd: bool = False) -> str:
    tokens = [row.group, row.dev, row.lr]
    if fd:
        tokens.append(row.device or "Unknown")
    else:
        tokens += [_v(row.port), _v(row.tid), _v(row.lu)]
    if row.mu is not None:
        tokens.append(str(row.mu))
    tokens += [str(row.serial), _ldev(row.ldev, hexa), row.ps, _v(row.status)]
    if row.mu is None:
        tokens.append(_v(row.fence))
    tokens += [_v(row.percent if fc else row.partner_serial), _ldev(row.partner_ldev, hexa), row.m]
    return " ".join(tokens)


def _default_row(row: Row, fc: bool, hexa: bool, fd: bool = False) -> str:
    name = f"{row.group:<7} {row.dev + '(' + row.lr + ')':<12} "
    lu = _v(row.lu)
    if fd:
        where = f"{row.device or 'Unknown':<11} " + ("" if row.mu is None else f"{row.mu} ")
    elif row.mu is None:
        where = f"({_v(row.port)},{_v(row.tid):>2},{lu:>3})"
    else:
        where = f"({_v(row.port)},{_v(row.tid):>2},{lu:>4}-{row.mu} )"
    vol = f"{row.serial}{_ldev(row.ldev, hexa):>6}"
    if row.ps == "SMPL":
        fence = " ------" if row.mu is None else ""
        width = 8 if row.mu is not None else 7
        return f"{name}{where}{vol}.SMPL ----{fence},-----{'----':>{width}} -"
    status = row.status or "-"
    if row.mu is None:
        status = f"{status} {_v(row.fence):<6}"
    width = 8 if row.mu is not None else 7  # ShadowImage: the BC-exec.sh capture
    first = _v(row.percent) if fc else _v(row.partner_serial, "-----")
    tail = f"{first:>5}{_ldev(row.partner_ldev, hexa):>{width}}"
    return f"{name}{where}{vol}.{row.ps} {status},{tail} {row.m}"


def pairdisplay_text(
    rows: list[Row],
    *,
    tc: bool,
    fc: bool = False,
    hexa: bool = False,
    cli: bool = False,
    fd: bool = False,
    fe: bool = False,
) -> str:
    lines = [header(tc=tc, fc=fc and not fd, cli=cli, fd=fd)]
    lines += [format_row(r, fc=fc and not fd, hexa=hexa, cli=cli, fd=fd) for r in rows]
    if fe:
        exts = [r.ext or Ext() for r in rows]
        if cli:
            head = " " + ext_cli_header()
            tails = [" " + " ".join(ext_cli_tokens(e)) for e in exts]
        else:
            head, tails = ext_header(), [ext_suffix(e) for e in exts]
        lines = [lines[0] + head] + [ln + t for ln, t in zip(lines[1:], tails, strict=True)]
    return "\n".join(lines) + "\n"


def pairvolchk_line(attribute: str, status: str | None, *, fence: str | None = None) -> str:
    """``pairvolchk : Volstat is P-VOL.[status = PAIR ]`` (``SMPL.`` when simplex)."""
    if attribute == "SMPL" or status is None:
        return "pairvolchk : Volstat is SMPL."
    extra = f" fence = {fence} " if fence else " "
    return f"pairvolchk : Volstat is {attribute}.[status = {status}{extra}]"
