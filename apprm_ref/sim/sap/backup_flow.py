"""BRBACKUP's flows, acting on the Oracle simulator.

- ``online``: BEGIN BACKUP of the tablespaces, the files to the device, END BACKUP, a backup
  control file and a log switch; with ``util_file_online`` there is no bracket up front:
  BACKINT asks for each switch (BR0142I, SAP-9).
- ``offline`` / ``offline_force``: ``offline`` refuses while SAP users are connected
  (BR0068E, rc 3, S-1, OS-P15); shutdown, the files, the control files and the online logs
  to the device, startup.
- ``online_split`` (SAP split-command scenario, oracle-sap.md §7.2): BEGIN BACKUP, then
  ``split_cmd``, then END BACKUP, so the tablespaces are in backup mode only around the split
  (OS-I19); backup control file and log switch on production; the split files to the device;
  ``resync_cmd`` if set. ``offline_split``: shutdown, split, startup (the database is down
  only around the split), then the files.
- ``split_cmd`` succeeds with exit 0 and no output but ``#INFO`` lines (SAP-10, S-9).
- Every path that began backup mode ends it and every path that shut the database down
  starts it again, whatever failed (OS-P14, OS-I13).
- Two BACKINT calls (oracle-sap.md §7.4): the database files, then the profiles and logs.
"""

from __future__ import annotations

import shlex
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.sim.sap import oracle_side, textfiles
from apprm_ref.sim.sap.backint import BackintCall, serve_switch
from apprm_ref.sim.sap.brbackup import Plan
from apprm_ref.sim.sap.context import BrContext
from apprm_ref.sim.sap.messages import (
    RC_ERRORS,
    RC_INIT,
    RC_OK,
    RC_WARN,
    BrError,
    msg,
    worst,
)
from apprm_ref.sim.sap.system import SavedFile


def carry_out(ctx: BrContext, plan: Plan, opts: dict[str, str]) -> int:
    ctx.summary_extra = f"{plan.mode} {plan.backup_type} {plan.device}"
    if plan.backup_type == "offline" and ctx.sap.sap_users and "-q" not in opts:
        ctx.start(plan.function, backup_type=plan.backup_type, device=plan.device, mode=plan.mode)
        raise BrError(RC_INIT, msg("BR0068E"))
    if "-q" in opts:
        return _query(ctx, plan, opts["-q"])
    ctx.start(plan.function, backup_type=plan.backup_type, device=plan.device, mode=plan.mode)
    out = ctx.out
    out.say("BR0143I", plan.backup_type)
    out.say("BR0130I", plan.device)
    if plan.device == "util_file_online":
        out.say("BR0142I")
    out.say("BR0109I" if plan.device.startswith("util_") else "BR0106I",
            *([] if plan.device.startswith("util_") else [_root(plan)]))  # fmt: skip
    out.say("BR0077I", len(plan.files))
    if plan.split:
        return _split_backup(ctx, plan)
    if plan.online:
        return _online(ctx, plan)
    return _offline(ctx, plan)


def _query(ctx: BrContext, plan: Plan, value: str) -> int:
    ctx.start("qub", backup_type=plan.backup_type, device=plan.device, mode=plan.mode)
    ctx.out.say("BR0135I" if value == "check" else "BR0124I")
    for path in plan.files:
        if value == "check" and not textfiles.exists(ctx.hosts, ctx.db.host, path):
            raise BrError(RC_INIT, msg("BR0080E", path))
        ctx.out.raw(f"#FILE..... {path}")
    return RC_OK


# --- online ------------------------------------------------------------------------------


def _online(ctx: BrContext, plan: Plan) -> int:
    db, begun = ctx.db, []
    try:
        if plan.device != "util_file_online":
            for ts in plan.tablespaces:
                oracle_side.begin(db, ts, ctx.out)
                begun.append(ts)
        oracle_side.backup_controlfile(db, _cf_copy(ctx), ctx.out)
        files = [*plan.files, _cf_copy(ctx)]
        rc = _save(ctx, plan, files, switch=_switcher(ctx, begun, sql=True))
    finally:
        _end_all(ctx, begun)
    oracle_side.switch_log(db, ctx.out)
    return worst(rc, _non_db(ctx, plan))


def _end_all(ctx: BrContext, begun: list[str]) -> None:
    failed = [ts for ts in list(begun) if not oracle_side.end(ctx.db, ts, ctx.out)]
    begun.clear()
    if failed:
        raise BrError(RC_ERRORS, msg("BR0318E", ",".join(failed)))


