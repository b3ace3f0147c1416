"""The RAID Manager pair commands executed against a simulated world.

:func:`execute` takes an argv (``["pairdisplay", "-g", "ORA_BC", "-CLI"]``) and returns
``(exit_code, stdout, stderr)`` with the exit codes of protocols.md 2.6-2.8. Every rule is
the backend's; this module only resolves devices, calls the backend and prints.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apprm_ref.errors import ApprmError, XpError
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import resolve
from apprm_ref.sim.xp.cci.args import Args, parse
from apprm_ref.sim.xp.cci.formats import Row, pairdisplay_text, pairvolchk_line
from apprm_ref.sim.xp.cci.horcm import HorcmConf
from apprm_ref.sim.xp.cci.wait import pairevtwait, side_status
from apprm_ref.sim.xp.models import TRACKING

if TYPE_CHECKING:
    from apprm_ref.sim.world import World

STATEFUL = frozenset({"paircreate", "pairsplit", "pairresync", "pairevtwait"})


@dataclass
class Cci:
    """One host's view: the world, its HORCM instances and its environment."""

    world: World
    confs: dict[int, HorcmConf]
    env: dict[str, str] = field(default_factory=dict)
    busy_until: float = 0.0  # a pairevtwait issued inside a SimPy process ends then

    def instance(self, args: Args) -> int:
        if args.instance is not None:
            return args.instance
        try:
            return int(self.env.get("HORCMINST", "0"))
        except ValueError:
            xe.refuse("EX_INVARG", "HORCMINST is not a number")

    def tc(self, args: Args) -> bool:
        """True in HORC (Continuous Access) mode, False in MRCF (Business Copy) mode."""
        if args.mode is not None:
            return args.mode == "HORC"
        return self.env.get("HORCC_MRCF", "") != "1"

    def views(self, args: Args) -> list[resolve.View]:
        devs = resolve.devices(
            self.world, self.confs, self.instance(args), args.group, args.value("-d")
        )
        tc = self.tc(args)
        for dev in devs:
            same = dev.local.array is dev.remote.array
            if same == tc:
                kind = "Continuous Access" if tc else "Business Copy"
                xe.refuse("EX_EVOLCE", f"{dev.group}/{dev.name}: volumes do not fit {kind}")
        return [resolve.view(d, tc) for d in devs]


def execute(cci: Cci, argv: list[str]) -> tuple[int, str, str]:
    name = argv[0].rsplit("/", 1)[-1] if argv else "?"
    try:
        args = parse(argv)
        if args.has("-h"):
            return 0, f"Usage: {args.command} -g <group> [-d <dev>] ...\n", ""
        rc, out = COMMANDS[args.command](cci, args)
        return rc, out, ""
    except XpError as exc:
        msg = xe.MESSAGES.get(exc.code or "", "")
        return xe.exit_code(exc.code), "", f"{name}: [{exc.code}] {msg}: {exc.message}\n"
    except ApprmError as exc:  # a fault or a host-side error reached the command
        return xe.exit_code("EX_CMDIOE"), "", f"{name}: [EX_CMDIOE] {exc}\n"


def _by_array(views: list[resolve.View], tc: bool) -> list[tuple[object, list[tuple[str, int]]]]:
    groups: dict[str, tuple[object, list[tuple[str, int]]]] = {}
    for v in views:
        arr = v.primary.array
        groups.setdefault(arr.name, (arr, []))[1].append(v.key(tc))
    return [groups[k] for k in sorted(groups)]


