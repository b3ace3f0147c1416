"""The DBA's repair of a database left in backup mode (OPS-I2, OS-P10), through the driver.

A failed END BACKUP or a crash in backup mode blocks every later online backup (ORA-01146)
and, after a crash, every OPEN (ORA-10873, the instance stops at MOUNT). The documented
repair: STARTUP MOUNT, ALTER DATABASE END BACKUP, ALTER DATABASE OPEN — see
https://www.howtosop.com/how-to-resolve-ora-10873-file-1-needs-to-be-either-taken-out-of-backup-mode-or-media-recovered/
"""

from __future__ import annotations

from dataclasses import dataclass

from apprm_ref.core.integrations.oracle import end_backup_quietly
from apprm_ref.drivers.oracle import MOUNTED, OPEN, SHUTDOWN, STARTED, OracleDriver


@dataclass(frozen=True)
class EndBackupResult:
    was: str  # instance status before the repair
    ended: tuple[str, ...]  # datafiles taken out of backup mode (V$BACKUP ACTIVE before)
    opened: bool
    status: str  # instance status after


def files_in_backup_mode(drv: OracleDriver) -> list[str]:
    """V$BACKUP ACTIVE rows (the database must be mounted)."""
    return [f.name for f in drv.datafiles() if f.backup_status == "ACTIVE"]


def end_backup_mode(drv: OracleDriver, *, open_after: bool = True) -> EndBackupResult:
    """Mount if the instance is down, END BACKUP when any file is in backup mode, then
    OPEN unless told not to; a refusal raises the driver's ORA- error."""
    was = drv.instance_status()
    if was == SHUTDOWN:
        drv.startup(MOUNTED)
    elif was == STARTED:
        drv.mount()
    ended = tuple(files_in_backup_mode(drv))
    if ended:
        end_backup_quietly(drv, None)
    opened = open_after and drv.instance_status() != OPEN
    if opened:
        drv.open()
    return EndBackupResult(was, ended, opened, drv.instance_status())