def _switcher(ctx: BrContext, begun: list[str], *, sql: bool) -> Any:
    """The BRBACKUP side of one file_online round: tablespaces in or out of backup mode
    (no SQL for split or offline runs, SAP-9)."""

    def act(keyword: str, files: list[str]) -> list[str]:
        if not sql:
            return []
        failed = []
        for ts in oracle_side.tablespaces_of(ctx.db, files):
            try:
                if keyword == "#BEGIN" and ts not in begun:
                    oracle_side.begin(ctx.db, ts, ctx.out)
                    begun.append(ts)
                elif keyword == "#END" and ts in begun:
                    if oracle_side.end(ctx.db, ts, ctx.out):
                        begun.remove(ts)
                    else:
                        failed.append(ts)
            except BrError as exc:
                ctx.out.lines.extend(exc.lines)
                failed.append(ts)
        ts_of = dict(oracle_side.datafiles(ctx.db))
        return [f for f in files if ts_of.get(f) in failed]

    return lambda: serve_switch(ctx.hosts, ctx.host, ctx.sap.sapbackup, act)


# --- offline -----------------------------------------------------------------------------


def _offline(ctx: BrContext, plan: Plan) -> int:
    db = ctx.db
    extra = [] if plan.fillup_of else oracle_side.control_files(db) + oracle_side.online_logs(db)
    oracle_side.shutdown(db, ctx.out)
    try:
        rc = _save(ctx, plan, plan.files + extra, switch=_switcher(ctx, [], sql=False))
    finally:
        if not oracle_side.startup(db, ctx.out):
            raise BrError(RC_ERRORS, msg("BR0310E", db.sid))
    return worst(rc, _non_db(ctx, plan))


# --- split -------------------------------------------------------------------------------


def _split_backup(ctx: BrContext, plan: Plan) -> int:
    db = ctx.db
    extra = [] if plan.online else oracle_side.control_files(db) + oracle_side.online_logs(db)
    if plan.online:
        begun: list[str] = []
        try:
            for ts in plan.tablespaces:
                oracle_side.begin(db, ts, ctx.out)
                begun.append(ts)
            _split(ctx, plan, "split_cmd")
        finally:
            _end_all(ctx, begun)
        oracle_side.backup_controlfile(db, _cf_copy(ctx), ctx.out)
        oracle_side.switch_log(db, ctx.out)
        extra = [_cf_copy(ctx)]
    else:
        oracle_side.shutdown(db, ctx.out)
        try:
            _split(ctx, plan, "split_cmd")
        finally:
            if not oracle_side.startup(db, ctx.out):
                raise BrError(RC_ERRORS, msg("BR0310E", db.sid))
    rc = _save(ctx, plan, plan.files + extra, switch=_switcher(ctx, [], sql=False))
    rc = worst(rc, _non_db(ctx, plan))
    if plan.prof.get("resync_cmd"):
        rc = worst(rc, _split(ctx, plan, "resync_cmd"))
    return rc


def _split(ctx: BrContext, plan: Plan, param: str) -> int:
    """Run ``split_cmd``/``resync_cmd`` through the runner; ``$`` is the file list."""
    cmd = plan.prof.get(param) or ""
    listing = f"{ctx.sap.sapbackup}/.{ctx.run.action if ctx.run else 'x'}.{param[:5]}"
    names = plan.files + ([] if plan.online else oracle_side.control_files(ctx.db))
    textfiles.write(ctx.hosts, ctx.host, listing, "".join(f"{p}\n" for p in names))
    argv = [listing if tok == "$" else tok for tok in shlex.split(cmd)]
    split = param == "split_cmd"
    ctx.out.say("BR0287I" if split else "BR0290I", cmd)
    ctx.sap.busy = "split" if split else "resync"
    try:
        rc, stdout, stderr = ctx.runner.run(argv)
    finally:
        ctx.sap.busy = None
    lines = [ln for ln in (stdout + stderr).splitlines() if ln.strip()]
    bad = [ln for ln in lines if not ln.startswith("#INFO")]
    ctx.out.lines.extend(ln for ln in lines if ln.startswith("#INFO"))
    if rc != 0 or bad:
        for ln in bad:
            ctx.out.say("BR0278E", argv[0], ln)
        ctx.out.say("BR0279I", argv[0], rc)
        raise BrError(RC_ERRORS, msg("BR0289E" if split else "BR0292E"))
    ctx.out.say("BR0288I" if split else "BR0291I")
    return RC_OK


