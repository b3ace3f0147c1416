"""The RAID Manager commands executed against a simulated world.

:func:`execute` takes an argv (``["pairdisplay", "-g", "ORA_BC", "-CLI"]``) and returns
``(exit_code, stdout, stderr)`` with the exit codes of protocols.md 2.6-2.8. Every rule is
the backend's; this module only resolves devices, calls the backend and prints. A refused
command changes nothing: arguments are checked before any call, and a group whose volumes
sit on several arrays is refused rather than changed array by array.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apprm_ref.errors import ApprmError, XpError
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import lifecycle, resolve
from apprm_ref.sim.xp.cci.args import Args, command_name, parse
from apprm_ref.sim.xp.cci.horcm import HorcmConf

if TYPE_CHECKING:
    from apprm_ref.sim.world import World

STATEFUL = frozenset({"paircreate", "pairsplit", "pairresync", "pairevtwait"})
# outcomes of a wait that ran (time passed), not refusals of the command line
WAIT_OUTCOMES = frozenset({xe.EXIT_CODES["EX_EWSTOT"], xe.EXIT_CODES["EX_EWSUSE"]})


def saves(command: str, rc: int) -> bool:
    """Whether a command's effect on the world is kept: a refused command saves nothing."""
    if command_name(command) not in STATEFUL:
        return False
    return rc <= 127 or rc in WAIT_OUTCOMES


@dataclass
class Cci:
    """One host's view: the world, its HORCM instances and its environment."""

    world: World
    confs: dict[int, HorcmConf]
    env: dict[str, str] = field(default_factory=dict)
    busy_until: float = 0.0  # a pairevtwait issued inside a SimPy process ends then
    running: set[int] | None = None  # None: every configured instance runs
    stdin: str = ""  # what a command reading stdin (inqraid) was given

    def is_running(self, n: int) -> bool:
        return n in self.confs and (self.running is None or n in self.running)

    def set_running(self, n: int, up: bool) -> None:
        if self.running is None:
            self.running = set(self.confs)
        (self.running.add if up else self.running.discard)(n)

    def instance(self, args: Args) -> int:
        if args.instance is not None:
            return args.instance
        text = self.env.get("HORCMINST", "0") or "0"
        if not text.isdigit() or int(text) > 2047:
            xe.refuse("EX_INVARG", "HORCMINST is not an instance number 0..2047")
        return int(text)

    def tc(self, args: Args) -> bool:
        """True in HORC (Continuous Access) mode, False in MRCF (Business Copy) mode."""
        if args.mode is not None:
            return args.mode == "HORC"
        return self.env.get("HORCC_MRCF", "") != "1"

    def _partner(self, inst: int, group: str) -> int | None:
        """The instance listening where HORCM_INST sends ``group`` (matched on the service)."""
        service = self.confs[inst].inst.get(group, ("", ""))[1]
        others = [n for n in sorted(self.confs) if n != inst]
        return next((n for n in others if self.confs[n].service == service), None)

    def views(self, args: Args) -> list[resolve.View]:
        inst = self.instance(args)
        if not self.is_running(inst):
            xe.refuse("EX_COMERR", f"HORCM instance {inst} is not running")
        devs = resolve.devices(self.world, self.confs, inst, args.value("-g"), args.dev, self.env)
        for group in dict.fromkeys(d.group for d in devs):
            partner = self._partner(inst, group)
            if partner is not None and not self.is_running(partner):
                xe.refuse("EX_ENORMT", f"HORCM instance {partner} ({group}) is not running")
        tc = self.tc(args)
        for dev in devs:
            same = dev.local.array is dev.remote.array
            if same == tc:
                kind = "Continuous Access" if tc else "Business Copy"
                xe.refuse("EX_EVOLCE", f"{dev.group}/{dev.name}: volumes do not fit {kind}")
        return [resolve.view(d, tc) for d in devs]


def execute(cci: Cci, argv: list[str]) -> tuple[int, str, str]:
    name = command_name(argv[0]) if argv else "?"
    try:
        if name in LIFECYCLE:
            rc, out = LIFECYCLE[name](cci, argv[1:])
            return rc, out, ""
        if name == "raidcom":
            from apprm_ref.sim.xp.cci.raidcom import raidcom

            rc, out = raidcom(cci, argv[1:])
            return rc, out, ""
        args = parse(argv)
        if args.has("-h") and args.command != "raidqry":
            return 0, f"Usage: {args.command} -g <group> [-d <dev>] ...\n", ""
        rc, out = _commands()[args.command](cci, args)
        return rc, out, ""
    except XpError as exc:
        msg = xe.MESSAGES.get(exc.code or "", "")
        text = f"{msg}: {exc.message}" if msg else exc.message
        return xe.exit_code(exc.code), "", f"{name}: [{exc.code}] {text}\n"
    except ApprmError as exc:  # a fault or a host-side error reached the command
        return xe.exit_code("EX_CMDIOE"), "", f"{name}: [EX_CMDIOE] {exc}\n"


