"""BRARCHIVE: the offline (archived) redo logs of ``saparch`` through BACKINT.

Function options (sap-vss-addendum.md SAP-12, replacing the older guess): ``-s|-save``,
``-sd|-save_delete``, ``-sc|-second_copy``, ``-scd|-second_copy_delete``, ``-ds|
-delete_saved``, ``-dc|-delete_copied``, ``-ss|-double_save``, ``-ssd|-double_save_delete``;
detail-log extensions ``sve svd cpy cpd dsv dcp ssv ssd`` (SAP-2). Also ``-u``, ``-c``,
``-p``, ``-r``, ``-d util_file``, ``-n|-number <n>``. The copy-to-disk functions
(``-cs``, ``-cds``), fill mode (``-f``) and the other devices are not carried out here and are
refused (BR0153E / BR0156E, rc 3).

OS-I20: BRARCHIVE is never part of a split and saves the archives from the production host:
a run on another host finds no ``saparch`` (BR0274E), and a run while BRBACKUP's split
command is running is refused as BRBACKUP's lock would refuse it (BR0071E, BR0072I).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.sim.sap import logs, oracle_side, textfiles
from apprm_ref.sim.sap.backint import BackintCall
from apprm_ref.sim.sap.context import BrContext, Result, execute
from apprm_ref.sim.sap.messages import RC_ERRORS, RC_INIT, RC_OK, RC_WARN, BrError, msg, worst
from apprm_ref.sim.sap.options import NONE, Opt, check_user, common, parse
from apprm_ref.sim.sap.system import SavedFile

# option -> (function ID, copy number saved, delete after, delete only)
FUNCTIONS: dict[str, tuple[str, tuple[int, ...], bool, int]] = {
    "-s": ("sve", (1,), False, 0),
    "-sd": ("svd", (1,), True, 0),
    "-sc": ("cpy", (2,), False, 0),
    "-scd": ("cpd", (2,), True, 0),
    "-ds": ("dsv", (), True, 1),
    "-dc": ("dcp", (), True, 2),
    "-ss": ("ssv", (1, 2), False, 0),
    "-ssd": ("ssd", (1, 2), True, 0),
}
_WORDS = {"-s": "-save", "-sd": "-save_delete", "-sc": "-second_copy",
          "-scd": "-second_copy_delete", "-ds": "-delete_saved", "-dc": "-delete_copied",
          "-ss": "-double_save", "-ssd": "-double_save_delete"}  # fmt: skip
OPTIONS = (
    *common(("util_file",)),
    Opt("-n", ("-number",)),
    *(Opt(k, (w,), NONE) for k, w in _WORDS.items()),
)


def brarchive(ctx: BrContext, argv: Sequence[str]) -> Result:
    def body(ctx: BrContext) -> int:
        opts = parse(argv, OPTIONS)
        chosen = [k for k in FUNCTIONS if k in opts] or ["-s"]
        if len(chosen) > 1:
            raise BrError(RC_INIT, msg("BR0154E", chosen[1], argv.index(chosen[1]) + 1))
        function, copies, delete, delete_only = FUNCTIONS[chosen[0]]
        _production_only(ctx)
        prof = ctx.read_profile(opts.get("-p"))
        device = opts.get("-d") or prof.get("backup_dev_type") or "tape"
        if device != "util_file":
            raise BrError(RC_INIT, msg("BR0164E" if "-d" not in opts else "BR0156E", device,
                                       "backup_dev_type" if "-d" not in opts else "-d"))  # fmt: skip
        check_user(ctx.db, opts.get("-u"))
        parfile = ctx.resolve(opts.get("-r") or prof.get("util_par_file") or "")
        if textfiles.read(ctx.hosts, ctx.host, parfile) is None:
            raise BrError(RC_INIT, msg("BR0274E", parfile), msg("BR0506I", parfile))
        limit = _number(opts.get("-n"))
        ctx.summary_extra = device
        ctx.start(function, device=device)
        logs_ = _candidates(ctx, copies, delete_only)[:limit]
        if not logs_:
            ctx.out.say("BR0013W")
            return RC_WARN
        rc = RC_OK
        for copy in copies:
            rc = worst(rc, _save(ctx, parfile, logs_, copy))
        if delete and rc <= RC_WARN:
            rc = worst(rc, _delete(ctx, logs_))
        ctx.out.say("BR0016I", len(logs_), 0.0)
        return rc

    return execute(ctx, body)


def _number(value: str | None) -> int | None:
    if value is None:
        return None
    if not value.isdigit() or int(value) < 1:
        raise BrError(RC_INIT, msg("BR0156E", value, "-n"))
    return int(value)


def _production_only(ctx: BrContext) -> None:
    if ctx.host != ctx.sap.host:
        raise BrError(RC_INIT, msg("BR0274E", ctx.sap.saparch))
    if ctx.sap.busy == "split":
        lock = f"{ctx.sap.sapbackup}/.lock.brb"
        raise BrError(RC_INIT, msg("BR0071E"), msg("BR0072I", lock))


def _candidates(ctx: BrContext, copies: tuple[int, ...], delete_only: int) -> list[dict[str, Any]]:
    """Archived logs on disk this function applies to, oldest first."""
    cf = oracle_side.control_file(ctx.db)
    out = []
    for a in sorted(cf["archives"], key=lambda a: (a["rl_scn"], a["seq"])):
        if not textfiles.exists(ctx.hosts, ctx.sap.host, a["name"]):
            continue
        have = {f.copy for f in ctx.sap.archive_copies(a["seq"]) if f.path == a["name"]}
        if delete_only:
            if set(range(1, delete_only + 1)) <= have:
                out.append(a)
        elif copies == (2,):
            if 1 in have and 2 not in have:
                out.append(a)
        elif 1 not in have:
            out.append(a)
    return out


def _save(ctx: BrContext, parfile: str, archives: list[dict[str, Any]], copy: int) -> int:
    run = ctx.run
    assert run is not None
    call = BackintCall(ctx.hosts, ctx.host, ctx.sap.saparch, ctx.sap.sid, parfile, ctx.runner)
    paths = [a["name"] for a in archives]
    res = call.run("backup", "file", paths, f"{run.action}.{copy}", ctx.out)
    saved = res.with_keyword("#SAVED")
    rc = RC_OK if res.rc == 0 else RC_ERRORS
    lines = []
    for a in archives:
        bid = saved.get(a["name"])
        ctx.sap.files.append(SavedFile(run.action, a["name"], "arch", bid, a["seq"], copy))
        if bid is None:
            ctx.out.say("BR0510I" if a["name"] in res.missing else "BR0233E", a["name"],
                        *(["backint"] if a["name"] in res.missing else []))  # fmt: skip
            rc = RC_ERRORS
            continue
        ctx.out.raw(f"#ARCHIVE.. {a['name']}")
        ctx.out.raw(f"#SAVED.... {bid}")
        lines.append(_arch_line(ctx, run, a, bid, copy))
    path = ctx.sap.summary_log("brarchive")
    textfiles.append(ctx.hosts, ctx.sap.host, path, "".join(lines))
    return rc


def _arch_line(ctx: BrContext, run: Any, a: dict[str, Any], bid: str, copy: int) -> str:
    """One arch<SID>.log entry per saved log (SAP-4): the BID preceded by ``*`` (first
    copy) or ``@`` (second copy), end time, compression, sequence, name, creation time,
    first SCN, thread."""
    mark = "*" if copy == 1 else "@"
    created = logs.stamp(ctx.world, a["first_time"])
    return (f"#{run.action} {run.function} {mark}{bid} {logs.stamp(ctx.world)} NO "
            f"{a['seq']} {a['name']} {created} {a['first']} {a['thread']}\n")  # fmt: skip


def _delete(ctx: BrContext, archives: list[dict[str, Any]]) -> int:
    rc = RC_OK
    for a in archives:
        try:
            ctx.hosts.delete_file(ctx.sap.host, a["name"])
            ctx.out.raw(f"#DELETED.. {a['name']}")
        except HostError as exc:
            ctx.out.say("BR0273E", f"{a['name']} ({exc})")
            rc = RC_ERRORS
    return rc
