"""What an Exchange (ESE) storage group keeps in its files, and the JET errors about them.

Every file is a run of host file blocks (``sim/host/files.py``); block 0 holds the header.

- ``<db>.edb`` (and ``<db>.stm`` on Exchange 2003): block 0 the database header, blocks
  1..n pages ``(PAGE, pgno, lgpos, rows, checksum)``. A page's checksum covers its number,
  its log position and its rows, so a page changed behind ESE's back fails ``eseutil /k``.
- ``Enn.log`` the current log, ``Enn<generation>.log`` the closed ones: one block
  ``(LOG, generation, log signature, records, checksum)``. Exchange 2003 writes the
  generation as 5 hex digits (``E0000002c.log`` in the TechNet example is ``E00`` +
  ``0002c``), Exchange 2007 as 8 (``E0000000001.log``) (technet aa998760(EXCHG.65)
  "Eseutil.exe Examples"; Exchange 2007 "Transaction log files" naming; inferred widths).
- ``Enn.chk``: ``(CHK, checkpoint generation, log signature, attached .edb paths)``.

A log record is ``(generation, n, database GUID, op, mailbox, message, subject, body)``;
``op`` is ``deliver``, ``delete`` or ``backup`` (the header update of a finished backup, which
reaches a passive copy through the log stream: sap-vss-addendum VSS-6).
"""

from __future__ import annotations

import re
import zlib
from typing import Any

from apprm_ref.drivers import exchange as exchange_driver

PAGE, LOG, CHK, HDR = "ESEPAGE", "ESELOG", "ESECHK", "ESEHDR"

# database states: the fixed strings of ``eseutil /mh`` (addendum VSS-13)
JUST_CREATED, DIRTY, CLEAN = "Just Created", "Dirty Shutdown", "Clean Shutdown"

# JET errors (ESE published/inc/jethdr.w), by the number eseutil exits with
JET_ERRORS: dict[int, tuple[str, str]] = {
    -1018: ("JET_errReadVerifyFailure", "Checksum error on a database page"),
    -528: ("JET_errMissingLogFile", "Current log file missing"),
    -543: ("JET_errRequiredLogFilesMissing", "Required log files for recovery missing."),
    -550: (
        "JET_errDatabaseDirtyShutdown",
        "Database was not shutdown cleanly. Recovery must first be run to properly complete "
        "database operations for the previous shutdown.",
    ),
    -501: ("JET_errLogFileCorrupt", "Log file is corrupt"),
    -530: ("JET_errBadLogSignature", "Bad signature for a log file"),
    -1216: (
        "JET_errAttachedDatabaseMismatch",
        "An outstanding database attachment has been detected at the start or end of "
        "recovery, but database is missing or does not match attachment info",
    ),
    -1811: ("JET_errFileNotFound", "File not found"),
    -1022: ("JET_errDiskIO", "Disk IO error"),
    -1003: ("JET_errInvalidParameter", "Invalid API parameter"),
    -505: ("JET_errBackupInProgress", "Backup is active already"),
    -1032: ("JET_errFileAccessDenied", "Cannot access file, the file is locked or in use"),
    -1206: ("JET_errDatabaseCorrupted", "Non database file or corrupted db"),
}


def checksum(*parts: Any) -> int:
    return zlib.crc32(repr(parts).encode()) & 0xFFFFFFFF


def page(pgno: int, lgpos: tuple[int, int], rows: tuple[Any, ...]) -> tuple[Any, ...]:
    return (PAGE, pgno, lgpos, rows, checksum(pgno, lgpos, rows))


def page_ok(payload: Any, pgno: int) -> bool:
    """A page whose checksum and number are right (an unwritten page reads as None)."""
    if payload is None:
        return True
    if not (isinstance(payload, tuple) and len(payload) == 5 and payload[0] == PAGE):
        return False
    _, no, lgpos, rows, csum = payload
    return bool(no == pgno and csum == checksum(no, lgpos, rows))


def log_block(gen: int, signature: str, records: tuple[Any, ...]) -> tuple[Any, ...]:
    return (LOG, gen, signature, records, checksum(gen, signature, records))


def log_ok(payload: Any) -> bool:
    if not (isinstance(payload, tuple) and len(payload) == 5 and payload[0] == LOG):
        return False
    _, gen, sig, records, csum = payload
    return bool(csum == checksum(gen, sig, records))


def gen_digits(version: int) -> int:
    return 5 if version == 2003 else 8


log_name = exchange_driver.log_name  # ``E000002C.log`` (2003), ``E000000002C.log`` (2007)


def parse_log_name(prefix: str, name: str, version: int) -> int | None:
    """The generation of a closed log's file name, or None for another file."""
    m = re.fullmatch(rf"{re.escape(prefix)}([0-9A-Fa-f]{{{gen_digits(version)}}})\.log", name)
    return int(m.group(1), 16) if m else None


def mailbox_page(mailbox: str, pages: int) -> int:
    """The page a mailbox's rows live on (1..pages)."""
    return 1 + zlib.crc32(mailbox.encode()) % pages


def jet_text(code: int) -> str:
    name, text = JET_ERRORS.get(code, ("JET_errUnknown", "Unknown error"))
    return f"{code} ({name}, {text})"
