"""SQL Server error numbers with the text the server prints (``sys.messages``).

Texts are from Microsoft's "Database engine events and errors" pages
(learn.microsoft.com/sql/relational-databases/errors-events/database-engine-events-and-errors)
and captured SQL Server error logs (3197/3198 as logged during a VSS snapshot, e.g.
sqlcoffee.com "I/O is frozen on database"). The code of a raised error is ``MSSQL-<number>``.
"""

from __future__ import annotations

from apprm_ref.errors import DriverError

MESSAGES: dict[int, str] = {
    911: "Database '{db}' does not exist. Make sure that the name is entered correctly.",
    942: "Database '{db}' cannot be opened because it is offline.",
    945: (
        "Database '{db}' cannot be opened due to inaccessible files or insufficient memory "
        "or disk space.  See the SQL Server errorlog for details."
    ),
    1222: "Lock request time out period exceeded.",
    1801: "Database '{db}' already exists. Choose a different database name.",
    3101: "Exclusive access could not be obtained because the database is in use.",
    3906: 'Failed to update database "{db}" because the database is read-only.',
    5120: 'Unable to open the physical file "{path}". Operating system error {os}: "{text}".',
    5170: "Cannot create file '{path}' because it already exists. Change the file path or the file name, and retry the operation.",
    9002: "The transaction log for database '{db}' is full due to '{why}'.",
    # informational messages of the error log
    3197: (
        "I/O is frozen on database {db}. No user action is required. However, if I/O is "
        "not resumed promptly, you could cancel the backup."
    ),
    3198: "I/O was resumed on database {db}. No user action is required.",
    17137: "Starting up database '{db}'.",
    3450: (
        "Recovery of database '{db}' ({dbid}) is 100% complete (approximately 0 seconds "
        "remain). Phase 3 of 3. This is an informational message only. No user action is "
        "required."
    ),
    3453: (
        "{n} transactions rolled forward in database '{db}' ({dbid}). This is an "
        "informational message only. No user action is required."
    ),
    3455: (
        "{n} transactions rolled back in database '{db}' ({dbid}). This is an "
        "informational message only. No user action is required."
    ),
    18264: (
        "Database backed up. Database: {db}, creation date(time): {created}, pages dumped: "
        "{pages}, first LSN: {first}, last LSN: {last}, number of dump devices: 1, device "
        "information: (FILE=1, TYPE=VIRTUAL_DEVICE: {{'{{{device}}}1'}}). This is an "
        "informational message only. No user action is required."
    ),
}
SEVERITY = {911: 16, 942: 14, 945: 14, 1801: 16, 3101: 16, 3906: 16, 5120: 16, 9002: 17}


class SqlServerError(DriverError):
    """A SQL Server error: ``number`` (``code`` is ``MSSQL-<number>``) and its severity."""

    def __init__(self, number: int, **fmt: object) -> None:
        text = MESSAGES[number].format(**fmt)
        severity = SEVERITY.get(number, 16)
        super().__init__(f"Msg {number}, Level {severity}: {text}", code=f"MSSQL-{number}")
        self.number = number
        self.severity = severity


class IoFrozenError(DriverError):
    """A write to a database whose I/O is frozen for a snapshot. The server holds such a
    writer until the thaw; a synchronous simulator cannot hold a caller, so it refuses and
    the caller retries after the thaw (as a frozen filesystem refuses with EAGAIN)."""

    def __init__(self, db: str) -> None:
        super().__init__(
            f"I/O is frozen on database {db}; the write waits for the thaw", code="IO_FROZEN"
        )


def message(number: int, **fmt: object) -> str:
    """An informational error-log line (``sys.messages`` text with its values)."""
    return MESSAGES[number].format(**fmt)
