"""On-disk formats of the simulated Oracle files, as immutable block payloads.

Every Oracle file is an array of blocks on a host file (one block = one file extent):

- datafile: block 0 header ``("ORA_DFH", fields)``; data blocks ``("ORA_BLK", block_scn, rows)``
  where rows is a sorted tuple of ``((table, key), value)``. The block SCN is the SCN of the
  last change in the block, which makes redo application idempotent (apply only if newer),
  exactly as Oracle does it.
- control file: block 0 ``("ORA_CF", fields)``; blocks 1.. hold archived-log records in
  chunks of :data:`ARCH_PER_BLOCK`.
- online / archived redo log: block 0 ``("ORA_LOGH", fields)``; blocks 1.. hold one redo batch
  each ``("ORA_REDO", seq, resetlogs_id, records)``. A block whose seq/resetlogs id differs
  from the header's is stale (left over from an earlier use of the group) and ends the log.
- SPFILE: block 0 ``("ORA_SPF", params)``.

Redo records are ``(scn, time, kind, data)``: kind ``"tx"`` carries change vectors
``(file#, block, table, key, value_or_None)``; kind ``"eb"`` the end-backup marker for the
file numbers in ``data``.
"""

from __future__ import annotations

import zlib
from typing import Any

DF_HEADER = "ORA_DFH"
DATA_BLOCK = "ORA_BLK"
CF_MAGIC = "ORA_CF"
CF_ARCH = "ORA_CFA"
LOG_HEADER = "ORA_LOGH"
REDO_BLOCK = "ORA_REDO"
SPFILE_MAGIC = "ORA_SPF"
ARCH_PER_BLOCK = 64

Record = tuple[int, float, str, tuple[Any, ...]]


SCALARS = frozenset({str, int, float, bool, type(None)})
_ALL_SCALAR = SCALARS.issuperset  # _ALL_SCALAR(map(type, values)): every value a scalar


def freeze(obj: Any) -> Any:
    """Dicts/lists -> tagged tuples so a structure can be a block payload (keys sorted, so
    equal structures give equal payloads whatever their insertion order)."""
    t = type(obj)
    if t is dict:
        # dict keys are unique, so sorting (key, value) pairs never compares two values;
        # a dict of scalars (most of them) is checked and sorted without a Python loop
        if _ALL_SCALAR(map(type, obj.values())):
            return ("{}", tuple(sorted(obj.items())))
        items = [(k, v if type(v) in SCALARS else freeze(v)) for k, v in obj.items()]
        items.sort()
        return ("{}", tuple(items))
    if t is list:
        if _ALL_SCALAR(map(type, obj)):
            return ("[]", tuple(obj))
        return ("[]", tuple([v if type(v) in SCALARS else freeze(v) for v in obj]))
    return obj


def thaw(obj: Any) -> Any:
    if isinstance(obj, tuple) and len(obj) == 2 and obj[0] in _TAGS:
        if obj[0] == "{}":
            return {k: v if type(v) in SCALARS else thaw(v) for k, v in obj[1]}
        return [v if type(v) in SCALARS else thaw(v) for v in obj[1]]
    return obj


_TAGS = ("{}", "[]")


def pack(magic: str, fields: dict[str, Any]) -> tuple[str, Any]:
    return (magic, freeze(fields))


def unpack(payload: Any, magic: str) -> dict[str, Any] | None:
    """The fields of a block of kind ``magic``, or None if the block is not one."""
    if isinstance(payload, tuple) and len(payload) == 2 and payload[0] == magic:
        return thaw(payload[1])
    return None


def data_block(block_scn: int, rows: dict[tuple[str, str], Any]) -> tuple[Any, ...]:
    return (DATA_BLOCK, block_scn, tuple(sorted(rows.items())))


def parse_data_block(payload: Any) -> tuple[int, dict[tuple[str, str], Any]]:
    if isinstance(payload, tuple) and len(payload) == 3 and payload[0] == DATA_BLOCK:
        return payload[1], dict(payload[2])
    return 0, {}


def redo_block(seq: int, rl_id: int, records: tuple[Record, ...]) -> tuple[Any, ...]:
    return (REDO_BLOCK, seq, rl_id, records)


def parse_redo_block(payload: Any, seq: int, rl_id: int) -> tuple[Record, ...] | None:
    if (
        isinstance(payload, tuple)
        and len(payload) == 4
        and payload[0] == REDO_BLOCK
        and payload[1] == seq
        and payload[2] == rl_id
    ):
        return payload[3]
    return None


def placement(table: str, key: str, nfiles: int, data_blocks: int) -> tuple[int, int]:
    """(index among the tablespace's files, data block 1..n) for a row: stable hashing."""
    h = zlib.crc32(f"{table}\x00{key}".encode())
    return h % nfiles, 1 + (h // nfiles) % data_blocks


def archive_name(dest: str, fmt: str, thread: int, seq: int, rl_id: int) -> str:
    name = fmt.replace("%t", str(thread)).replace("%s", str(seq)).replace("%r", str(rl_id))
    return dest.rstrip("/") + "/" + name