def paircreate(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-vl") == args.has("-vr"):
        xe.refuse("EX_REQARG", "paircreate needs exactly one of -vl / -vr")
    tc, split = cci.tc(args), args.has("-split")
    pace = int(args.value("-c", "3") or 3)
    views = cci.views(args)
    items: dict[str, tuple[object, list[tuple[str, str, int]]]] = {}
    for v in views:
        p, s = (v.dev.local, v.dev.remote) if args.has("-vl") else (v.dev.remote, v.dev.local)
        mu = p.mu
        if tc:
            p.array.ca_create(p.ldev, s.array.name, s.ldev, split=split, pace=pace)
            continue
        items.setdefault(p.array.name, (p.array, []))[1].append((p.ldev, s.ldev, mu))
    for name in sorted(items):
        arr, todo = items[name]
        arr.paircreate_many(todo, split=split, pace=pace)
    return 0, ""


def pairsplit(cci: Cci, args: Args) -> tuple[int, str]:
    tc = cci.tc(args)
    views = cci.views(args)
    if args.has("-R"):
        if not tc:
            xe.refuse("EX_OPTINV", "-R is a TrueCopy option")
        for v in views:
            v.dev.local.array.ca_delete_from_svol(v.secondary.ldev)
        return 0, ""
    quick = (args.value("-fq") or cci.env.get("HORCC_SPLT", "")).lower() == "quick"
    for arr, keys in _by_array(views, tc):
        if args.has("-S"):
            arr.pairdelete(keys)
        elif args.has("-E"):
            arr.pairsuspend(keys)
        else:
            arr.pairsplit(keys, quick=quick, rw=args.has("-rw"))
    return 0, ""


def pairresync(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-swaps") or args.has("-swapp"):
        xe.refuse("EX_OPTINV", "-swaps/-swapp (takeover) are not simulated")
    tc, restore = cci.tc(args), args.has("-restore")
    env = "HORCC_REST" if restore else "HORCC_RSYN"
    quick = (args.value("-fq") or cci.env.get(env, "")).lower() == "quick"
    pace = args.value("-c")
    views = cci.views(args)
    if any(v.pair is None for v in views):
        xe.refuse("EX_INVVOL", f"pairresync: group {args.group} has SMPL volumes")
    for arr, keys in _by_array(views, tc):
        arr.pairresync(keys, restore=restore, quick=quick, pace=int(pace) if pace else None)
    return 0, ""


def _row(v: resolve.View, side: str, tc: bool, now: float) -> Row:
    me = v.dev.local if side == "L" else v.dev.remote
    other = v.dev.remote if side == "L" else v.dev.local
    paths = me.array.paths_of(me.ldev)
    line = me.line
    if line.port:
        port = line.port if line.port.count("-") == 2 else f"{line.port}-0"
        where: tuple = (port, line.tid, line.lu)
    else:
        where = paths[0] if paths else (None, None, None)
    role = None if v.pair is None else ("P" if (me is v.primary) else "S")
    base = dict(
        group=v.dev.group,
        dev=v.dev.name,
        lr=side,
        port=where[0],
        tid=where[1],
        lu=where[2],
        mu=None if tc else me.mu,
        serial=me.array.serial,
        ldev=me.array.ldevs[me.ldev].number,
        fence="NEVER" if tc else None,
    )
    if role is None:
        return Row(ps="SMPL", status=None, **base)
    pair = v.pair
    written = role == "P" and pair.state in TRACKING and bool(pair.sdiff)
    return Row(
        ps="P-VOL" if role == "P" else "S-VOL",
        status=side_status(pair, role),
        partner_serial=other.array.serial if role == "P" else None,
        percent=_percent(me.array, pair, now),
        partner_ldev=other.array.ldevs[other.ldev].number,
        m="W" if written else "-",
        **base,
    )


def _percent(arr, pair, now: float) -> int:  # type: ignore[no-untyped-def]
    if pair.copy_done_at is not None and pair.state not in TRACKING:
        return int(pair.fraction(now) * 100)
    if pair.state in TRACKING:
        size = arr.ldevs[pair.pvol].data.size_extents
        return (size - len(pair.pdiff | pair.sdiff)) * 100 // size
    return 100


def pairdisplay(cci: Cci, args: Args) -> tuple[int, str]:
    tc = cci.tc(args)
    views = cci.views(args)
    now = cci.world.now()
    rows = []
    for v in views:
        v.dev.local.array.settle()
        v.dev.remote.array.settle()
        v = resolve.view(v.dev, tc)
        rows.append(_row(v, "L", tc, now))
        if not args.has("-l"):
            rows.append(_row(v, "R", tc, now))
    text = pairdisplay_text(
        rows, tc=tc, fc="c" in args.fmt, hexa="x" in args.fmt, cli=args.has("-CLI")
    )
    return 0, text


_PRECEDENCE = ["COPY", "RCPY", "PSUE", "PSUS", "SSUS", "PAIR"]
_VOLCHK = {"SMPL": 11, "COPY": 2, "RCPY": 2, "PAIR": 3, "PSUS": 4, "SSUS": 4, "PSUE": 5}


def pairvolchk(cci: Cci, args: Args) -> tuple[int, str]:
    tc = cci.tc(args)
    views = []
    for v in cci.views(args):
        v.dev.local.array.settle()
        views.append(resolve.view(v.dev, tc))
    roles = {v.role for v in views if v.pair is not None} | (
        {None} if any(v.pair is None for v in views) else set()
    )
    if len(roles) > 1:
        xe.refuse("EX_ENQVOL", f"group {args.group} mixes volume attributes")
    role = roles.pop()
    if role is None:
        rc = 11 if args.has("-s") or args.has("-ss") else 1
        return rc, pairvolchk_line("SMPL", None) + "\n"
    statuses = [side_status(v.pair, role) for v in views]
    status = min(statuses, key=lambda s: _PRECEDENCE.index(s) if s in _PRECEDENCE else 99)
    attr = "P-VOL" if role == "P" else "S-VOL"
    line = pairvolchk_line(attr, status, fence="NEVER" if tc else None)
    if not (args.has("-s") or args.has("-ss")):
        return (2 if role == "P" else 3), line + "\n"
    return (20 if role == "P" else 30) + _VOLCHK[status], line + "\n"


COMMANDS: dict[str, Callable[[Cci, Args], tuple[int, str]]] = {
    "paircreate": paircreate,
    "pairsplit": pairsplit,
    "pairresync": pairresync,
    "pairdisplay": pairdisplay,
    "pairvolchk": pairvolchk,
    "pairevtwait": pairevtwait,
}