def _by_array(views: list[resolve.View], tc: bool) -> list[tuple[object, list[tuple[str, int]]]]:
    groups: dict[str, tuple[object, list[tuple[str, int]]]] = {}
    for v in views:
        arr = v.primary.array
        groups.setdefault(arr.name, (arr, []))[1].append(v.key(tc))
    if len(groups) > 1:
        xe.refuse("EX_ENQSER", "the volumes of this group are on more than one RAID")
    return [groups[k] for k in sorted(groups)]


def paircreate(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-vl") == args.has("-vr"):
        xe.refuse("EX_REQARG", "paircreate needs exactly one of -vl / -vr")
    tc, split = cci.tc(args), args.has("-split")
    fence = (args.value("-f") or "never").lower()
    if fence != "never" or (args.has("-f") and not tc):
        xe.refuse("EX_UNWOPT", "only the TrueCopy fence level never is implemented")
    pace = args.number("-c", 3) or 3
    views = cci.views(args)
    items: dict[str, tuple[object, list[tuple[str, str, int]]]] = {}
    for v in views:
        p, s = (v.dev.local, v.dev.remote) if args.has("-vl") else (v.dev.remote, v.dev.local)
        items.setdefault(p.array.name, (p.array, []))[1].append((p.ldev, s.ldev, p.mu))
    if len(items) > 1:
        xe.refuse("EX_ENQSER", "the P-VOLs of this group are on more than one RAID")
    for name in sorted(items):
        arr, todo = items[name]
        if tc:
            if len(todo) > 1:
                xe.refuse("EX_UNWOPT", "TrueCopy paircreate of a whole group is not implemented")
            pv, sv, _ = todo[0]
            remote = views[0].dev.remote if args.has("-vl") else views[0].dev.local
            arr.ca_create(pv, remote.array.name, sv, split=split, pace=pace)
        else:
            arr.paircreate_many(todo, split=split, pace=pace)
    return 0, ""


def _quick(cci: Cci, args: Args, env: str) -> bool:
    value = (args.value("-fq") or cci.env.get(env, "") or "normal").lower()
    if value not in ("quick", "normal"):
        xe.refuse("EX_INVARG", f"-fq takes quick or normal, not {value!r}")
    return value == "quick"


def pairsplit(cci: Cci, args: Args) -> tuple[int, str]:
    tc = cci.tc(args)
    if sum(args.has(o) for o in ("-S", "-E", "-R")) > 1:
        xe.refuse("EX_INVARG", "-S, -E and -R exclude each other")
    if (args.has("-r") or args.has("-rw")) and not tc:
        xe.refuse("EX_OPTINV", "-r / -rw are TrueCopy options")
    quick = _quick(cci, args, "HORCC_SPLT")
    views = cci.views(args)
    if args.has("-R"):
        if not tc:
            xe.refuse("EX_OPTINV", "-R is a TrueCopy option")
        for v in views:
            v.dev.local.array.ca_delete_from_svol(v.secondary.ldev)
        return 0, ""
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
        xe.refuse("EX_UNWOPT", "-swaps/-swapp (takeover) are not implemented")
    tc, restore = cci.tc(args), args.has("-restore")
    quick = _quick(cci, args, "HORCC_REST" if restore else "HORCC_RSYN")
    pace = args.number("-c")
    views = cci.views(args)
    if any(v.pair is None for v in views):
        xe.refuse("EX_INVVOL", "pairresync: the group has SMPL volumes")
    for arr, keys in _by_array(views, tc):
        arr.pairresync(keys, restore=restore, quick=quick, pace=pace)
    return 0, ""


def horcmgr(cci: Cci, args: Args) -> tuple[int, str]:
    if not args.has("-check"):
        xe.refuse("EX_REQARG", "horcmgr: only -check is implemented")
    return lifecycle.horcmgr_check(cci, cci.instance(args))


LIFECYCLE: dict[str, Callable[[Cci, list[str]], tuple[int, str]]] = {
    "horcmstart.sh": lifecycle.horcmstart,
    "horcmshutdown.sh": lifecycle.horcmshutdown,
}


def _commands() -> dict[str, Callable[[Cci, Args], tuple[int, str]]]:
    from apprm_ref.sim.xp.cci import display, inventory, wait

    return {
        "paircreate": paircreate,
        "pairsplit": pairsplit,
        "pairresync": pairresync,
        "pairdisplay": display.pairdisplay,
        "pairvolchk": display.pairvolchk,
        "pairevtwait": wait.pairevtwait,
        "pairsyncwait": wait.pairsyncwait,
        "raidscan": inventory.raidscan,
        "raidqry": inventory.raidqry,
        "inqraid": inventory.inqraid,
        "horcmgr": horcmgr,
    }
