"""The text ``ALTER DATABASE BACKUP CONTROLFILE TO TRACE`` writes: a CREATE CONTROLFILE
script that rebuilds the control file from the database's files.

Layout after Oracle Database Backup and Recovery User's Guide, "Backing Up the Control File
to a Trace File", and SQL Language Reference, "CREATE CONTROLFILE".
"""

from __future__ import annotations

from typing import Any


def controlfile_script(cf: dict[str, Any], params: dict[str, Any], *, resetlogs: bool) -> str:
    mode = "RESETLOGS" if resetlogs else "NORESETLOGS"
    groups = sorted(cf["groups"].items())
    logs = ",\n".join(
        f"  GROUP {no} ("
        + ", ".join(f"'{m}'" for m in g["members"])
        + f")  SIZE {g['blocks'] * 512 // 1024}K BLOCKSIZE 512"
        for no, g in groups
    )
    files = ",\n".join(f"  '{f['name']}'" for _, f in sorted(cf["files"].items()))
    lines = [
        "-- The following are current System-scope REDO Log Archival related",
        "-- parameters and can be included in the database initialization file.",
        "--",
        f"-- LOG_ARCHIVE_DEST_1='{params.get('log_archive_dest_1', '')}'",
        f"-- LOG_ARCHIVE_FORMAT={params.get('log_archive_format', '')}",
        "--",
        f"--     Set #{2 if resetlogs else 1}. {mode} case",
        "--",
        "STARTUP NOMOUNT",
        f'CREATE CONTROLFILE REUSE DATABASE "{cf["db_name"]}" {mode}  {cf["log_mode"]}',
        "    MAXLOGFILES 16",
        "    MAXLOGMEMBERS 3",
        "    MAXDATAFILES 100",
        "    MAXINSTANCES 8",
        "    MAXLOGHISTORY 292",
        "LOGFILE",
        logs,
        "DATAFILE",
        files,
        "CHARACTER SET AL32UTF8",
        ";",
        "RECOVER DATABASE" + (" USING BACKUP CONTROLFILE" if resetlogs else ""),
        "ALTER SYSTEM ARCHIVE LOG ALL;",
        f"ALTER DATABASE OPEN{' RESETLOGS' if resetlogs else ''};",
        "",
    ]
    return "\n".join(lines)