# --- the device --------------------------------------------------------------------------


def _cf_copy(ctx: BrContext) -> str:
    return f"{ctx.sap.sapbackup}/cntrl{ctx.sap.sid}.dbf"


def _root(plan: Plan) -> str:
    return plan.prof.items("backup_root_dir")[0]


def _non_db(ctx: BrContext, plan: Plan) -> int:
    """The second call: init<SID>.sap, the .utl file and the summary log (SAP-5)."""
    paths = [ctx.sap.sap_profile]
    if plan.parfile:
        paths.append(plan.parfile)
    paths.append(ctx.sap.summary_log("brbackup"))
    ctx.out.say("BR0078I", len(paths))
    return _save(ctx, plan, paths, nondb=True)


def _kinds(ctx: BrContext, paths: list[str], nondb: bool) -> dict[str, str]:
    """data | control | redo | profile of each path (an SDBAD row's file type)."""
    if nondb:
        return dict.fromkeys(paths, "profile")
    db = ctx.db
    control = {*oracle_side.control_files(db), _cf_copy(ctx)}
    redo = set(oracle_side.online_logs(db))
    return {p: "control" if p in control else "redo" if p in redo else "data" for p in paths}


def _save(
    ctx: BrContext, plan: Plan, paths: list[str], *, switch: Any = None, nondb: bool = False
) -> int:
    kinds = _kinds(ctx, paths, nondb)
    if plan.device == "disk":
        return _to_disk(ctx, plan, paths, kinds)
    action = ctx.run.action if ctx.run else "x"
    call = BackintCall(
        ctx.hosts, ctx.host, ctx.sap.sapbackup, ctx.sap.sid, plan.parfile, ctx.runner
    )
    btype = "file_online" if plan.device == "util_file_online" and not nondb else "file"
    tag = f"{action}.{'nondb' if nondb else 'db'}"
    res = call.run(
        "backup", btype, paths, tag, ctx.out, serve=switch if btype == "file_online" else None
    )
    saved = res.with_keyword("#SAVED")
    rc = RC_OK
    for path in paths:
        bid = saved.get(path)
        ctx.sap.files.append(SavedFile(action, path, kinds[path], bid))
        if bid:
            ctx.out.raw(f"#FILE..... {path}")
            ctx.out.raw(f"#SAVED.... {bid}")
        elif path in res.missing:
            ctx.out.say("BR0510I", path, "backint")
            rc = RC_ERRORS
        else:
            ctx.out.say("BR0233E", path)
            rc = RC_ERRORS
    for path in res.unknown:
        ctx.out.say("BR0511I", path, "backint")
        rc = worst(rc, RC_WARN)
    return worst(rc, _backint_rc(ctx, res.rc, len(saved), len(paths)))


def _backint_rc(ctx: BrContext, rc: int, saved: int, total: int) -> int:
    ctx.out.say("BR0232I", saved, total)
    if rc == 0:
        ctx.out.say("BR0230I")
        return RC_OK
    ctx.out.say("BR0279I", "backint", rc)
    ctx.out.say("BR0231E")
    return RC_WARN if rc == 1 and saved == total else RC_ERRORS


def _to_disk(ctx: BrContext, plan: Plan, paths: list[str], kinds: dict[str, str]) -> int:
    """Copy each file into ``backup_root_dir/<action>/`` on the BR*Tools host."""
    action = ctx.run.action if ctx.run else "x"
    hosts, rc = ctx.hosts, RC_OK
    for path in paths:
        dest = f"{_root(plan)}/{action}/{path.rsplit('/', 1)[-1]}"
        try:
            blocks = hosts.read_file(ctx.host, path)
            hosts.create_file(ctx.host, dest, len(blocks))
            hosts.write_file(ctx.host, dest, dict(enumerate(blocks)))
        except HostError as exc:
            ctx.out.say("BR0274E", f"{path} ({exc})")
            ctx.sap.files.append(SavedFile(action, path, kinds[path], None))
            rc = RC_ERRORS
            continue
        ctx.sap.files.append(SavedFile(action, path, kinds[path], dest))
        ctx.out.raw(f"#FILE..... {path}")
        ctx.out.raw(f"#SAVED.... {dest}")
    return rc
