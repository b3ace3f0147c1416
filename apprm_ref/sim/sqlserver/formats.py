"""What a simulated SQL Server database keeps in its files, block by block.

A data file (``.mdf``) holds the boot page at block 0 and data pages after it; a log file
(``.ldf``) its header at block 0 and log blocks after it, reused circularly as the log is
truncated. Blocks are tuples written through the host to the array extents, so a snapshot
or an instant recovery carries or reverts exactly what the server wrote:

- boot page ``("MSSQL-MDF", name, guid, db_id, checkpoint_lsn, min_lsn, clean)``: the last
  checkpoint's LSN, the oldest LSN recovery needs (MinLSN: the older of the checkpoint and
  the oldest active transaction's first record) and whether the database was shut cleanly;
- data page ``("PAGE", page_no, page_lsn, rows)``, rows ``((table, key, value), ...)`` sorted;
- log header ``("MSSQL-LDF", name, guid)``;
- log block ``("LOGBLK", seq, records)``, each record ``(lsn, txn, op, table, key, old,
  new)`` with ``op`` one of BEGIN, MOD, COMMIT, ABORT, CKPT (``old`` is the before-image
  recovery's undo writes back, None for a row that did not exist).

An LSN is ``seq * LSN_SLOTS + slot``; it prints as SQL Server prints one, ``vlf:block:slot``.
"""

from __future__ import annotations

import hashlib
from typing import Any

MDF_MAGIC = "MSSQL-MDF"
LDF_MAGIC = "MSSQL-LDF"
PAGE = "PAGE"
LOGBLK = "LOGBLK"
LSN_SLOTS = 1000  # records per log block (slot 0 is never used)
VLF_BLOCKS = 16  # log blocks per virtual log file (only for printing LSNs)
BEGIN, MOD, COMMIT, ABORT, CKPT = "BEGIN", "MOD", "COMMIT", "ABORT", "CKPT"

Record = tuple[int, int, str, str, str, Any, Any]  # lsn, txn, op, table, key, old, new


def lsn(seq: int, slot: int) -> int:
    return seq * LSN_SLOTS + slot


def lsn_text(value: int) -> str:
    seq, slot = divmod(value, LSN_SLOTS)
    return f"{seq // VLF_BLOCKS + 1}:{seq}:{slot}"


def page_of(table: str, key: str, pages: int) -> int:
    """The data page holding a row: a stable hash of (table, key), never Python's hash()."""
    digest = hashlib.sha256(f"{table}\x00{key}".encode()).digest()
    return 1 + int.from_bytes(digest[:4], "big") % pages


def boot_page(
    name: str, guid: str, db_id: int, checkpoint: int, min_lsn: int, clean: bool
) -> tuple[Any, ...]:
    return (MDF_MAGIC, name, guid, db_id, checkpoint, min_lsn, clean)


def is_boot_page(block: Any, name: str) -> bool:
    return (
        isinstance(block, tuple) and len(block) == 7 and block[0] == MDF_MAGIC and block[1] == name
    )


def is_log_header(block: Any, name: str) -> bool:
    return (
        isinstance(block, tuple) and len(block) == 3 and block[0] == LDF_MAGIC and block[1] == name
    )


def page_rows(block: Any) -> tuple[int, dict[tuple[str, str], Any]]:
    """(page_lsn, rows) of a data page; an unwritten page is empty at LSN 0."""
    if not (isinstance(block, tuple) and block and block[0] == PAGE):
        return 0, {}
    return block[2], {(t, k): v for t, k, v in block[3]}


def page_block(page_no: int, page_lsn: int, rows: dict[tuple[str, str], Any]) -> tuple[Any, ...]:
    return (PAGE, page_no, page_lsn, tuple((t, k, rows[(t, k)]) for t, k in sorted(rows)))


def log_records(block: Any) -> tuple[int, tuple[Record, ...]] | None:
    """(seq, records) of a log block; None for an unwritten one."""
    if not (isinstance(block, tuple) and len(block) == 3 and block[0] == LOGBLK):
        return None
    return block[1], block[2]
