"""BRRECOVER: recovery of the database whose files are back (after instant recovery or
BRRESTORE), restoring the archived logs it needs that are no longer in ``saparch``.

Options (sap-vss-addendum.md SAP-13): ``-t|-type complete|dbpit|restore`` (default
``complete``, or ``recov_type``), ``-g|-scn|-change <scn>``, ``-m|-pit|-time <yyyy-mm-dd
hh.mi.ss>`` (two words, dots in the time as in SAP's worked example), ``-n|-seq|-sequence
<n>``, ``-b|-backup <log>|last`` (for ``restore``), ``-u``, ``-c``, ``-p``, ``-r``, ``-d``.
``tspit``, ``reset``, ``apply`` and ``disaster`` are refused (BR0156E, rc 3), as are the
other options. Detail-log extensions (I: not found in the reachable pages): ``crv``
complete, ``dpt`` database point in time, ``rsb`` restore only.

``complete``: MOUNT, RECOVER DATABASE, OPEN. ``dbpit``: RECOVER DATABASE UNTIL the target
(every bound exclusive, OS-I9), OPEN RESETLOGS. When recovery stops on an archived log that
is gone from ``saparch`` (ORA-00308) the logs from that sequence on that BRARCHIVE saved are
restored with ``brrestore -a <n1>-<n2>`` (oracle-sap.md §9.3) and recovery goes on; an
archive BRARCHIVE never saved ends the run (rc 5, S-6, OS-P16).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime

from apprm_ref.drivers.oracle import RecoveryTarget
from apprm_ref.errors import ApprmError, OracleError
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, SHUTDOWN
from apprm_ref.sim.sap import oracle_side, textfiles
from apprm_ref.sim.sap.context import BrContext, Result, execute
from apprm_ref.sim.sap.messages import RC_ERRORS, RC_INIT, RC_OK, BrError, msg
from apprm_ref.sim.sap.options import Opt, check_user, common, parse

TYPES = ("complete", "dbpit", "restore")
FUNCTIONS = {"complete": "crv", "dbpit": "dpt", "restore": "rsb"}
OPTIONS = (
    *common(("util_file", "util_file_online", "disk")),
    Opt("-t", ("-type",), domain=TYPES),
    Opt("-g", ("-scn", "-change")),
    Opt("-m", ("-pit", "-time")),
    Opt("-n", ("-seq", "-sequence")),
    Opt("-b", ("-backup",)),
)
_MISSING = re.compile(r"cannot open archived log '([^']+)'")
_PIT_WORDS = ("-m", "-pit", "-time")


def _join_pit(argv: Sequence[str]) -> list[str]:
    """``-pit 2011-11-09 16.27.04`` is one value in two words."""
    out, i = [], 0
    while i < len(argv):
        out.append(argv[i])
        if argv[i] in _PIT_WORDS and i + 2 < len(argv) and not argv[i + 2].startswith("-"):
            out.append(f"{argv[i + 1]} {argv[i + 2]}")
            i += 3
            continue
        i += 1
    return out


def brrecover(ctx: BrContext, argv: Sequence[str]) -> Result:
    def body(ctx: BrContext) -> int:
        opts = parse(_join_pit(argv), OPTIONS)
        prof = ctx.read_profile(opts.get("-p"))
        check_user(ctx.db, opts.get("-u"))
        rtype = opts.get("-t") or prof.get("recov_type") or "complete"
        if rtype not in TYPES:
            raise BrError(RC_INIT, msg("BR0164E", rtype, "recov_type"))
        target = _target(ctx, rtype, opts)
        ctx.summary_extra = rtype
        ctx.start(FUNCTIONS[rtype])
        ctx.out.say("BR0707I", ctx.sap.sid)
        if rtype == "restore":
            return _restore_only(ctx, opts)
        return _recover(ctx, target, rtype, opts)

    return execute(ctx, body)


def _target(ctx: BrContext, rtype: str, opts: dict[str, str]) -> RecoveryTarget:
    given = [k for k in ("-g", "-m", "-n") if k in opts]
    if rtype != "dbpit":
        if given:
            raise BrError(RC_INIT, msg("BR0154E", given[0], 1))
        return RecoveryTarget.now()
    if len(given) != 1:
        raise BrError(RC_INIT, msg("BR0155E", "-pit|-scn|-seq"))
    key, value = given[0], opts[given[0]]
    if key == "-m":
        try:
            when = datetime.strptime(value, "%Y-%m-%d %H.%M.%S").replace(tzinfo=UTC)
        except ValueError:
            raise BrError(RC_INIT, msg("BR0156E", value, "-pit")) from None
        return RecoveryTarget.until_time(when)
    if not value.isdigit():
        raise BrError(RC_INIT, msg("BR0156E", value, "-scn" if key == "-g" else "-seq"))
    if key == "-g":
        return RecoveryTarget.until_scn(int(value))
    return RecoveryTarget("sequence", sequence=int(value))


def _mount(ctx: BrContext) -> None:
    db = ctx.db
    try:
        if db.alive() and db.status == OPEN:
            oracle_side.shutdown(db, ctx.out)
        if db.status == SHUTDOWN:
            db.startup(MOUNTED)
        elif db.status != MOUNTED:
            db.mount()
    except ApprmError as exc:
        raise BrError(
            RC_ERRORS, oracle_side.oracle_error(exc, "mount"), msg("BR0337E", db.sid)
        ) from exc


def _recover(ctx: BrContext, target: RecoveryTarget, rtype: str, opts: dict[str, str]) -> int:
    db = ctx.db
    _mount(ctx)
    tried: set[str] = set()
    while True:
        try:
            db.recover(target)
            break
        except OracleError as exc:
            missing = _MISSING.search(str(exc))
            if missing is None or missing.group(1) in tried:
                raise BrError(RC_ERRORS, oracle_side.oracle_error(exc, "recover"),
                              msg("BR0337E", db.sid)) from exc  # fmt: skip
            tried.add(missing.group(1))
            _restore_archives(ctx, missing.group(1), opts, exc)
    try:
        db.open(
            resetlogs=True
            if rtype == "dbpit" or db.cf.get("open_resetlogs") == "REQUIRED"
            else None
        )
    except ApprmError as exc:
        raise BrError(
            RC_ERRORS, oracle_side.oracle_error(exc, "open"), msg("BR0337E", db.sid)
        ) from exc
    ctx.out.say("BR0336I", db.sid)
    return RC_OK


def _restore_archives(ctx: BrContext, name: str, opts: dict[str, str], exc: OracleError) -> None:
    """BRRESTORE -a for the saved logs from the one recovery misses, as a child run."""
    first = next(
        (f.seq for f in ctx.sap.files if f.kind == "arch" and f.path == name and f.bid), None
    )
    if first is None:
        raise BrError(
            RC_ERRORS, oracle_side.oracle_error(exc, "recover"), msg("BR0337E", ctx.db.sid)
        )
    seqs = sorted({
        f.seq for f in ctx.sap.files
        if f.kind == "arch" and f.bid and f.seq is not None and f.seq >= first
        and not textfiles.exists(ctx.hosts, ctx.sap.host, f.path)
    })  # fmt: skip
    if _brrestore(ctx, opts, "-a", f"{first}-{seqs[-1]}") > 1:
        raise BrError(RC_ERRORS, msg("BR0337E", ctx.db.sid))


def _brrestore(ctx: BrContext, opts: dict[str, str], *what: str) -> int:
    """BRRESTORE as BRRECOVER's child run (its own action ID and logs), with the parent's
    profile, parameter file, device and user; its lines go into the parent's log."""
    from apprm_ref.sim.sap.tools import run_tool

    argv = ["-c", *what]
    for k in ("-p", "-r", "-d", "-u"):
        if k in opts:
            argv += [k, opts[k]] if opts[k] else [k]
    child = run_tool("brrestore", ctx.sap, argv, ctx.runner, host=ctx.host)
    ctx.out.lines.extend(f"  {ln}" for ln in child.out.splitlines())
    return child.rc


def _restore_only(ctx: BrContext, opts: dict[str, str]) -> int:
    return RC_OK if _brrestore(ctx, opts, "-b", opts.get("-b") or "last") <= 1 else RC_ERRORS
