"""BRRESTORE: files of a BRBACKUP run (``-b <log>|last``, ``-m``) or archived logs by sequence
number (``-a [<SID>,]<n>|<n1>-<n2>|<list>``) back from the device.

Only one of ``-a``/``-b`` may be given (BR0430E); the default is ``-b last`` (SAP-14).
Detail-log extensions ``rsb`` (from a BRBACKUP backup) and ``rsa`` (archived logs) (SAP-2).
For BACKINT each file is a ``<BID> <path>`` request; ``#RESTORED`` is a restored file,
``#NOTFOUND`` BR0513I, a missing answer BR0510I, and any of them makes the run rc 5
(S-5). The files themselves are written by the backup tool; BRRESTORE only asks.
``-b2``, ``-n``, ``-q``, ``-a2`` and ``-m`` values beyond those below are refused (rc 3).
"""

from __future__ import annotations

from collections.abc import Sequence

from apprm_ref.errors import HostError
from apprm_ref.sim.sap import oracle_side, textfiles
from apprm_ref.sim.sap.backint import BackintCall
from apprm_ref.sim.sap.context import BrContext, Result, execute
from apprm_ref.sim.sap.messages import RC_ERRORS, RC_INIT, RC_OK, BrError, msg, worst
from apprm_ref.sim.sap.options import Opt, check_user, common, parse
from apprm_ref.sim.sap.system import Run, SavedFile

OPTIONS = (
    *common(("util_file", "util_file_online", "disk")),
    Opt("-b", ("-backup", "-b1")),
    Opt("-a", ("-archive", "-a1")),
    Opt("-m", ("-mode",)),
)


def brrestore(ctx: BrContext, argv: Sequence[str]) -> Result:
    def body(ctx: BrContext) -> int:
        opts = parse(argv, OPTIONS)
        if "-a" in opts and "-b" in opts:
            raise BrError(RC_INIT, msg("BR0430E", "-a", "-b"))
        prof = ctx.read_profile(opts.get("-p"))
        check_user(ctx.db, opts.get("-u"))
        device = opts.get("-d") or prof.get("backup_dev_type") or "tape"
        if device not in ("util_file", "util_file_online", "disk"):
            raise BrError(RC_INIT, msg("BR0164E", device, "backup_dev_type"))
        parfile = ctx.resolve(opts.get("-r") or prof.get("util_par_file") or "")
        if "-a" in opts:
            wanted = _archive_files(ctx, opts["-a"])
            function = "rsa"
        else:
            wanted = _backup_files(ctx, opts.get("-b") or "last", opts.get("-m") or "all")
            function = "rsb"
        if device != "disk" and textfiles.read(ctx.hosts, ctx.host, parfile) is None:
            raise BrError(RC_INIT, msg("BR0274E", parfile), msg("BR0506I", parfile))
        ctx.summary_extra = f"{len(wanted)} {opts.get('-m') or 'all'} {device}"
        ctx.start(function, device=device)
        ctx.out.say("BR0407I", ctx.sap.sid)
        for f in wanted:  # BRRESTORE checks no database status (help.sap.com nw75 .../47/14e9a6...)
            if textfiles.exists(ctx.hosts, ctx.sap.host, f.path):
                ctx.out.say("BR0428W", f.path)
        rc = _from_disk(ctx, wanted) if device == "disk" else _from_backint(ctx, parfile, wanted)
        if function == "rsb" and any(f.kind == "data" for f in wanted):
            ctx.out.say("BR0456W")
        return rc

    return execute(ctx, body)


def _backup_run(ctx: BrContext, name: str) -> Run:
    if name == "last":
        run = ctx.sap.last_run("brbackup")
        if run is None:
            raise BrError(RC_INIT, msg("BR0435E", ctx.sap.summary_log("brbackup")))
        return run
    base = name.rsplit("/", 1)[-1]
    found = next((r for r in ctx.sap.runs if f"{r.action}.{r.function}" == base), None)
    if found is None or found.tool != "brbackup":
        raise BrError(RC_INIT, msg("BR0156E", name, "-b"))
    return found


