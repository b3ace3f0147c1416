"""Command-line parsing of the RAID Manager pair commands (protocols.md 2.4)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from apprm_ref.sim.xp import errors as xe

_COMMON = {"-g": 1, "-d": 1, "-nomsg": 0, "-l": 0, "-q": 0, "-h": 0}
SPECS: dict[str, dict[str, int]] = {
    "paircreate": {
        "-vl": 0,
        "-vr": 0,
        "-c": 1,
        "-split": 0,
        "-m": 1,
        "-fq": 1,
        "-nocopy": 0,
        "-f": 1,
        "-pid": 1,
    },
    "pairsplit": {"-r": 0, "-rw": 0, "-S": 0, "-R": 0, "-P": 0, "-E": 0, "-C": 1, "-fq": 1},
    "pairresync": {"-restore": 0, "-swaps": 0, "-swapp": 0, "-c": 1, "-fq": 1},
    "pairdisplay": {"-c": 0, "-CLI": 0, "-m": 1, "-v": 1},
    "pairvolchk": {"-c": 0, "-s": 0, "-ss": 0},
    "pairevtwait": {"-s": -1, "-ss": -1, "-t": -2, "-nowait": 0, "-nowaits": 0},
}
_INSTANCE = re.compile(r"^-I(M|SI|H|TC)?(\d+)$")
_FORMAT = re.compile(r"^-f[xcdemw]+$")


@dataclass
class Args:
    command: str
    instance: int | None = None
    mode: str | None = None  # MRCF (Business Copy) | HORC (Continuous Access)
    opts: dict[str, list[str]] = field(default_factory=dict)
    fmt: str = ""  # letters of -f[xcdemw]

    def has(self, opt: str) -> bool:
        return opt in self.opts

    def value(self, opt: str, default: str | None = None) -> str | None:
        vals = self.opts.get(opt)
        return vals[0] if vals else default

    @property
    def group(self) -> str:
        g = self.value("-g")
        if g is None:
            xe.refuse("EX_REQARG", "-g <group> is required")
        return g


def parse(argv: list[str]) -> Args:
    command = argv[0].rsplit("/", 1)[-1]
    if command not in SPECS:
        xe.refuse("EX_INVCMD", f"unknown command {command}")
    spec = {**_COMMON, **SPECS[command]}
    args = Args(command)
    i = 1
    while i < len(argv):
        tok = argv[i]
        m = _INSTANCE.match(tok)
        if m:
            args.instance = int(m.group(2))
            if m.group(1):
                args.mode = "MRCF" if m.group(1) in ("M", "SI") else "HORC"
        elif command == "pairdisplay" and _FORMAT.match(tok):
            args.fmt += tok[2:]
        elif tok in spec:
            i = _take(args, argv, i, tok, spec[tok])
            continue
        else:
            xe.refuse("EX_UNWOPT", f"unknown option {tok}")
        i += 1
    return args


def _take(args: Args, argv: list[str], i: int, tok: str, arity: int) -> int:
    """Store option ``tok`` and its values; returns the index after them."""
    j = i + 1
    if arity >= 0:
        vals = argv[j : j + arity]
        if len(vals) < arity:
            xe.refuse("EX_REQARG", f"{tok} needs a value")
        args.opts[tok] = vals
        return j + arity
    limit = 2 if arity == -2 else len(argv)  # -t <timeout> [<interval>]
    vals = []
    while j < len(argv) and not argv[j].startswith("-") and len(vals) < limit:
        vals.append(argv[j])
        j += 1
    if not vals:
        xe.refuse("EX_REQARG", f"{tok} needs a value")
    args.opts[tok] = vals
    return j
