"""The door's exception model: python-oracledb's own classes when it is installed.

Code written for python-oracledb (``except oracledb.DatabaseError as e: err, = e.args;
err.code``) must run unchanged against the door, so the exception classes *are*
``oracledb``'s when the package can be imported (identity, not look-alikes), and equal-shaped
classes otherwise. ``args[0]`` is an error object with python-oracledb's public attributes
(``code``, ``full_code``, ``message``, ``offset``, ``context``, ``isrecoverable``), and the
class raised for an ORA code is the one python-oracledb picks (ORA-00001/01400/... ->
IntegrityError, ORA-01034/01089/03113/... -> OperationalError, the rest DatabaseError;
DPY-1xxx InterfaceError, DPY-2xxx ProgrammingError, DPY-3xxx NotSupportedError).
Source: python-oracledb documentation, "Exception Handling" and "oracledb._Error Objects";
python-oracledb source, ``src/oracledb/errors.py`` (read for the mapping, not copied).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from apprm_ref.errors import OracleError

try:  # the real driver's classes, so ``except oracledb.DatabaseError`` catches the door's
    from oracledb import (  # type: ignore[import-not-found]
        DatabaseError,
        DataError,
        Error,
        IntegrityError,
        InterfaceError,
        InternalError,
        NotSupportedError,
        OperationalError,
        ProgrammingError,
        Warning,  # noqa: A004 - DB-API name
    )

    REAL_DRIVER_CLASSES = True
except ImportError:  # pragma: no cover - exercised where oracledb is not installed
    REAL_DRIVER_CLASSES = False

    class Warning(Exception):  # type: ignore[no-redef]  # noqa: A001
        pass

    class Error(Exception):  # type: ignore[no-redef]
        pass

    class InterfaceError(Error):  # type: ignore[no-redef]
        pass

    class DatabaseError(Error):  # type: ignore[no-redef]
        pass

    class DataError(DatabaseError):  # type: ignore[no-redef]
        pass

    class OperationalError(DatabaseError):  # type: ignore[no-redef]
        pass

    class IntegrityError(DatabaseError):  # type: ignore[no-redef]
        pass

    class InternalError(DatabaseError):  # type: ignore[no-redef]
        pass

    class ProgrammingError(DatabaseError):  # type: ignore[no-redef]
        pass

    class NotSupportedError(DatabaseError):  # type: ignore[no-redef]
        pass


INTEGRITY = frozenset({1, 1400, 1438, 2290, 2291, 2292})
OPERATIONAL = frozenset({22, 600, 603, 1012, 1013, 1033, 1034, 1089, 1090, 1092, 3113, 3114})
OPERATIONAL |= {3135, 12153, 12203, 12500, 12571}
RECOVERABLE = frozenset({376, 1033, 1034, 1090, 1115, 12514, 12571})
_DPY_CLASSES = {1: InterfaceError, 2: ProgrammingError, 3: NotSupportedError, 4: DatabaseError}
_DPY_CLASSES |= {5: InternalError, 6: OperationalError}


@dataclass(frozen=True)
class _Error:
    """What python-oracledb puts in ``exc.args[0]``: ``full_code`` "ORA-01146", ``code``
    1146 (0 for driver-side DPY- errors), ``message`` "ORA-01146: ..." with the stack."""

    message: str
    code: int = 0
    full_code: str = ""
    offset: int = 0
    context: str | None = None
    isrecoverable: bool = False
    iswarning: bool = False

    def __str__(self) -> str:
        return self.message


def error_of(full_code: str, text: str) -> tuple[type[Exception], _Error]:
    """(exception class, error object) for a code and the text after ``CODE: ``."""
    number = int(full_code.split("-", 1)[1])
    message = f"{full_code}: {text}"
    if full_code.startswith("DPY-"):
        return _DPY_CLASSES.get(number // 1000, DatabaseError), _Error(message, 0, full_code)
    err = _Error(message, number, full_code, isrecoverable=number in RECOVERABLE)
    if number in INTEGRITY:
        return IntegrityError, err
    if number in OPERATIONAL:
        return OperationalError, err
    return DatabaseError, err


def raise_oracle(exc: OracleError) -> NoReturn:
    code = exc.code if exc.code and "-" in exc.code else "ORA-00600"
    cls, err = error_of(code, exc.message)
    raise cls(err) from None


def raise_code(full_code: str, text: str) -> NoReturn:
    cls, err = error_of(full_code, text)
    raise cls(err) from None


def internal(exc: BaseException) -> NoReturn:
    """A defect inside the door surfaces as Oracle surfaces its own: ORA-00600."""
    raise_code("ORA-00600", f"internal error code, arguments: [{type(exc).__name__}], [{exc}]")


__all__ = [
    "DataError", "DatabaseError", "Error", "IntegrityError", "InterfaceError", "InternalError",
    "NotSupportedError", "OperationalError", "ProgrammingError", "Warning", "_Error", "Any",
]  # fmt: skip
