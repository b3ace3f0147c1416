"""What BR*Tools asks of the Oracle database (the SQL it issues, as calls on the simulator),
each step logged with its BR message (4.6C "Messages from BR308I to BR339W")."""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.sim.oracle.models import OPEN, SHUTDOWN
from apprm_ref.sim.sap.messages import RC_ERRORS, BrError, Output, msg


def control_file(db: Any) -> dict[str, Any]:
    return db.cf if db.cf else db.admin.any_cf()


def datafiles(db: Any) -> list[tuple[str, str]]:
    """(path, tablespace) of every datafile, in file-number order."""
    files = control_file(db)["files"]
    return [(f["name"], f["ts"]) for _, f in sorted(files.items())]


def control_files(db: Any) -> list[str]:
    if not db.params:
        db.params = db.files.read_spfile(db.layout.spfile)
    return list(db.params["control_files"])


def online_logs(db: Any) -> list[str]:
    groups = control_file(db)["groups"]
    return [m for _, g in sorted(groups.items()) for m in g["members"]]


def tablespaces_of(db: Any, paths: list[str]) -> list[str]:
    ts_of = dict(datafiles(db))
    seen: list[str] = []
    for p in paths:
        ts = ts_of.get(p)
        if ts is not None and ts not in seen:
            seen.append(ts)
    return seen


def oracle_error(exc: ApprmError, where: str) -> str:
    return msg("BR0301E", f"{exc.code}: {exc.message}" if exc.code else exc.message, where)


def begin(db: Any, ts: str, out: Output) -> None:
    try:
        db.begin_backup(ts)
    except ApprmError as exc:
        raise BrError(RC_ERRORS, oracle_error(exc, "begin_backup"), msg("BR0316E", ts)) from exc
    out.say("BR0315I", ts)


def end(db: Any, ts: str, out: Output) -> bool:
    """END BACKUP of ``ts`` if it is in backup mode; False (logged) when it fails."""
    try:
        files = control_file(db)["files"].values()
        if any(f["ts"] == ts and f["backup"] for f in files):
            db.end_backup(ts)
    except ApprmError as exc:
        out.raw(oracle_error(exc, "end_backup"))
        out.say("BR0318E", ts)
        return False
    out.say("BR0317I", ts)
    return True


def shutdown(db: Any, out: Output) -> None:
    out.say("BR0307I", db.sid)
    try:
        db.shutdown("IMMEDIATE")
    except ApprmError as exc:
        raise BrError(RC_ERRORS, oracle_error(exc, "shutdown"), msg("BR0309E", db.sid)) from exc
    out.say("BR0308I", db.sid)


def startup(db: Any, out: Output) -> bool:
    if db.status == OPEN:
        return True
    out.say("BR0304I", db.sid)
    try:
        if db.status != SHUTDOWN:
            db.shutdown("IMMEDIATE")
        db.startup(OPEN)
    except ApprmError as exc:
        out.raw(oracle_error(exc, "startup"))
        out.say("BR0310E", db.sid)
        return False
    out.say("BR0305I", db.sid)
    return True


def backup_controlfile(db: Any, path: str, out: Output) -> None:
    try:
        db.backup_controlfile(path, reuse=True)
    except ApprmError as exc:
        raise BrError(
            RC_ERRORS, oracle_error(exc, "backup_controlfile"), msg("BR0320E", path)
        ) from exc
    out.say("BR0319I", path)


def switch_log(db: Any, out: Output) -> None:
    try:
        db.archive_log_current()
    except ApprmError as exc:
        raise BrError(RC_ERRORS, oracle_error(exc, "archive_log"), msg("BR0322E", db.sid)) from exc
    out.say("BR0321I", db.sid)
