"""The rest of the data dictionary a backup tool reads: ``DUAL``, ``V$RECOVER_FILE``,
``DBA_DATA_FILES``, ``DBA_TABLESPACES``, and the column list of every view (so a query over
no rows still names its columns and still refuses an unknown one).

DBA_* views need an open database (ORA-01219 otherwise); fixed views (V$) and DUAL answer
from NOMOUNT or MOUNT as the instance allows. Sources: Oracle Database Reference,
"V$RECOVER_FILE", "DBA_DATA_FILES", "DBA_TABLESPACES", "DUAL Table" (SQL Language Reference).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apprm_ref.sim.oracle.backend import OracleDatabase
from apprm_ref.sim.oracle.messages import ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, SHUTDOWN, STARTED
from apprm_ref.sim.oracle.views import VIEWS, Row, v_datafile_header

BLOCK_SIZE = 8192


def dual(db: OracleDatabase) -> list[Row]:
    db.require_state(STARTED, MOUNTED, OPEN)
    return [{"DUMMY": "X"}]


def v_recover_file(db: OracleDatabase) -> list[Row]:
    """Files needing media recovery: restored (older than the control file), left in backup
    mode by a crash, or missing."""
    rows = []
    for h in v_datafile_header(db):
        if h["ERROR"] is None and h["RECOVER"] != "YES":
            continue
        rows.append(
            {
                "FILE#": h["FILE#"],
                "ONLINE": "ONLINE",
                "ONLINE_STATUS": "ONLINE",
                "ERROR": h["ERROR"],
                "CHANGE#": 0 if h["ERROR"] else h["CHECKPOINT_CHANGE#"],
                "TIME": None if h["ERROR"] else h["CHECKPOINT_TIME"],
            }
        )
    return rows


def dba_data_files(db: OracleDatabase) -> list[Row]:
    _open(db)
    return [
        {
            "FILE_NAME": f["name"],
            "FILE_ID": no,
            "TABLESPACE_NAME": f["ts"],
            "BYTES": f["blocks"] * BLOCK_SIZE,
            "BLOCKS": f["blocks"],
            "STATUS": "AVAILABLE",
            "RELATIVE_FNO": no,
            "AUTOEXTENSIBLE": "NO",
            "ONLINE_STATUS": "SYSTEM" if f["ts"] == "SYSTEM" else "ONLINE",
        }
        for no, f in sorted(db.cf["files"].items())
    ]


def dba_tablespaces(db: OracleDatabase) -> list[Row]:
    _open(db)
    return [
        {
            "TABLESPACE_NAME": ts,
            "BLOCK_SIZE": BLOCK_SIZE,
            "STATUS": "ONLINE",
            "CONTENTS": "PERMANENT",
            "LOGGING": "LOGGING",
            "EXTENT_MANAGEMENT": "LOCAL",
            "BIGFILE": "NO",
        }
        for ts in db.cf["tablespaces"]
    ]


def _open(db: OracleDatabase) -> None:
    if db.alive() and db.status in (STARTED, MOUNTED):
        raise ora("ORA-01219")
    db.require_state(OPEN)


COLUMNS: dict[str, tuple[str, ...]] = {
    "DUAL": ("DUMMY",),
    "V$INSTANCE": (
        "INSTANCE_NAME", "HOST_NAME", "VERSION", "STATUS", "DATABASE_STATUS", "ARCHIVER",
        "LOGINS", "THREAD#",
    ),
    "V$PARAMETER": ("NAME", "VALUE"),
    "V$DATABASE": (
        "DBID", "NAME", "LOG_MODE", "OPEN_MODE", "CONTROLFILE_TYPE", "OPEN_RESETLOGS",
        "DATABASE_ROLE", "CHECKPOINT_CHANGE#", "CURRENT_SCN", "ARCHIVE_CHANGE#",
        "RESETLOGS_CHANGE#", "RESETLOGS_TIME", "PRIOR_RESETLOGS_CHANGE#", "INCARNATION#",
    ),
    "V$TABLESPACE": ("TS#", "NAME"),
    "V$DATAFILE": (
        "FILE#", "TS#", "NAME", "STATUS", "ENABLED", "CHECKPOINT_CHANGE#", "LAST_CHANGE#",
        "BYTES", "BLOCKS",
    ),
    "V$BACKUP": ("FILE#", "STATUS", "CHANGE#", "TIME"),
    "V$DATAFILE_HEADER": (
        "FILE#", "NAME", "TABLESPACE_NAME", "STATUS", "ERROR", "RECOVER", "FUZZY",
        "CHECKPOINT_CHANGE#", "CHECKPOINT_TIME", "RESETLOGS_CHANGE#",
    ),
    "V$LOG": (
        "GROUP#", "THREAD#", "SEQUENCE#", "BYTES", "MEMBERS", "ARCHIVED", "STATUS",
        "FIRST_CHANGE#", "FIRST_TIME", "NEXT_CHANGE#",
    ),
    "V$LOGFILE": ("GROUP#", "STATUS", "TYPE", "MEMBER"),
    "V$CONTROLFILE": ("NAME", "STATUS"),
    "V$ARCHIVED_LOG": (
        "NAME", "DEST_ID", "THREAD#", "SEQUENCE#", "RESETLOGS_CHANGE#", "FIRST_CHANGE#",
        "FIRST_TIME", "NEXT_CHANGE#", "NEXT_TIME", "ARCHIVED", "DELETED", "STATUS",
    ),
    "V$DATABASE_INCARNATION": (
        "INCARNATION#", "RESETLOGS_CHANGE#", "PRIOR_RESETLOGS_CHANGE#", "STATUS",
    ),
    "V$RECOVER_FILE": ("FILE#", "ONLINE", "ONLINE_STATUS", "ERROR", "CHANGE#", "TIME"),
    "DBA_DATA_FILES": (
        "FILE_NAME", "FILE_ID", "TABLESPACE_NAME", "BYTES", "BLOCKS", "STATUS",
        "RELATIVE_FNO", "AUTOEXTENSIBLE", "ONLINE_STATUS",
    ),
    "DBA_TABLESPACES": (
        "TABLESPACE_NAME", "BLOCK_SIZE", "STATUS", "CONTENTS", "LOGGING",
        "EXTENT_MANAGEMENT", "BIGFILE",
    ),
}  # fmt: skip
TABLE_COLUMNS = ("KEY", "VALUE")

SOURCES: dict[str, Callable[[OracleDatabase], list[Row]]] = {
    **VIEWS,
    "DUAL": dual,
    "V$RECOVER_FILE": v_recover_file,
    "DBA_DATA_FILES": dba_data_files,
    "DBA_TABLESPACES": dba_tablespaces,
}


def source_rows(db: OracleDatabase, name: str) -> tuple[tuple[str, ...], list[Row]]:
    """(columns, rows) of a view or application table; ORA-00942 when neither exists."""
    fn = SOURCES.get(name)
    if fn is not None:
        if name.startswith("V$") and db.status == SHUTDOWN:
            db.require_state(STARTED)
        return COLUMNS[name], fn(db)
    if db.alive() and db.status in (STARTED, MOUNTED):
        raise ora("ORA-01219")
    rows: list[dict[str, Any]] = [{"KEY": k, "VALUE": v} for k, v in db.select(name).items()]
    return TABLE_COLUMNS, rows
