"""EVA refusal codes and what they mean.

The EVA (HSV controllers, XCS firmware) reports refusals through Command View / SSSU as
status text and through the SMI-S provider as method return codes; no public list of the
controller's internal code names was found, so the names below are our own stable names
for the conditions of arrays.md section 2.2 (rules E1-E13) and 2.7 **(inferred names)**.
Each carries the SMI-S return value a CIMOM would give for it (protocols.md 1.4:
4 failed, 5 invalid parameter, 6 in use) so the SMI-S door maps them without a table of
its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NoReturn

from apprm_ref.errors import EvaError


@dataclass(frozen=True)
class EvaCode:
    name: str
    meaning: str
    smis_rc: int  # SMI-S return value (protocols.md 1.4)
    rule: str = ""  # arrays.md rule it enforces


_CODES = [
    EvaCode("EVA_NO_SUCH_OBJECT", "no vdisk, disk group, host or DR group with that id", 5),
    EvaCode("EVA_NAME_IN_USE", "another vdisk already has that name", 5),
    EvaCode("EVA_INVALID_PARAMETER", "a size, Vraid or option is out of range", 5),
    EvaCode("EVA_DIFFERENT_DISK_GROUP", "a snapshot must be in its source's disk group", 5, "E1"),
    EvaCode("EVA_VRAID_TOO_HIGH", "a snapshot's Vraid must be <= its source's", 5, "E2"),
    EvaCode(
        "EVA_SNAPSHOT_MISMATCH",
        "all snapshots of a source share allocation type and Vraid",
        5,
        "E3",
    ),
    EvaCode("EVA_SOURCE_IS_SNAPSHOT", "a snapshot or vsnap cannot be replicated", 5, "E4/E8"),
    EvaCode(
        "EVA_SOURCE_NORMALIZING",
        "the vdisk is a snapclone still normalizing, or is being restored",
        6,
        "E5",
    ),
    EvaCode("EVA_CLONE_IN_PROGRESS", "a snapclone of this source is still normalizing", 6, "E7"),
    EvaCode(
        "EVA_HAS_SNAPSHOTS", "a snapclone cannot be made of a vdisk that has snapshots", 6, "E8"
    ),
    EvaCode(
        "EVA_SNAPSHOT_LIMIT", "the size-based snapshot limit of the source is reached", 4, "E9"
    ),
    EvaCode("EVA_VDISK_LIMIT", "the array holds its maximum number of vdisks", 4, "E10"),
    EvaCode("EVA_INSUFFICIENT_SPACE", "not enough free space in the disk group", 4, "E11/F7"),
    EvaCode(
        "EVA_WRITE_FROZEN",
        "writes stopped: vsnaps of this source ran the disk group out of space",
        4,
        "E11",
    ),
    EvaCode("EVA_SNAPSHOT_FAILED", "the snapshot failed (disk group space exhausted)", 4, "E11"),
    EvaCode("EVA_SNAPSHOT_INVALID", "the snapshot's source was deleted or lost", 4, "E13"),
    EvaCode(
        "EVA_UNSHARING", "the source has a snapclone that has not finished unsharing", 6, "E12"
    ),
    EvaCode("EVA_VDISK_PRESENTED", "the vdisk is presented; unpresent it first", 6, "ARR-I8"),
    EvaCode("EVA_NOT_PRESENTED", "the vdisk is not presented to that host", 5),
    EvaCode("EVA_ALREADY_PRESENTED", "the vdisk is already presented to that host", 5),
    EvaCode("EVA_LUN_IN_USE", "that LUN number is already used on that host", 5),
    EvaCode("EVA_NOT_A_REPLICA", "the target is not a replica of that source", 5),
    EvaCode(
        "EVA_RESTORE_NOT_ALLOWED",
        "instant recovery preconditions not met (type, state, size, dependants)",
        4,
        "2.7",
    ),
    EvaCode("EVA_RESTORE_IN_PROGRESS", "a copy-back involving this vdisk is running", 6, "2.7"),
    EvaCode("EVA_CA_DESTINATION", "hosts cannot write to a CA destination vdisk", 4),
]

CODES: dict[str, EvaCode] = {c.name: c for c in _CODES}


def refuse(code: str, message: str) -> NoReturn:
    """Raise the EVA's refusal; the caller has not changed anything yet."""
    if code not in CODES:
        raise KeyError(f"unknown EVA code {code}")
    raise EvaError(message, code=code)


def smis_rc(err: EvaError) -> int:
    """SMI-S return value for an EVA refusal (4 failed when unknown, e.g. injected faults)."""
    c = CODES.get(err.code or "")
    return c.smis_rc if c else 4
