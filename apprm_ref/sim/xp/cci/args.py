"""Command-line parsing of the RAID Manager commands (protocols.md 2.4).

Every option a command accepts is listed here with its arity; anything else is refused with
``EX_UNWOPT`` -- an option this door does not implement is never silently ignored. Numbers
are checked against the ranges RAID Manager accepts and refused with ``EX_INVARG`` naming
the limit, before any command runs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apprm_ref.sim.xp import errors as xe

DEV = -3  # -d / -dg: <dev_name> | <serial> <ldev> [MU#] | <raw_device> [MU#]
LIST = -1  # one or more values up to the next option
TIMEOUT = -2  # -t <timeout> [<interval>]

_PAIR = {"-g": 1, "-d": DEV, "-dg": DEV, "-nomsg": 0, "-q": 0, "-h": 0}
SPECS: dict[str, dict[str, int]] = {
    "paircreate": {**_PAIR, "-vl": 0, "-vr": 0, "-c": 1, "-split": 0, "-f": 1},
    "pairsplit": {**_PAIR, "-r": 0, "-rw": 0, "-S": 0, "-R": 0, "-E": 0, "-fq": 1},
    "pairresync": {**_PAIR, "-restore": 0, "-swaps": 0, "-swapp": 0, "-c": 1, "-fq": 1},
    "pairdisplay": {**_PAIR, "-CLI": 0, "-l": 0},
    "pairvolchk": {**_PAIR, "-s": 0, "-ss": 0},
    "pairevtwait": {**_PAIR, "-s": LIST, "-ss": LIST, "-t": TIMEOUT, "-nowait": 0, "-nowaits": 0},
    "pairsyncwait": {**_PAIR, "-t": 1, "-nowait": 0, "-m": 1},
    "raidscan": {"-p": 1, "-s": 1, "-CLI": 0, "-h": 0, "-q": 0},
    "raidqry": {"-l": 0, "-h": 0, "-q": 0},
    "inqraid": {"-CLI": 0, "-h": 0, "-q": 0},
    "horcmgr": {"-check": 0},
}
POSITIONAL = frozenset({"inqraid"})  # device files as operands (or on stdin)
# pairdisplay -f letters this door prints (x hex, c copy %, d device file, e extended)
FORMAT_LETTERS = {"pairdisplay": "xcde", "raidscan": "x", "inqraid": "x"}
# Ranges: copy pace 1..15 (protocols.md 2.4); pairevtwait -t in seconds and its polling
# interval (inferred upper bounds); pairsyncwait -t in units of 100 ms.
BOUNDS: dict[tuple[str, str], tuple[int, int]] = {
    ("paircreate", "-c"): (1, 15),
    ("pairresync", "-c"): (1, 15),
    ("pairevtwait", "-t"): (0, 1999999),
    ("pairevtwait", "-t interval"): (1, 3600),
    ("pairsyncwait", "-t"): (0, 1999999),
}
MAX_INSTANCE = 2047  # HORCM instance numbers 0..2047 (Cinder vsp_horcm: vsp_horcm_numbers)
# -I[H|M|TC|SI|CA|BC][instance#]: HORC (TrueCopy / Continuous Access) or MRCF (ShadowImage
# / Business Copy) mode; HP's manuals spell them -ICA / -IBC (BC-exec.sh logs: -IBC6)
_INSTANCE = re.compile(r"^-I(H|M|TC|SI|CA|BC)?(\d*)$")
_MODES = {"H": "HORC", "TC": "HORC", "CA": "HORC", "M": "MRCF", "SI": "MRCF", "BC": "MRCF"}
_NUMBER = re.compile(r"^\d{1,9}$")
_LDEV = re.compile(r"^(\d{1,5}|0[xX][0-9A-Fa-f]{1,4}|[0-9A-Fa-f]{1,2}:[0-9A-Fa-f]{1,2})$")
_MU = re.compile(r"^(\d{1,2}|[hH][0-3])$")


@dataclass(frozen=True)
class DevSpec:
    """What ``-d`` / ``-dg`` names: a dev_name, a serial + LDEV, or a host device file."""

    name: str | None = None
    serial: int | None = None
    ldev: str | None = None
    device: str | None = None
    mu: str | None = None
    whole_group: bool = False  # -dg: the group of the volume found


@dataclass
class Args:
    command: str
    instance: int | None = None
    mode: str | None = None  # MRCF (Business Copy) | HORC (Continuous Access)
    opts: dict[str, list[str]] = field(default_factory=dict)
    fmt: str = ""  # letters of -f[xcd]
    dev: DevSpec | None = None
    words: list[str] = field(default_factory=list)  # positional operands (raidcom, horcm*)

    def has(self, opt: str) -> bool:
        return opt in self.opts

    def value(self, opt: str, default: str | None = None) -> str | None:
        vals = self.opts.get(opt)
        return vals[0] if vals else default

    def number(self, opt: str, default: int | None = None) -> int | None:
        """An option's value, already checked against :data:`BOUNDS`."""
        v = self.value(opt)
        return default if v is None else int(v)

    @property
    def group(self) -> str:
        g = self.value("-g")
        if g is None:
            xe.refuse("EX_REQARG", "-g <group> is required")
        return g


