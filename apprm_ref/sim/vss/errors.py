"""VSS HRESULTs with the numbers of the Windows SDK ``vss.h`` and the texts tools print.

Numbers: vss-and-core.md §3.3 (the SDK constants as the win32 metadata bindings publish them);
writer-error texts of ``vssadmin list writers``: sap-vss-addendum.md VSS-8/VSS-14.
"""

from __future__ import annotations

from typing import NoReturn

from apprm_ref.errors import VssError

HRESULTS: dict[str, int] = {
    "S_OK": 0,
    "E_INVALIDARG": 0x80070057,
    "VSS_E_BAD_STATE": 0x80042301,
    "VSS_E_UNEXPECTED": 0x80042302,
    "VSS_E_PROVIDER_ALREADY_REGISTERED": 0x80042303,
    "VSS_E_PROVIDER_NOT_REGISTERED": 0x80042304,
    "VSS_E_PROVIDER_VETO": 0x80042306,
    "VSS_E_PROVIDER_IN_USE": 0x80042307,
    "VSS_E_OBJECT_NOT_FOUND": 0x80042308,
    "VSS_E_VOLUME_NOT_SUPPORTED": 0x8004230C,
    "VSS_E_OBJECT_ALREADY_EXISTS": 0x8004230D,
    "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER": 0x8004230E,
    "VSS_E_UNEXPECTED_PROVIDER_ERROR": 0x8004230F,
    "VSS_E_INVALID_XML_DOCUMENT": 0x80042311,
    "VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED": 0x80042312,
    "VSS_E_FLUSH_WRITES_TIMEOUT": 0x80042313,
    "VSS_E_HOLD_WRITES_TIMEOUT": 0x80042314,
    "VSS_E_UNEXPECTED_WRITER_ERROR": 0x80042315,
    "VSS_E_SNAPSHOT_SET_IN_PROGRESS": 0x80042316,
    "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED": 0x80042317,
    "VSS_E_WRITER_INFRASTRUCTURE": 0x80042318,
    "VSS_E_WRITER_NOT_RESPONDING": 0x80042319,
    "VSS_E_UNSUPPORTED_CONTEXT": 0x8004231B,
    "VSS_E_INSUFFICIENT_STORAGE": 0x8004231F,
    "VSS_E_NO_SNAPSHOTS_IMPORTED": 0x80042320,
    "VSS_E_SOME_SNAPSHOTS_NOT_IMPORTED": 0x80042321,
    "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT": 0x800423F0,
    "VSS_E_WRITERERROR_OUTOFRESOURCES": 0x800423F1,
    "VSS_E_WRITERERROR_TIMEOUT": 0x800423F2,
    "VSS_E_WRITERERROR_RETRYABLE": 0x800423F3,
    "VSS_E_WRITERERROR_NONRETRYABLE": 0x800423F4,
    "VSS_E_WRITERERROR_RECOVERY_FAILED": 0x800423F5,
}

# The only codes CVssWriter::SetWriterFailure accepts (VC-I8); anything else is E_INVALIDARG.
WRITER_ERRORS = (
    "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT",
    "VSS_E_WRITERERROR_OUTOFRESOURCES",
    "VSS_E_WRITERERROR_TIMEOUT",
    "VSS_E_WRITERERROR_RETRYABLE",
    "VSS_E_WRITERERROR_NONRETRYABLE",
)

# ``Last error:`` text of vssadmin list writers. Seen (VSS-8): No error, Retryable error,
# Non-retryable error, Timed out, Inconsistent shadow copy; the others are inferred.
LAST_ERROR_TEXT: dict[str, str] = {
    "S_OK": "No error",
    "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT": "Inconsistent shadow copy",
    "VSS_E_WRITERERROR_OUTOFRESOURCES": "Out of resources",
    "VSS_E_WRITERERROR_TIMEOUT": "Timed out",
    "VSS_E_WRITERERROR_RETRYABLE": "Retryable error",
    "VSS_E_WRITERERROR_NONRETRYABLE": "Non-retryable error",
}

# Retry advice of "Writer Errors and Vetoes" (vss-and-core.md §3.3): retry after 10 minutes,
# at most 3 times, for these; never blindly for the others.
RETRYABLE = frozenset(
    {
        "VSS_E_WRITERERROR_OUTOFRESOURCES",
        "VSS_E_WRITERERROR_TIMEOUT",
        "VSS_E_WRITERERROR_RETRYABLE",
    }
)


def hresult(code: str) -> int:
    return HRESULTS[code]


def vss_error(code: str, detail: str) -> VssError:
    """The error a VSS call returns: its name as code, the HRESULT in the message."""
    return VssError(f"{detail} (0x{HRESULTS[code]:08X})", code=code)


def refuse(code: str, detail: str) -> NoReturn:
    raise vss_error(code, detail)
