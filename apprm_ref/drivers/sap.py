"""SAP Protocols: what the product's backint program and the SAP integration need.

Two sides meet here. The backint program (``apprm_ref.real.sap_backint``) keeps file copies
in a :class:`BackintStore` and reads/writes the client's files through :class:`HostFiles`;
the SAP integration drives BR*Tools (``brbackup``, ``brrestore``, ``brrecover``) through a
:class:`SapDriver`, which BR*Tools answers by calling the product back (backint, split
command). Reference: oracle-sap.md Part B, protocols.md §4, sap-vss-addendum.md SAP-1..18.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class BackintCopy:
    """One saved copy: (user, BID, path) identifies it (BC-BRI); ``seq`` orders copies."""

    user: str
    bid: str
    path: str
    seq: int
    size: int


@runtime_checkable
class BackintStore(Protocol):
    """The backup device and catalogue behind backint; one command's changes are kept or
    dropped together by the caller (``commit`` after a command, nothing on a crash)."""

    def new_backup_id(self, user: str) -> str:
        """A fresh BID (no blanks), later than every BID already issued."""
        ...

    def put(self, user: str, bid: str, path: str, data: bytes) -> None: ...

    def get(self, user: str, bid: str, path: str) -> bytes | None: ...

    def copies(self, user: str) -> list[BackintCopy]:
        """Every copy of ``user``, newest first (highest ``seq``)."""
        ...

    def drop(self, user: str, bid: str, path: str) -> bool: ...


@runtime_checkable
class HostFiles(Protocol):
    """The client host's files as backint sees them (a real host's filesystem or a
    simulated host), and the switch files it shares with BRBACKUP (``file_online``)."""

    def read(self, path: str) -> bytes:
        """The file's contents; OSError (FileNotFoundError) when it cannot be read."""
        ...

    def write(self, path: str, data: bytes) -> None:
        """Create or replace the file; OSError when it cannot be written."""
        ...

    def exists(self, path: str) -> bool: ...

    def remove(self, path: str) -> None: ...

    def wait_gone(self, path: str) -> bool:
        """Wait until ``path`` disappears (BRBACKUP deleting the semaphore); False on a
        timeout."""
        ...


# --- BR*Tools as the integration drives them --------------------------------------------


@dataclass(frozen=True)
class BrResult:
    """One BR*Tools run: its exit code (0-6, SAP-1), the detail log it wrote and its text."""

    rc: int
    detail_log: str | None
    output: str
    argv: tuple[str, ...] = ()
    messages: tuple[str, ...] = field(default=())  # the BR<nnnn><I|W|E> lines, in order

    @property
    def ok(self) -> bool:
        return self.rc in (0, 1)


SplitCallback = Callable[[Sequence[str]], tuple[int, str]]
"""The product's split command as BRBACKUP calls it: the listed files -> (exit code,
output); output other than ``#INFO`` lines means failure (SAP-10)."""


@runtime_checkable
class SapDriver(Protocol):
    """BR*Tools of one SAP system (``<SID>``): run with the product's backint and split
    command as the programs they call back."""

    sid: str

    def brbackup(
        self, argv: Sequence[str], *, store: BackintStore, split: SplitCallback | None = None
    ) -> BrResult:
        """``brbackup <argv>``; backint keeps the copies in ``store``; ``split`` answers the
        ``split_cmd`` call of a ``*_split`` type."""
        ...

    def brarchive(self, argv: Sequence[str], *, store: BackintStore) -> BrResult: ...

    def brrestore(self, argv: Sequence[str], *, store: BackintStore) -> BrResult: ...

    def brrecover(self, argv: Sequence[str], *, store: BackintStore) -> BrResult: ...

    def profile(self) -> dict[str, str]:
        """The ``init<SID>.sap`` parameters in force."""
        ...

    def read_log(self, name: str) -> str:
        """A BR*Tools log (``back<SID>.log``, a detail log ``b<7 letters>.<ext>``...)."""
        ...


__all__ = [
    "BackintCopy",
    "BackintStore",
    "BrResult",
    "HostFiles",
    "SapDriver",
    "SplitCallback",
]