def _backup_files(ctx: BrContext, name: str, mode: str) -> list[SavedFile]:
    run = _backup_run(ctx, name)
    saved = [f for f in ctx.sap.files_of(run.action) if f.bid]
    if mode in ("all", "all_data"):
        chosen = [f for f in saved if f.kind == "data"]
    elif mode == "full":
        chosen = [f for f in saved if f.kind in ("data", "control") and "/cntrl" not in f.path]
    else:
        names = [m.strip() for m in mode.split(",") if m.strip()]
        ts_of = dict(oracle_side.datafiles(ctx.db))
        chosen = [f for f in saved if f.path in names or ts_of.get(f.path, "") in
                  {n.upper() for n in names}]  # fmt: skip
        if not chosen:
            raise BrError(RC_INIT, msg("BR0156E", mode, "-m"))
    for path in _named_paths(mode):
        if path not in {f.path for f in chosen}:
            raise BrError(RC_INIT, msg("BR0437E", path))
    if not chosen:
        raise BrError(RC_INIT, msg("BR0417E"))
    return chosen


def _named_paths(mode: str) -> list[str]:
    return [m.strip() for m in mode.split(",") if m.strip().startswith("/")]


def parse_range(value: str) -> list[int]:
    """``[SID,]1201-1207`` or ``1201,1203`` or ``1201``; a destination (``=dir``) is refused."""
    parts = [p for p in value.split(",") if p]
    if parts and not parts[0].replace("-", "").isdigit():
        parts = parts[1:]  # the leading <DBSID>
    seqs: list[int] = []
    for part in parts:
        lo, dash, hi = part.partition("-")
        if not lo.isdigit() or (dash and not hi.isdigit()) or (dash and int(hi) < int(lo)):
            raise BrError(RC_INIT, msg("BR0156E", value, "-a"))
        seqs.extend(range(int(lo), int(hi if dash else lo) + 1))
    if not seqs:
        raise BrError(RC_INIT, msg("BR0156E", value, "-a"))
    return seqs


def _archive_files(ctx: BrContext, value: str) -> list[SavedFile]:
    found: list[SavedFile] = []
    for seq in parse_range(value):
        copies = ctx.sap.archive_copies(seq)
        if not copies:
            ctx.out.say("BR0438W", seq, ctx.sap.summary_log("brarchive"))
            continue
        found.append(copies[0])
    if not found:
        raise BrError(RC_INIT, msg("BR0439E", ctx.sap.summary_log("brarchive")))
    return found


def _from_backint(ctx: BrContext, parfile: str, files: list[SavedFile]) -> int:
    run = ctx.run
    assert run is not None
    call = BackintCall(ctx.hosts, ctx.host, ctx.sap.sapbackup, ctx.sap.sid, parfile, ctx.runner)
    lines = [f"{f.bid} {f.path}" for f in files]
    res = call.run("restore", "file", lines, f"{run.action}.rst", ctx.out)
    restored = res.with_keyword("#RESTORED")
    rc = RC_OK
    for f in files:
        if f.path in restored:
            ctx.out.raw(f"#FILE..... {f.path}")
            ctx.out.raw(f"#RESTORED. {restored[f.path]}")
            ctx.sap.files.append(SavedFile(run.action, f.path, f.kind, f.bid, f.seq, f.copy, True))
        elif f.path in res.missing:
            ctx.out.say("BR0510I", f.path, "backint")
            rc = RC_ERRORS
        else:
            ctx.out.say("BR0513I", f.path, f.bid)
            rc = RC_ERRORS
    ctx.out.say("BR0234I", len(restored), len(files))
    if res.rc != 0:
        ctx.out.say("BR0279I", "backint", res.rc)
        rc = RC_ERRORS
    return worst(rc)


def _from_disk(ctx: BrContext, files: list[SavedFile]) -> int:
    """Copy each file back from its disk backup (``bid`` holds the copy's path)."""
    hosts, rc = ctx.hosts, RC_OK
    for f in files:
        try:
            blocks = hosts.read_file(ctx.host, f.bid)
            if not hosts.file_exists(ctx.sap.host, f.path):
                hosts.create_file(ctx.sap.host, f.path, len(blocks))
            hosts.write_file(ctx.sap.host, f.path, dict(enumerate(blocks)))
        except HostError as exc:
            ctx.out.say("BR0513I", f"{f.path} ({exc})", f.bid)
            rc = RC_ERRORS
            continue
        ctx.out.raw(f"#FILE..... {f.path}")
    return rc
