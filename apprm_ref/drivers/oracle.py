"""Oracle Protocol: what core needs of a database for ZDB and instant recovery.

Implemented in-process by ``apprm_ref.sim.oracle.driver.OracleSimDriver`` and over any
DB-API connection (python-oracledb, or the simulator's DB-API door) by
``apprm_ref.real.oracle_dbapi.OracleDbapiDriver``. Every refusal is an
:class:`~apprm_ref.errors.OracleError` whose ``code`` is the first ORA- code and whose
``stack`` holds the following ones (``ORA-01547`` + ``ORA-01195`` + ``ORA-01110`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.frozen_init import fast_init

# instance states (V$INSTANCE.STATUS; SHUTDOWN = no instance)
SHUTDOWN, STARTED, MOUNTED, OPEN = "SHUTDOWN", "STARTED", "MOUNTED", "OPEN"
SHUTDOWN_MODES = ("NORMAL", "IMMEDIATE", "TRANSACTIONAL", "ABORT")


@fast_init
@dataclass(frozen=True)
class DatabaseInfo:
    """V$DATABASE (+ V$INSTANCE.STATUS)."""

    name: str
    dbid: int
    log_mode: str  # ARCHIVELOG | NOARCHIVELOG
    open_mode: str  # MOUNTED | READ WRITE
    controlfile_type: str  # CURRENT | BACKUP
    open_resetlogs: str  # NOT ALLOWED | ALLOWED | REQUIRED
    checkpoint_change: int
    current_scn: int
    resetlogs_change: int
    prior_resetlogs_change: int
    incarnation: int
    status: str  # instance status


@fast_init
@dataclass(frozen=True)
class DatafileInfo:
    """V$DATAFILE joined with V$TABLESPACE and V$BACKUP (control-file view)."""

    file_no: int
    name: str
    tablespace: str
    checkpoint_change: int
    backup_status: str  # ACTIVE | NOT ACTIVE
    backup_change: int  # V$BACKUP.CHANGE# (0 when NOT ACTIVE)


@dataclass(frozen=True)
class DatafileHeader:
    """V$DATAFILE_HEADER: what is physically in the file, independent of the control file."""

    file_no: int
    name: str
    tablespace: str
    checkpoint_change: int
    fuzzy: bool
    recover: bool
    resetlogs_change: int
    error: str | None = None


@dataclass(frozen=True)
class LogGroupInfo:
    """V$LOG + V$LOGFILE members."""

    group: int
    thread: int
    sequence: int
    status: str  # UNUSED | CURRENT | ACTIVE | INACTIVE
    archived: bool
    first_change: int
    next_change: int | None
    members: tuple[str, ...]


@dataclass(frozen=True)
class ArchivedLogInfo:
    """V$ARCHIVED_LOG."""

    thread: int
    sequence: int
    first_change: int
    next_change: int
    resetlogs_change: int
    name: str
    deleted: bool
    first_time: datetime | None = None  # FIRST_TIME: where an UNTIL TIME target falls


@dataclass(frozen=True)
class RecoveryTarget:
    """Where media recovery stops. Every bound is exclusive (OS-I9).

    kind: ``complete`` ("until now"), ``scn`` (UNTIL CHANGE scn), ``time`` (UNTIL TIME; redo
    stamped at or after ``time`` is not applied), ``sequence`` (UNTIL SEQUENCE s THREAD t:
    logs < s applied), ``cancel`` (UNTIL CANCEL: apply what is there, stop at the first
    missing log).
    """

    kind: str = "complete"
    scn: int | None = None
    time: datetime | None = None
    sequence: int | None = None
    thread: int = 1

    @classmethod
    def now(cls) -> RecoveryTarget:
        return cls("complete")

    @classmethod
    def until_scn(cls, scn: int) -> RecoveryTarget:
        return cls("scn", scn=scn)

    @classmethod
    def until_time(cls, when: datetime) -> RecoveryTarget:
        return cls("time", time=when)

    @classmethod
    def until_sequence(cls, sequence: int, thread: int = 1) -> RecoveryTarget:
        return cls("sequence", sequence=sequence, thread=thread)

    @classmethod
    def until_cancel(cls) -> RecoveryTarget:
        return cls("cancel")


@dataclass(frozen=True)
class RecoveryResult:
    end_scn: int  # every change with SCN <= end_scn was applied (the stop point is end_scn+1)
    complete: bool  # True: complete recovery with the current control file (plain OPEN)
    applied: tuple[tuple[int, int, str], ...]  # (thread, sequence, file name) of logs applied


@fast_init
@dataclass(frozen=True)
class FileLayout:
    """Every file a volume check needs (reference 2.4)."""

    datafiles: tuple[str, ...]
    control_files: tuple[str, ...]
    online_logs: tuple[str, ...]
    archive_dest: str
    spfile: str | None


def layout_of(driver: OracleDriver) -> FileLayout:
    """The file layout every driver derives the same way from its own queries."""
    return FileLayout(
        datafiles=tuple(d.name for d in driver.datafiles()),
        control_files=tuple(driver.control_files()),
        online_logs=tuple(m for g in driver.online_logs() for m in g.members),
        archive_dest=driver.archive_dest(),
        spfile=driver.spfile(),
    )


@runtime_checkable
class OracleDriver(Protocol):
    def capabilities(self) -> Capabilities: ...

    # --- state and layout ---
    def instance_status(self) -> str: ...

    def database(self) -> DatabaseInfo: ...

    def tablespaces(self) -> list[str]: ...

    def datafiles(self) -> list[DatafileInfo]: ...

    def datafile_headers(self) -> list[DatafileHeader]: ...

    def online_logs(self) -> list[LogGroupInfo]: ...

    def archived_logs(self) -> list[ArchivedLogInfo]: ...

    def last_archived_sequence(self) -> int:
        """MAX(SEQUENCE#) of V$ARCHIVED_LOG (0 when there is none): one value, so a caller
        does not fetch the whole archived-log history, which grows with the database's age."""
        ...

    def control_files(self) -> list[str]: ...

    def archive_dest(self) -> str: ...

    def spfile(self) -> str | None: ...

    def file_layout(self) -> FileLayout: ...

    # --- backup mode and logs ---
    def begin_backup(self, tablespace: str | None = None) -> None:
        """ALTER TABLESPACE ts BEGIN BACKUP, or ALTER DATABASE BEGIN BACKUP when None."""
        ...

    def end_backup(self, tablespace: str | None = None) -> None: ...

    def switch_logfile(self) -> None: ...

    def archive_log_current(self) -> None:
        """Switch and return only once the closed log is archived (OS-I7)."""
        ...

    def backup_controlfile(self, path: str, *, reuse: bool = True) -> None: ...

    # --- instance ---
    def startup(self, state: str = OPEN) -> None:
        """STARTUP NOMOUNT|MOUNT|OPEN (``STARTED`` = NOMOUNT)."""
        ...

    def shutdown(self, mode: str = "IMMEDIATE") -> None: ...

    def mount(self) -> None: ...

    def open(self, resetlogs: bool | None = None) -> None:
        """ALTER DATABASE OPEN; True = RESETLOGS, False = NORESETLOGS."""
        ...

    def recover(
        self, target: RecoveryTarget, *, using_backup_controlfile: bool = False
    ) -> RecoveryResult:
        """ALTER DATABASE RECOVER AUTOMATIC DATABASE ...; database must be MOUNTED."""
        ...

    def restore_controlfile(self, source: str) -> None:
        """RMAN RESTORE CONTROLFILE FROM 'source' (instance in NOMOUNT): copy to every
        path of control_files."""
        ...
