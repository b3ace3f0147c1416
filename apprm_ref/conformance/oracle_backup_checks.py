"""Backup-mode, log and layout checks for Oracle drivers (OS-I7, ORA-01146/01149 ...).

Per tablespace where it matters, so a driver that handles one tablespace and not another
fails exactly that check.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.oracle_checks import SCRATCH, _active, _seq, add, to_state
from apprm_ref.conformance.suite import Ctx, expect
from apprm_ref.drivers.oracle import SHUTDOWN_MODES, layout_of
from apprm_ref.errors import OracleError

TABLESPACES = ("SYSTEM", "USERS")  # what every fixture database has (checked below)


def _begin(ctx: Ctx, ts: str | None) -> None:
    to_state(ctx, "OPEN")
    ctx.driver.begin_backup(ts)


def _twice(ts: str | None) -> Any:
    def run(ctx: Ctx) -> None:
        _begin(ctx, ts)
        ctx.refused(lambda: ctx.driver.begin_backup(ts), "ORA-01146")

    return run


def _only_that(ts: str) -> Any:
    def run(ctx: Ctx) -> None:
        _begin(ctx, ts)
        expect(_active(ctx) == {ts}, f"BEGIN BACKUP of {ts} put {_active(ctx)} in backup")
        changes = [f.backup_change for f in ctx.driver.datafiles() if f.tablespace == ts]
        expect(all(c > 0 for c in changes), f"V$BACKUP.CHANGE# of {ts} files: {changes}")
        ctx.driver.end_backup(ts)
        expect(not _active(ctx), f"END BACKUP of {ts} left files in backup")

    return run


def _db_over_ts(ts: str) -> Any:
    def run(ctx: Ctx) -> None:
        _begin(ctx, ts)
        ctx.refused(lambda: ctx.driver.begin_backup(), "ORA-01146")

    return run


def _end_ts_of_db(ts: str) -> Any:
    def run(ctx: Ctx) -> None:
        _begin(ctx, None)
        ctx.driver.end_backup(ts)
        expect(ts not in _active(ctx) and _active(ctx), f"END BACKUP of {ts} ended {_active(ctx)}")

    return run


def _shutdown_in_backup(mode: str) -> Any:
    def run(ctx: Ctx) -> None:
        _begin(ctx, "USERS")
        ctx.refused(lambda: ctx.driver.shutdown(mode), "ORA-01149")

    return run


def _shutdown(mode: str) -> Any:
    def run(ctx: Ctx) -> None:
        to_state(ctx, "OPEN")
        ctx.driver.shutdown(mode)
        expect(ctx.driver.instance_status() == "SHUTDOWN", f"SHUTDOWN {mode} left an instance")
        ctx.refused(lambda: ctx.driver.shutdown(mode), "ORA-01034")

    return run


def _unknown_ts(end: bool) -> Any:
    def run(ctx: Ctx) -> None:
        to_state(ctx, "OPEN")
        call = ctx.driver.end_backup if end else ctx.driver.begin_backup
        ctx.refused(lambda: call("CONF_NO_SUCH_TS"), "ORA-00959")

    return run


def _cf_no_reuse(ctx: Ctx) -> None:
    path = f"{ctx.fx.scratch}/{SCRATCH}"
    ctx.driver.backup_controlfile(path)
    ctx.refused(lambda: ctx.driver.backup_controlfile(path, reuse=False), "ORA-01580")
    try:
        ctx.driver.backup_controlfile(path, reuse=False)
    except OracleError as exc:
        expect("ORA-27038" in exc.stack, f"ORA-01580 without ORA-27038: {exc.codes}")


def _cf_bad_dir(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.backup_controlfile("/conf-no-such-dir/x.ctl"), "ORA-01580")


def _restore_cf_open(ctx: Ctx) -> None:
    path = f"{ctx.fx.scratch}/{SCRATCH}"
    ctx.refused(lambda: ctx.driver.restore_controlfile(path), "ORA-01126")


def _switch(ctx: Ctx) -> None:
    before = _seq(ctx)
    ctx.driver.switch_logfile()
    expect(_seq(ctx) == before + 1, "SWITCH LOGFILE did not advance the current sequence")


def _archive_current(ctx: Ctx) -> None:
    """OS-I7: the closed log is archived when the call returns."""
    cur = _seq(ctx)
    ctx.driver.archive_log_current()
    expect(ctx.driver.last_archived_sequence() >= cur, f"sequence {cur} not archived on return")
    seqs = [a.sequence for a in ctx.driver.archived_logs() if not a.deleted]
    expect(cur in seqs, f"V$ARCHIVED_LOG lacks sequence {cur}")


def _one_current(ctx: Ctx) -> None:
    cur = [g.group for g in ctx.driver.online_logs() if g.status == "CURRENT"]
    expect(len(cur) == 1, f"CURRENT log groups: {cur}")


def _members(ctx: Ctx) -> None:
    for g in ctx.driver.online_logs():
        expect(bool(g.members), f"log group {g.group} has no member")


def _last_archived(ctx: Ctx) -> None:
    seqs = [a.sequence for a in ctx.driver.archived_logs()]
    expect(ctx.driver.last_archived_sequence() == max(seqs, default=0), "MAX(SEQUENCE#) differs")


def _layout(ctx: Ctx) -> None:
    expect(ctx.driver.file_layout() == layout_of(ctx.driver), "file_layout != layout_of")


def _headers(ctx: Ctx) -> None:
    files = {(f.file_no, f.name, f.tablespace) for f in ctx.driver.datafiles()}
    heads = {(h.file_no, h.name, h.tablespace) for h in ctx.driver.datafile_headers()}
    expect(files == heads, f"V$DATAFILE {files} vs V$DATAFILE_HEADER {heads}")


def _tablespaces(ctx: Ctx) -> None:
    got = set(ctx.driver.tablespaces())
    expect(set(TABLESPACES) <= got, f"fixture database lacks {set(TABLESPACES) - got}")
    expect({f.tablespace for f in ctx.driver.datafiles()} <= got, "a datafile of no tablespace")


def _archivelog(ctx: Ctx) -> None:
    db = ctx.driver.database()
    expect(db.log_mode == "ARCHIVELOG" and db.open_mode == "READ WRITE", f"{db}")
    expect(db.status == ctx.driver.instance_status() == "OPEN", "status disagrees")


def _no_recovery(ctx: Ctx) -> None:
    """A consistent database needs no recovery: ORA-00283 over ORA-00264."""
    from apprm_ref.drivers.oracle import RecoveryTarget

    to_state(ctx, "MOUNTED")
    try:
        ctx.driver.recover(RecoveryTarget.now())
    except OracleError as exc:
        expect("ORA-00264" in exc.codes, f"no ORA-00264 in {exc.codes}")
    else:
        raise AssertionError("RECOVER of a consistent database was accepted")


for _ts in TABLESPACES:
    add(f"backup.{_ts}.only-that", f"BEGIN/END BACKUP of {_ts} puts exactly its files in and out", _only_that(_ts), ("tablespace-backup-mode",))  # fmt: skip
    add(f"backup.{_ts}.twice", f"BEGIN BACKUP of {_ts} twice: ORA-01146, changing nothing", _twice(_ts), ("tablespace-backup-mode",))  # fmt: skip
    add(f"backup.{_ts}.then-database", f"ALTER DATABASE BEGIN BACKUP over {_ts} in backup: ORA-01146", _db_over_ts(_ts), ("tablespace-backup-mode", "database-backup-mode"))  # fmt: skip
    add(f"backup.{_ts}.end-of-database", f"END BACKUP of {_ts} inside a database backup ends only it", _end_ts_of_db(_ts), ("tablespace-backup-mode", "database-backup-mode"))  # fmt: skip
add(
    "backup.database.twice",
    "ALTER DATABASE BEGIN BACKUP twice: ORA-01146",
    _twice(None),
    ("database-backup-mode",),
)
for _mode in SHUTDOWN_MODES:
    add(
        f"shutdown.{_mode.lower()}",
        f"SHUTDOWN {_mode} from OPEN; again: ORA-01034",
        _shutdown(_mode),
    )
    if _mode != "ABORT":
        add(f"shutdown.{_mode.lower()}.in-backup", f"SHUTDOWN {_mode} with a file in backup: ORA-01149", _shutdown_in_backup(_mode), ("tablespace-backup-mode",))  # fmt: skip
for _cid, _doc, _fn, _req in [
    ("not-found.begin-backup.tablespace", "BEGIN BACKUP of an unknown tablespace: ORA-00959", _unknown_ts(False), ("tablespace-backup-mode",)),
    ("not-found.end-backup.tablespace", "END BACKUP of an unknown tablespace: ORA-00959", _unknown_ts(True), ("tablespace-backup-mode",)),
    ("controlfile.no-reuse", "BACKUP CONTROLFILE to an existing file without REUSE: ORA-01580 + ORA-27038", _cf_no_reuse, ("backup-controlfile",)),
    ("controlfile.bad-directory", "BACKUP CONTROLFILE into a missing directory: ORA-01580", _cf_bad_dir, ("backup-controlfile",)),
    ("controlfile.restore-while-open", "RESTORE CONTROLFILE with the database open: ORA-01126", _restore_cf_open, ("restore-controlfile",)),
    ("logs.switch", "SWITCH LOGFILE advances the CURRENT sequence by one", _switch, ()),
    ("logs.archive-current", "OS-I7: ARCHIVE LOG CURRENT returns with the closed log archived", _archive_current, ()),
    ("logs.one-current", "exactly one online log group is CURRENT", _one_current, ()),
    ("logs.members", "every online log group has a member file", _members, ()),
    ("logs.last-archived", "last_archived_sequence is MAX(SEQUENCE#) of V$ARCHIVED_LOG", _last_archived, ()),
    ("layout.consistent", "file_layout equals what layout_of derives from the views", _layout, ()),
    ("layout.headers", "V$DATAFILE_HEADER names the same files as V$DATAFILE", _headers, ()),
    ("layout.tablespaces", "the fixture's tablespaces exist and hold every datafile", _tablespaces, ()),
    ("identity.archivelog-open", "the fixture database is OPEN READ WRITE in ARCHIVELOG mode", _archivelog, ("online-backup",)),
    ("recover.not-needed", "RECOVER of a consistent mounted database: ORA-00283 over ORA-00264", _no_recovery, ()),
]:  # fmt: skip
    add(_cid, _doc, _fn, _req)
