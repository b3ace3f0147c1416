"""BRBACKUP: options, profile and the plan of one run (what, how, to where).

Implemented: types ``online``, ``offline``, ``offline_force``, ``online_split``,
``offline_split``; devices ``util_file``, ``util_file_online``, ``disk``; options ``-u``,
``-c [force]``, ``-p``, ``-r``, ``-q [check]``, ``-f <log>|last`` (fillup, SAP-5), ``-t``,
``-d``, ``-m all|all_data|<tablespace>[,...]``. Every other option, type, device or mode of
the real tool (SAP-11) is refused as an initialisation error (BR0153E/BR0156E/BR0164E, rc 3).
Parameters the real tool knows but this one does not carry out (``pre_split_cmd``,
``post_split_cmd``, ``split_options``) are BR0162E "not supported". The flows are in
:mod:`apprm_ref.sim.sap.backup_flow`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from apprm_ref.sim.sap import oracle_side
from apprm_ref.sim.sap.context import BrContext, Result, execute
from apprm_ref.sim.sap.logs import backup_function
from apprm_ref.sim.sap.messages import RC_CANCEL_INIT, RC_INIT, RC_OK, BrError, msg
from apprm_ref.sim.sap.options import NONE, OPTIONAL, Opt, check_user, common, parse
from apprm_ref.sim.sap.profile import Profile
from apprm_ref.sim.sap.system import Run

TYPES = ("online", "offline", "offline_force", "online_split", "offline_split")
DEVICES = ("util_file", "util_file_online", "disk")
SPLIT_TYPES = ("online_split", "offline_split")
UNSUPPORTED_PARAMS = ("pre_split_cmd", "post_split_cmd", "split_options")

OPTIONS = (
    *common(DEVICES),
    Opt("-q", ("-query",), OPTIONAL, ("", "check")),
    Opt("-f", ("-fillup",)),
    Opt("-t", ("-type",), domain=TYPES),
    Opt("-m", ("-mode",)),
    Opt("-V", ("-VERSION",), NONE),
)


@dataclass
class Plan:
    backup_type: str
    device: str
    mode: str
    parfile: str | None
    files: list[str]  # database files handed to the device
    tablespaces: list[str]
    prof: Profile
    fillup_of: Run | None = None

    @property
    def function(self) -> str:
        return backup_function(self.mode, self.backup_type, self.device)

    @property
    def online(self) -> bool:
        return self.backup_type.startswith("online")

    @property
    def split(self) -> bool:
        return self.backup_type in SPLIT_TYPES


def brbackup(ctx: BrContext, argv: Sequence[str]) -> Result:
    """``brbackup [options]`` against ``ctx.sap``; never raises for a BR*Tools error."""
    from apprm_ref.sim.sap import backup_flow

    def body(ctx: BrContext) -> int:
        opts = parse(argv, OPTIONS)
        if "-V" in opts:
            return RC_OK
        if ctx.sap.busy is not None:  # another BRBACKUP holds the lock
            lock = f"{ctx.sap.sapbackup}/.lock.brb"
            raise BrError(RC_INIT, msg("BR0071E"), msg("BR0072I", lock))
        plan = make_plan(ctx, opts)
        if "-c" in opts:
            ctx.out.say("BR0126I")
        elif not ctx.confirmed():
            raise BrError(RC_CANCEL_INIT, msg("BR0260E", "BRBACKUP"))
        return backup_flow.carry_out(ctx, plan, opts)

    return execute(ctx, body)


def _param(prof: Profile, opts: dict[str, str], opt: str, name: str, default: str) -> str:
    return opts.get(opt) or prof.get(name) or default


def make_plan(ctx: BrContext, opts: dict[str, str]) -> Plan:
    """Everything checked before anything is touched: each refusal here is rc 3."""
    prof = ctx.read_profile(opts.get("-p"))
    for name in UNSUPPORTED_PARAMS:
        if name in prof.values:
            raise BrError(RC_INIT, msg("BR0162E", name, prof.path))
    fill = _fillup_run(ctx, opts["-f"]) if "-f" in opts else None
    btype = _param(prof, opts, "-t", "backup_type", fill.backup_type if fill else "offline")
    device = _param(prof, opts, "-d", "backup_dev_type", fill.device if fill else "tape")
    mode = _param(prof, opts, "-m", "backup_mode", fill.mode if fill else "all")
    _check_domain(btype, TYPES, "-t" if "-t" in opts else "backup_type")
    _check_domain(device, DEVICES, "-d" if "-d" in opts else "backup_dev_type")
    check_user(ctx.db, opts.get("-u"))
    files = _mode_files(ctx, mode, "-m" if "-m" in opts else "backup_mode")
    if fill is not None:
        missing = [f.path for f in ctx.sap.files_of(fill.action) if not f.bid and f.kind == "data"]
        files = [f for f in files if f in missing]
    plan = Plan(btype, device, mode, _parfile(ctx, prof, opts, device), files, [], prof, fill)
    plan.tablespaces = oracle_side.tablespaces_of(ctx.db, files)
    if plan.split and not prof.get("split_cmd"):
        raise BrError(RC_INIT, msg("BR0165E", "split_cmd", prof.path))
    if device == "disk" and not prof.items("backup_root_dir"):
        raise BrError(RC_INIT, msg("BR0165E", "backup_root_dir", prof.path))
    return plan


def _check_domain(value: str, domain: tuple[str, ...], where: str) -> None:
    if value not in domain:
        code = "BR0156E" if where.startswith("-") else "BR0164E"
        raise BrError(RC_INIT, msg(code, value, where))


def _mode_files(ctx: BrContext, mode: str, where: str) -> list[str]:
    files = oracle_side.datafiles(ctx.db)
    if mode in ("all", "all_data"):
        return [p for p, _ in files]
    wanted = [m.strip().upper() for m in mode.split(",") if m.strip()]
    known = {ts for _, ts in files}
    for ts in wanted:
        if ts not in known:  # full/incr (RMAN) and unknown names alike
            code = "BR0156E" if where.startswith("-") else "BR0164E"
            raise BrError(RC_INIT, msg(code, mode, where))
    return [p for p, ts in files if ts in wanted]


def _parfile(ctx: BrContext, prof: Profile, opts: dict[str, str], device: str) -> str | None:
    if not device.startswith("util_"):
        return None
    name = opts.get("-r") or prof.get("util_par_file")
    if not name:
        raise BrError(RC_INIT, msg("BR0165E", "util_par_file", prof.path))
    path = ctx.resolve(name)
    from apprm_ref.sim.sap import textfiles

    if textfiles.read(ctx.hosts, ctx.host, path) is None:
        raise BrError(RC_INIT, msg("BR0274E", path), msg("BR0506I", path))
    return path


def _fillup_run(ctx: BrContext, name: str) -> Run:
    """``-f last`` or ``-f <detail log>``: the BACKINT run whose unsaved files are filled up."""
    runs = [r for r in ctx.sap.runs if r.tool == "brbackup" and r.end is not None]
    if name == "last":
        found = next((r for r in reversed(runs) if r.device.startswith("util_")), None)
    else:
        base = name.rsplit("/", 1)[-1]
        found = next((r for r in runs if f"{r.action}.{r.function}" == base), None)
    if found is None or not found.device.startswith("util_"):
        raise BrError(RC_INIT, msg("BR0156E", name, "-f"))
    return found
