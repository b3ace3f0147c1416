"""RAID Manager (CCI) error names and exit codes (protocols.md 2.8), and the host I/O refusal.

Every refusal of the XP simulator is an :class:`~apprm_ref.errors.XpError` whose ``code`` is
the CCI name (``EX_CMDRJE`` ...). The CCI door turns the name into the exit code with
:data:`EXIT_CODES`; the real driver maps exit codes back with its own copy of this table
(a test checks the two agree).
"""

from __future__ import annotations

from typing import NoReturn

from apprm_ref.errors import XpError

EXIT_CODES: dict[str, int] = {
    "EX_COMERR": 255,
    "EX_REQARG": 254,
    "EX_INVARG": 253,
    "EX_UNWOPT": 252,
    "EX_ATTHOR": 251,
    "EX_ATTDBG": 250,
    "EX_INVNAM": 249,
    "EX_OPTINV": 248,
    "EX_ENOENT": 247,
    "EX_ENODEV": 246,
    "EX_ENOUNT": 245,
    "EX_ENQSER": 244,
    "EX_ENOMEM": 243,
    "EX_ENORMT": 242,
    "EX_INVMOD": 241,
    "EX_INVCMD": 240,
    "EX_ENOGRP": 239,
    "EX_UNWCOD": 238,
    "EX_CMDIOE": 237,
    "EX_ENQVOL": 236,
    "EX_EVOLCE": 235,
    "EX_EWSUSE": 234,
    "EX_EWSTOT": 233,
    "EX_EWSLTO": 232,
    "EX_ESTMON": 231,
    "EX_UNWERR": 230,
    "EX_INCSTG": 229,
    "EX_INVSTP": 228,
    "EX_ENLDEV": 227,
    "EX_INVVOL": 222,
    "EX_CMDRJE": 221,
    "EX_ENOOBJ": 205,
    "EX_ENAUTH": 202,
}

MESSAGES: dict[str, str] = {
    "EX_COMERR": "Can't be communicated with HORC manager",
    "EX_INVARG": "Invalid argument",
    "EX_UNWOPT": "Unknown option",
    "EX_REQARG": "Required Arg list",
    "EX_OPTINV": "Specified option invalid",
    "EX_ENOENT": "No such device or group",
    "EX_ENODEV": "No such device",
    "EX_ENORMT": "No remote host alive for remote commands",
    "EX_INVCMD": "Invalid RAID command",
    "EX_ENOGRP": "No such group",
    "EX_CMDIOE": "Control command I/O error",
    "EX_ENQVOL": "Unmatched volume status within the group",
    "EX_EVOLCE": "Pair Volume combination error",
    "EX_EWSUSE": "Pair suspended at WAIT state",
    "EX_EWSTOT": "Timeout waiting for specified status",
    "EX_INCSTG": "Inconsistent status in group",
    "EX_INVSTP": "Invalid pair status",
    "EX_ENLDEV": "No such LDEV within the RAID",
    "EX_INVVOL": "Invalid volume status",
    "EX_CMDRJE": "An order to the control/command device was rejected",
}

# Host I/O refused by the array (not a CCI code): SCSI sense key 7 DATA PROTECT,
# ASC/ASCQ 27/00 WRITE PROTECTED -- what a host sees writing to a protected S-VOL.
WRITE_PROTECTED = "SENSE_7_2700"
# Host I/O to a reserved LDEV or a volume the array cannot serve (sense 5/2500 LUN not supported).
NOT_SERVED = "SENSE_5_2500"


def exit_code(code: str | None) -> int:
    """Exit code of a CCI command that failed with ``code`` (unknown -> EX_UNWERR 230)."""
    return EXIT_CODES.get(code or "", 230)


def refuse(code: str, message: str) -> NoReturn:
    """Raise the array's refusal; callers raise before mutating anything."""
    raise XpError(message, code=code)
