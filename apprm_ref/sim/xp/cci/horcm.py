"""``horcm<n>.conf`` parsing (protocols.md 2.2).

Sections start with a line holding the section name; ``#`` starts a comment; columns are
whitespace separated. Every error is a :class:`~apprm_ref.errors.ConfigError` naming the
file, the line and the section.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apprm_ref.errors import ConfigError

SECTIONS = (
    "HORCM_MON",
    "HORCM_CMD",
    "HORCM_DEV",
    "HORCM_LDEV",
    "HORCM_INST",
    "HORCM_INSTP",
    "HORCM_LDEVG",
    "HORCM_VCMD",
    "HORCM_ALLOW_INST",
)
_PORT = re.compile(r"^CL[0-9A-Z]-[A-Z](-\d+)?$", re.I)
# ``\\.\CMD-<serial>[-<ldev>...][:<hint>]``; ``\\.\IPCMD-<ip>-<port>[-unit]`` is a
# command device reached over the network and names no serial (HP XP7 / CCI 01-2x manuals)
_CMD_SERIAL = re.compile(r"^\\\\\.\\CMD-(\d+)", re.I)
_IPCMD = re.compile(r"^\\\\\.\\IPCMD-(?P<ip>[0-9A-Fa-f.:]+)-(?P<port>\d+)(-\d+)?$", re.I)
# MU# of HORCM_DEV / HORCM_LDEV: 0..2 ShadowImage, 3..63 Thin Image, h0..h3 the mirror of
# a TrueCopy / Universal Replicator pair (CCI User and Reference Guide, "MU#")
_MU = re.compile(r"^(?:(\d{1,2})|[hH]([0-3]))$")
_LDEV = re.compile(r"^([0-9A-Fa-f]{1,2}:[0-9A-Fa-f]{1,2}|0[xX][0-9A-Fa-f]+|\d+)$")


@dataclass(frozen=True)
class DevLine:
    """One pair volume of HORCM_DEV (port/TID/LU) or HORCM_LDEV (serial/LDEV)."""

    group: str
    dev: str
    line: int
    mu: int | None = None  # ShadowImage / Thin Image MU#
    port: str = ""  # HORCM_DEV: CL1-A or CL1-A-<host group>
    tid: int = 0
    lu: int = 0
    serial: int | None = None  # HORCM_LDEV
    ldev: str = ""  # HORCM_LDEV: CU:LDEV, 0x.. or decimal, as written
    horc_mu: int | None = None  # h0..h3: the TrueCopy / UR mirror this line names


@dataclass
class HorcmConf:
    path: str = "horcm.conf"
    ip: str = "localhost"
    service: str = ""
    poll: int = 1000
    timeout: int = 3000
    cmd: list[str] = field(default_factory=list)
    devs: list[DevLine] = field(default_factory=list)
    inst: dict[str, tuple[str, str]] = field(default_factory=dict)  # group -> (ip, service)
    vcmd: list[int] = field(default_factory=list)  # HORCM_VCMD: virtual storage serials

    def cmd_serials(self) -> list[int]:
        """Serials named by ``\\\\.\\CMD-<serial>`` devices (IPCMD devices name none)."""
        return [int(m.group(1)) for c in self.cmd if (m := _CMD_SERIAL.match(c))]

    def ip_cmds(self) -> list[tuple[str, int]]:
        return [(m["ip"], int(m["port"])) for c in self.cmd if (m := _IPCMD.match(c))]

    def group(self, name: str) -> list[DevLine]:
        return [d for d in self.devs if d.group == name]


def parse_horcm(text: str, path: str = "horcm.conf") -> HorcmConf:
    conf = HorcmConf(path=path)
    section = ""
    mon_seen = False
    for n, raw in enumerate(text.splitlines(), start=1):
        cols = raw.split("#", 1)[0].split()
        if not cols:
            continue
        if len(cols) == 1 and cols[0].upper().startswith("HORCM_"):
            if cols[0] not in SECTIONS:
                raise ConfigError(f"unknown section {cols[0]}", file=path, line=n, field=cols[0])
            section = cols[0]
            continue
        if not section:
            raise ConfigError("data before any HORCM_ section", file=path, line=n)
        where = {"file": path, "line": n, "field": section}
        if section == "HORCM_MON":
            if mon_seen:
                raise ConfigError("HORCM_MON takes one line", **where)
            _mon(conf, cols, where)
            mon_seen = True
        elif section == "HORCM_CMD":
            conf.cmd.extend(cols)
        elif section in ("HORCM_DEV", "HORCM_LDEV"):
            dev = _dev(section, cols, n, where)
            if any(d.group == dev.group and d.dev == dev.dev for d in conf.devs):
                raise ConfigError(f"{dev.group}/{dev.dev} defined twice", **where)
            conf.devs.append(dev)
        elif section == "HORCM_INST":
            _cols(cols, 3, 3, where)
            conf.inst[cols[0]] = (cols[1], cols[2])
        elif section == "HORCM_INSTP":
            _cols(cols, 4, 4, where)
            conf.inst[cols[0]] = (cols[1], cols[2])
        elif section == "HORCM_VCMD":  # one virtual storage machine serial per line
            conf.vcmd.extend(_int(c, "Serial#", where) for c in cols)
        elif section == "HORCM_ALLOW_INST":
            _cols(cols, 1, 2, where)
        else:  # HORCM_LDEVG: copy groups defined inside the array (not used by the simulator)
            _cols(cols, 3, 3, where)
    if not mon_seen:
        raise ConfigError("no HORCM_MON section", file=path, field="HORCM_MON")
    return conf


def _cols(cols: list[str], low: int, high: int, where: dict) -> None:
    if not low <= len(cols) <= high:
        want = str(low) if low == high else f"{low} to {high}"
        raise ConfigError(f"expected {want} columns, found {len(cols)}", **where)


def _int(text: str, what: str, where: dict) -> int:
    try:
        return int(text)
    except ValueError:
        raise ConfigError(f"{what} must be a number, not {text!r}", **where) from None


def _mon(conf: HorcmConf, cols: list[str], where: dict) -> None:
    _cols(cols, 4, 4, where)
    conf.ip, conf.service = cols[0], cols[1]
    conf.poll = _int(cols[2], "poll(10ms)", where)
    conf.timeout = _int(cols[3], "timeout(10ms)", where)


def _mu(cols: list[str], index: int, where: dict) -> tuple[int | None, int | None]:
    """(ShadowImage MU#, TrueCopy/UR h-MU#) of the optional MU# column."""
    if len(cols) <= index:
        return None, None
    m = _MU.match(cols[index])
    if m is None:
        raise ConfigError(f"bad MU# {cols[index]!r} (0..63 or h0..h3)", **where)
    if m.group(2) is not None:
        return None, int(m.group(2))
    mu = int(m.group(1))
    if not 0 <= mu <= 63:
        raise ConfigError(f"MU# {mu} out of range", **where)
    return mu, None


def _dev(section: str, cols: list[str], n: int, where: dict) -> DevLine:
    if section == "HORCM_DEV":
        _cols(cols, 5, 6, where)
        if not _PORT.match(cols[2]):
            raise ConfigError(f"bad port {cols[2]!r} (e.g. CL1-A)", **where)
        mu, hmu = _mu(cols, 5, where)
        return DevLine(
            cols[0],
            cols[1],
            n,
            mu,
            port=cols[2].upper(),
            tid=_int(cols[3], "TargetID", where),
            lu=_int(cols[4], "LU#", where),
            horc_mu=hmu,
        )
    _cols(cols, 4, 5, where)
    if not _LDEV.match(cols[3]):
        raise ConfigError(f"bad CU:LDEV {cols[3]!r}", **where)
    mu, hmu = _mu(cols, 4, where)
    return DevLine(
        cols[0], cols[1], n, mu, serial=_int(cols[2], "Serial#", where), ldev=cols[3], horc_mu=hmu
    )


def format_horcm(conf: HorcmConf) -> str:
    """Write a configuration back (used by labs and tests)."""
    out = ["HORCM_MON", f"{conf.ip}  {conf.service}  {conf.poll}  {conf.timeout}", "", "HORCM_CMD"]
    out += conf.cmd
    for section in ("HORCM_DEV", "HORCM_LDEV"):
        rows = [d for d in conf.devs if bool(d.port) == (section == "HORCM_DEV")]
        if rows:
            out += ["", section]
        for d in rows:
            mu = "" if d.mu is None else f"  {d.mu}"
            mu = f"  h{d.horc_mu}" if d.horc_mu is not None else mu
            if d.port:
                out.append(f"{d.group}  {d.dev}  {d.port}  {d.tid}  {d.lu}{mu}")
            else:
                out.append(f"{d.group}  {d.dev}  {d.serial}  {d.ldev}{mu}")
    if conf.inst:
        out += ["", "HORCM_INST"] + [f"{g}  {ip}  {svc}" for g, (ip, svc) in conf.inst.items()]
    return "\n".join(out) + "\n"