def command_name(argv0: str) -> str:
    return argv0.replace("\\", "/").rsplit("/", 1)[-1]


def parse(argv: list[str]) -> Args:
    command = command_name(argv[0])
    if command not in SPECS:
        xe.refuse("EX_INVCMD", f"unknown command {command}")
    spec = SPECS[command]
    args = Args(command)
    i = 1
    while i < len(argv):
        tok = argv[i]
        m = _INSTANCE.match(tok)
        if m and command not in ("horcmgr",):
            _instance(args, m)
        elif tok.startswith("-f") and tok not in spec and _format(args, tok):
            pass
        elif tok in spec:
            i = _take(args, argv, i, tok, spec[tok])
            continue
        elif tok.startswith("-"):
            xe.refuse("EX_UNWOPT", f"option {tok} is not implemented by {command}")
        elif command in POSITIONAL:
            args.words.append(tok)
        else:
            xe.refuse("EX_INVARG", f"unexpected argument {tok!r}")
        i += 1
    _check_bounds(args)
    return args


def _instance(args: Args, m: re.Match[str]) -> None:
    if m.group(2):
        n = int(m.group(2))
        if n > MAX_INSTANCE:
            xe.refuse("EX_INVARG", f"instance number {n} out of range 0..{MAX_INSTANCE}")
        args.instance = n
    if m.group(1):
        args.mode = _MODES[m.group(1)]


def _format(args: Args, tok: str) -> bool:
    letters = FORMAT_LETTERS.get(args.command, "")
    if len(tok) < 3 or any(c not in letters for c in tok[2:]):
        xe.refuse("EX_UNWOPT", f"option {tok} is not implemented by {args.command}")
    args.fmt += tok[2:]
    return True


def _take(args: Args, argv: list[str], i: int, tok: str, arity: int) -> int:
    """Store option ``tok`` and its values; returns the index after them."""
    if tok in args.opts or (arity == DEV and args.dev is not None):
        xe.refuse("EX_INVARG", f"option {tok} given twice")
    j = i + 1
    if arity == DEV:
        args.dev, j = _dev(argv, j, tok == "-dg")
        args.opts[tok] = []
        return j
    if arity >= 0:
        vals = argv[j : j + arity]
        if len(vals) < arity or any(v.startswith("-") for v in vals):
            xe.refuse("EX_REQARG", f"{tok} needs a value")
        args.opts[tok] = vals
        return j + arity
    limit = 2 if arity == TIMEOUT else len(argv)
    vals = []
    while j < len(argv) and not argv[j].startswith("-") and len(vals) < limit:
        vals.append(argv[j])
        j += 1
    if not vals:
        xe.refuse("EX_REQARG", f"{tok} needs a value")
    args.opts[tok] = vals
    return j


def _dev(argv: list[str], j: int, whole: bool) -> tuple[DevSpec, int]:
    """``-d[g] <dev_name>`` | ``-d[g] <serial> <ldev> [MU#]`` | ``-d[g] <raw_device> [MU#]``."""
    rest = argv[j:]
    if not rest or rest[0].startswith("-"):
        xe.refuse("EX_REQARG", "-d needs a device")
    first = rest[0]
    mu_at = 1
    if _NUMBER.match(first) and len(rest) > 1 and _LDEV.match(rest[1]):
        spec = DevSpec(serial=int(first), ldev=rest[1], whole_group=whole)
        mu_at = 2
    elif first.startswith("/dev/") or first.startswith("\\\\"):
        spec = DevSpec(device=first, whole_group=whole)
    else:
        return DevSpec(name=first, whole_group=whole), j + 1
    if len(rest) > mu_at and _MU.match(rest[mu_at]):
        spec = DevSpec(spec.name, spec.serial, spec.ldev, spec.device, rest[mu_at].lower(), whole)
        mu_at += 1
    return spec, j + mu_at


def _int_in(text: str, what: str, low: int, high: int) -> int:
    if not _NUMBER.match(text):
        xe.refuse("EX_INVARG", f"{what} must be a whole number, not {text!r}")
    n = int(text)
    if not low <= n <= high:
        xe.refuse("EX_INVARG", f"{what} {n} out of range {low}..{high}")
    return n


def _check_bounds(args: Args) -> None:
    for (cmd, opt), (low, high) in BOUNDS.items():
        if cmd != args.command or opt.endswith(" interval"):
            continue
        vals = args.opts.get(opt)
        if vals:
            _int_in(vals[0], opt, low, high)
            if len(vals) > 1:
                ilow, ihigh = BOUNDS[(cmd, f"{opt} interval")]
                _int_in(vals[1], f"{opt} interval", ilow, ihigh)
