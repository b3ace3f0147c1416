"""Checks for Oracle drivers (``OracleDriver``, drivers/oracle.py; protocols.md 3).

The core is the matrix of every Protocol call in every instance state (no instance,
NOMOUNT, MOUNT, OPEN): accepted, or refused with the ORA code Oracle gives (ORA-01034 no
instance, ORA-01507 not mounted, ORA-01109 not open, ORA-01100/01531/01081 already
mounted/open/started ...), twice, changing nothing. Each check starts from and returns the
database to OPEN with no file in backup mode: that is the leak check of this family (the
Protocol creates no objects; a control-file copy goes to the fixture's one scratch path).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from apprm_ref.conformance.suite import Ctx, Subject, expect, register
from apprm_ref.drivers.oracle import RecoveryTarget
from apprm_ref.errors import OracleError

F = "oracle"
STATES = ("SHUTDOWN", "STARTED", "MOUNTED", "OPEN")


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except OracleError as exc:
        return exc.code


def observe(s: Subject) -> Any:
    """Instance state and the views; CURRENT_SCN moves on a real database, so it is left out."""
    d = s.driver
    db = _safe(d.database)
    if not isinstance(db, str):
        db = dataclasses.replace(db, current_scn=0)
    return (d.instance_status(), db, _safe(d.datafiles), _safe(d.online_logs),
            _safe(d.archived_logs), _safe(d.datafile_headers))  # fmt: skip


def inventory(s: Subject) -> Any:
    d = s.driver
    files = _safe(lambda: tuple((f.file_no, f.backup_status) for f in d.datafiles()))
    return d.instance_status(), files


def add(cid: str, doc: str, fn: Any, requires: tuple[str, ...] = ()) -> None:
    register(F, cid, doc, fn, requires=requires)


def reopen(ctx: Ctx) -> None:
    """Back to OPEN with nothing in backup mode, from wherever the check left the database."""
    d = ctx.driver
    status = d.instance_status()
    if status == "OPEN":
        if any(f.backup_status == "ACTIVE" for f in d.datafiles()):
            _safe(d.end_backup)
        return
    if status == "MOUNTED" and any(f.backup_status == "ACTIVE" for f in d.datafiles()):
        _safe(d.end_backup)
    if status == "SHUTDOWN":
        d.startup("OPEN")
        return
    if status == "STARTED":
        d.mount()
    d.open()


def to_state(ctx: Ctx, state: str) -> None:
    ctx.track("database state", lambda: reopen(ctx))
    d = ctx.driver
    if state == "OPEN":
        return
    d.shutdown("IMMEDIATE")
    if state != "SHUTDOWN":
        d.startup(state)
    expect(d.instance_status() == state, f"could not bring the instance to {state}")


def _active(ctx: Ctx) -> set[str]:
    return {f.tablespace for f in ctx.driver.datafiles() if f.backup_status == "ACTIVE"}


def _seq(ctx: Ctx) -> int:
    return max(g.sequence for g in ctx.driver.online_logs() if g.status == "CURRENT")


SCRATCH = "conformance.ctl"
# operation -> (call, what an accepted call must have done, capabilities)
OPS: dict[str, tuple[Any, Any, tuple[str, ...]]] = {
    "database": (lambda c: c.driver.database(), None, ()),
    "datafiles": (lambda c: c.driver.datafiles(), None, ()),
    "datafile_headers": (lambda c: c.driver.datafile_headers(), None, ()),
    "tablespaces": (lambda c: c.driver.tablespaces(), None, ()),
    "online_logs": (lambda c: c.driver.online_logs(), None, ()),
    "archived_logs": (lambda c: c.driver.archived_logs(), None, ()),
    "last_archived_sequence": (lambda c: c.driver.last_archived_sequence(), None, ()),
    "control_files": (lambda c: c.driver.control_files(), None, ()),
    "archive_dest": (lambda c: c.driver.archive_dest(), None, ()),
    "spfile": (lambda c: c.driver.spfile(), None, ()),
    "file_layout": (lambda c: c.driver.file_layout(), None, ()),
    "begin_backup.database": (lambda c: c.driver.begin_backup(),
                              lambda c: _active(c) == set(c.driver.tablespaces()), ("database-backup-mode",)),
    "begin_backup.tablespace": (lambda c: c.driver.begin_backup("USERS"),
                                lambda c: _active(c) == {"USERS"}, ("tablespace-backup-mode",)),
    "end_backup.database": (lambda c: c.driver.end_backup(), lambda c: not _active(c), ("database-backup-mode",)),
    "end_backup.tablespace": (lambda c: c.driver.end_backup("USERS"), lambda c: not _active(c), ("tablespace-backup-mode",)),
    "switch_logfile": (lambda c: c.driver.switch_logfile(), None, ()),
    "archive_log_current": (lambda c: c.driver.archive_log_current(), None, ()),
    "backup_controlfile": (lambda c: c.driver.backup_controlfile(f"{c.fx.scratch}/{SCRATCH}"), None, ("backup-controlfile",)),
    "mount": (lambda c: c.driver.mount(), lambda c: c.driver.instance_status() == "MOUNTED", ()),
    "open": (lambda c: c.driver.open(), lambda c: c.driver.instance_status() == "OPEN", ()),
    "startup": (lambda c: c.driver.startup("OPEN"), lambda c: c.driver.instance_status() == "OPEN", ()),
    "recover": (lambda c: c.driver.recover(RecoveryTarget.now()), None, ()),
    "open.resetlogs": (lambda c: c.driver.open(resetlogs=True), None, ("resetlogs",)),
}  # fmt: skip

_READS = ["database", "datafiles", "datafile_headers", "tablespaces", "online_logs", "archived_logs",
          "last_archived_sequence", "file_layout"]  # fmt: skip
_PARAMS = ["control_files", "archive_dest", "spfile"]
_BACKUP = ["begin_backup.database", "begin_backup.tablespace", "end_backup.database",
           "end_backup.tablespace", "switch_logfile", "archive_log_current", "backup_controlfile"]  # fmt: skip


def _expected() -> dict[tuple[str, str], str | None]:
    """(state, operation) -> the ORA code of the refusal, None when accepted."""
    table: dict[tuple[str, str], str | None] = {}
    for op in OPS:
        table[("SHUTDOWN", op)] = None if op == "startup" else "ORA-01034"
        table[("STARTED", op)] = None if op in (*_PARAMS, "mount") else "ORA-01507"
        table[("MOUNTED", op)] = (
            None if op in (*_READS, *_PARAMS, "backup_controlfile", "open") else "ORA-01109"
        )
        table[("OPEN", op)] = None if op in (*_READS, *_PARAMS, *_BACKUP[:2], *_BACKUP[4:]) else "?"
    table.update({
        ("STARTED", "startup"): "ORA-01081", ("MOUNTED", "startup"): "ORA-01081", ("OPEN", "startup"): "ORA-01081",
        ("MOUNTED", "mount"): "ORA-01100", ("OPEN", "mount"): "ORA-01100",
        ("OPEN", "open"): "ORA-01531", ("OPEN", "open.resetlogs"): "ORA-01531",
        ("MOUNTED", "open.resetlogs"): "ORA-01139",  # RESETLOGS only after incomplete recovery
        ("MOUNTED", "recover"): "ORA-00283",  # + ORA-00264 no recovery required
        ("OPEN", "recover"): "ORA-01126",
        ("MOUNTED", "end_backup.database"): "ORA-01260", ("OPEN", "end_backup.database"): "ORA-01260",
        ("OPEN", "end_backup.tablespace"): "ORA-01142",
    })  # fmt: skip
    return table


EXPECTED = _expected()


def _cell(state: str, op: str, code: str | None) -> Any:
    call, effect, _ = OPS[op]

    def run(ctx: Ctx) -> None:
        to_state(ctx, state)
        if code is not None:
            # a refused RECOVER has read the file headers into the instance (its memory,
            # not the files): only what the driver reports must stay the same
            ctx.refused(lambda: call(ctx), code, truth=op != "recover")
            return
        call(ctx)
        if effect is not None:
            expect(effect(ctx), f"{op} in {state} was accepted but did not take effect")

    return run


for (_state, _op), _code in EXPECTED.items():
    _what = "is accepted" if _code is None else f"is refused with {_code}, twice, changing nothing"
    add(f"state.{_state.lower()}.{_op}", f"{_op} with the instance {_state} {_what}",
        _cell(_state, _op, _code), OPS[_op][2])  # fmt: skip
