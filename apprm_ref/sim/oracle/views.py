"""Dynamic performance views (V$...) built from the instance and the files.

Each function returns rows as dicts with upper-case column names, in a stable order. The
DB-API door reads them; the protocol door reads the same control-file entries in one pass
for the calls a backup session makes (``database``, ``tablespaces``, ``datafiles``,
``last_archived_sequence``, ``file_layout``) and the rest through these rows, and tests hold
the one-pass answers to the rows (test_oracle_driver_views.py, test_oracle_driver_layout.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, STARTED

Row = dict[str, Any]


def _dt(db: OracleDatabase, seconds: float | None) -> datetime | None:
    if seconds is None:
        return None
    return db.world.clock.at(seconds).replace(tzinfo=None)


def _datetimes(db: OracleDatabase) -> Callable[[float | None], datetime | None]:
    """:func:`_dt` for many values: the naive epoch is computed once (same results: adding
    a timedelta to an aware datetime only moves its wall-clock fields)."""
    epoch = db.world.clock.at(0.0).replace(tzinfo=None)

    def dt(seconds: float | None) -> datetime | None:
        return None if seconds is None else epoch + timedelta(seconds=seconds)

    return dt


def open_mode(status: str) -> str:
    """V$DATABASE.OPEN_MODE of an instance in ``status`` (mounted or open)."""
    return "READ WRITE" if status == OPEN else "MOUNTED"


def current_scn(db: OracleDatabase) -> int:
    """V$DATABASE.CURRENT_SCN: 0 unless the database is open."""
    return db.scn if db.status == OPEN else 0


def backup_status(entry: dict[str, Any]) -> str:
    """V$BACKUP.STATUS of a datafile's control-file entry."""
    return "ACTIVE" if entry["backup"] else "NOT ACTIVE"


def _mounted(db: OracleDatabase) -> None:
    db.lifecycle.require_state(MOUNTED, OPEN)  # the Lifecycle method, without its wrapper


require_mounted = _mounted  # what every view of the mounted database checks first


def v_instance(db: OracleDatabase) -> list[Row]:
    db.require_state(STARTED, MOUNTED, OPEN)
    return [
        {
            "INSTANCE_NAME": db.sid,
            "HOST_NAME": db.host,
            "VERSION": "10.2.0.4.0",
            "STATUS": db.status,
            "DATABASE_STATUS": "SUSPENDED" if db.suspended() else "ACTIVE",
            "ARCHIVER": "STARTED" if db.status != STARTED and db.archivelog() else "STOPPED",
            "LOGINS": "ALLOWED",
            "THREAD#": 1,
        }
    ]


def v_parameter(db: OracleDatabase) -> list[Row]:
    db.require_state(STARTED, MOUNTED, OPEN)
    p = db.params
    values = {
        "db_name": p["db_name"],
        "control_files": ", ".join(p["control_files"]),
        "spfile": p.get("spfile", ""),
        "log_archive_dest_1": p.get("log_archive_dest_1", ""),
        "log_archive_format": p.get("log_archive_format", ""),
        "db_recovery_file_dest": None,
    }
    return [{"NAME": k, "VALUE": v} for k, v in values.items()]


def v_database(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    cf = db.cf
    return [
        {
            "DBID": cf["dbid"],
            "NAME": cf["db_name"],
            "LOG_MODE": cf["log_mode"],
            "OPEN_MODE": open_mode(db.status),
            "CONTROLFILE_TYPE": cf["type"],
            "OPEN_RESETLOGS": cf["open_resetlogs"],
            "DATABASE_ROLE": "PRIMARY",
            "CHECKPOINT_CHANGE#": cf["ckpt_scn"],
            "CURRENT_SCN": current_scn(db),
            "ARCHIVE_CHANGE#": db.arch_index().max_next,
            "RESETLOGS_CHANGE#": cf["rl_scn"],
            "RESETLOGS_TIME": _dt(db, cf["rl_time"]),
            "PRIOR_RESETLOGS_CHANGE#": cf["prior_rl_scn"],
            "INCARNATION#": len(cf["incarnations"]),
        }
    ]


def v_tablespace(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    return [{"TS#": i, "NAME": ts} for i, ts in enumerate(db.cf["tablespaces"])]


def v_datafile(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    ts_no = {ts: i for i, ts in enumerate(db.cf["tablespaces"])}
    return [
        {
            "FILE#": no,
            "TS#": ts_no[f["ts"]],
            "NAME": f["name"],
            "STATUS": "SYSTEM" if f["ts"] == "SYSTEM" else "ONLINE",
            "ENABLED": "READ WRITE",
            "CHECKPOINT_CHANGE#": f["ckpt"],
            "LAST_CHANGE#": f["stop"],
            "BYTES": f["blocks"] * 8192,
            "BLOCKS": f["blocks"],
        }
        for no, f in sorted(db.cf["files"].items())
    ]


def v_backup(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    return [
        {
            "FILE#": no,
            "STATUS": backup_status(f),
            "CHANGE#": f["backup"],
            "TIME": None,
        }
        for no, f in sorted(db.cf["files"].items())
    ]


def v_datafile_header(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    rows = []
    for no, f in sorted(db.cf["files"].items()):
        h = db.read_header(f["name"])
        if h is None:
            rows.append(
                {
                    "FILE#": no,
                    "NAME": f["name"],
                    "TABLESPACE_NAME": f["ts"],
                    "STATUS": "ONLINE",
                    "ERROR": "FILE NOT FOUND",
                    "RECOVER": None,
                    "FUZZY": None,
                    "CHECKPOINT_CHANGE#": 0,
                    "CHECKPOINT_TIME": None,
                    "RESETLOGS_CHANGE#": 0,
                }
            )
            continue
        fuzzy = bool(h["backup"] or h["online"] or h["fuzzy_scn"] > h["ckpt"])
        recover = bool(h["ckpt"] < f["ckpt"] or h["backup"] and not f["backup"])
        rows.append(
            {
                "FILE#": no,
                "NAME": f["name"],
                "TABLESPACE_NAME": h["ts"],
                "STATUS": "ONLINE",
                "ERROR": None,
                "RECOVER": "YES" if recover else "NO",
                "FUZZY": "YES" if fuzzy else "NO",
                "CHECKPOINT_CHANGE#": h["ckpt"],
                "CHECKPOINT_TIME": _dt(db, h["ckpt_time"]),
                "RESETLOGS_CHANGE#": h["rl_scn"],
            }
        )
    return rows


def v_log(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    return [
        {
            "GROUP#": no,
            "THREAD#": 1,
            "SEQUENCE#": g["seq"],
            "BYTES": g["blocks"] * 512 * 1024,
            "MEMBERS": len(g["members"]),
            "ARCHIVED": "YES" if g["archived"] else "NO",
            "STATUS": g["status"],
            "FIRST_CHANGE#": g["first"],
            "FIRST_TIME": _dt(db, g["first_time"]),
            "NEXT_CHANGE#": g["next"],
        }
        for no, g in sorted(db.cf["groups"].items())
    ]


def v_logfile(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    return [
        {"GROUP#": no, "STATUS": None, "TYPE": "ONLINE", "MEMBER": m}
        for no, g in sorted(db.cf["groups"].items())
        for m in g["members"]
    ]


def v_controlfile(db: OracleDatabase) -> list[Row]:
    db.require_state(STARTED, MOUNTED, OPEN)
    return [{"NAME": p, "STATUS": None} for p in db.params["control_files"]]


def v_archived_log(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    dt = _datetimes(db)
    return [
        {
            "NAME": a["name"],
            "DEST_ID": 1,
            "THREAD#": a["thread"],
            "SEQUENCE#": a["seq"],
            "RESETLOGS_CHANGE#": a["rl_scn"],
            "FIRST_CHANGE#": a["first"],
            "FIRST_TIME": dt(a["first_time"]),
            "NEXT_CHANGE#": a["next"],
            "NEXT_TIME": dt(a["next_time"]),
            "ARCHIVED": "YES",
            "DELETED": "YES" if a["deleted"] else "NO",
            "STATUS": "D" if a["deleted"] else "A",
        }
        for a in db.cf["archives"]
    ]


def max_archived_sequence(db: OracleDatabase) -> int:
    """SELECT MAX(SEQUENCE#) FROM V$ARCHIVED_LOG (0 when empty), from the record index."""
    _mounted(db)
    return db.arch_index().max_seq


def v_database_incarnation(db: OracleDatabase) -> list[Row]:
    _mounted(db)
    incs = db.cf["incarnations"]
    return [
        {
            "INCARNATION#": inc,
            "RESETLOGS_CHANGE#": rl_scn,
            "PRIOR_RESETLOGS_CHANGE#": prior,
            "STATUS": "CURRENT" if i == len(incs) - 1 else "PARENT",
        }
        for i, (inc, rl_scn, _rl_id, prior) in enumerate(incs)
    ]


VIEWS: dict[str, Callable[[OracleDatabase], list[Row]]] = {
    "V$INSTANCE": v_instance,
    "V$PARAMETER": v_parameter,
    "V$DATABASE": v_database,
    "V$TABLESPACE": v_tablespace,
    "V$DATAFILE": v_datafile,
    "V$BACKUP": v_backup,
    "V$DATAFILE_HEADER": v_datafile_header,
    "V$LOG": v_log,
    "V$LOGFILE": v_logfile,
    "V$CONTROLFILE": v_controlfile,
    "V$ARCHIVED_LOG": v_archived_log,
    "V$DATABASE_INCARNATION": v_database_incarnation,
}
