"""VSS Protocol: what the product's requester (the VSSBAR agent) needs of a Windows host's
Volume Shadow Copy Service, writer-neutral.

The calls are those of ``IVssBackupComponents`` (vss-and-core.md §3.1, §4.1) in plain data:
writer metadata as :class:`WriterInfo` (with the WMD XML itself), the snapshot set built
volume by volume, ``DoSnapshotSet`` split at its two waits (Freeze after PrepareForSnapshot,
the commit inside the flush-and-hold window) so the product's own array driver makes the
replica there (``make_replica``), and the restore events. A simulator door serves it over
the VSS simulator; a real driver over ``diskshadow``/``vssadmin`` serves what a script can
(``apprm_ref/real/vss_diskshadow.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from apprm_ref.types import TargetVolume

# VSS_BACKUP_TYPE spellings of the BCD (``backupType``), vss-and-core.md §2.3
BACKUP_TYPES = ("full", "incremental", "differential", "log", "copy")
# Writer errors a requester retries (wait 10 min, at most 3 attempts) and those it does not
# (vss-and-core.md §3.3, VC-P5)
RETRYABLE = (
    "VSS_E_WRITERERROR_OUTOFRESOURCES",
    "VSS_E_WRITERERROR_TIMEOUT",
    "VSS_E_WRITERERROR_RETRYABLE",
)
NOT_RETRYABLE = ("VSS_E_WRITERERROR_NONRETRYABLE", "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT")
RETRY_WAIT = 600.0  # seconds between attempts
RETRY_ATTEMPTS = 3
# VSS_VOLUME_SNAPSHOT_ATTRIBUTES the product sets in its context (vss-and-core.md §5.2)
PERSISTENT, NO_AUTO_RELEASE, TRANSPORTABLE = 0x1, 0x8, 0x20
DIFFERENTIAL, PLEX = 0x20000, 0x40000


def retryable(code: str | None) -> bool:
    return code in RETRYABLE


@dataclass(frozen=True)
class ComponentInfo:
    """One component of a writer's metadata (``FILE_GROUP`` or ``DATABASE``)."""

    logical_path: str
    name: str
    files: tuple[str, ...]  # ``path\\filespec`` of each file list entry
    selectable: bool = True
    selectable_for_restore: bool = True

    @property
    def full_path(self) -> str:
        return f"{self.logical_path}\\{self.name}" if self.logical_path else self.name


@dataclass(frozen=True)
class WriterInfo:
    """A writer as GatherWriterMetadata + GatherWriterStatus show it."""

    writer_id: str
    name: str
    instance_id: str
    state: int  # VSS_WRITER_STATE ordinal
    state_text: str  # as vssadmin prints it ("Stable", "Failed", ...)
    last_error: str  # HRESULT name ("S_OK", "VSS_E_WRITERERROR_TIMEOUT", ...)
    backup_schema: int = 0
    restore_method: str = ""
    components: tuple[ComponentInfo, ...] = ()
    wmd_xml: str = ""

    @property
    def failed(self) -> bool:
        return self.state >= 6  # FAILED_AT_IDENTIFY and after


@dataclass(frozen=True)
class ShadowInfo:
    """One shadow copy of a created set, with the LUN the provider (or the product) made."""

    shadow_id: str
    set_id: str
    volume: str  # the original volume's access path
    source: str  # array volume under it
    target: str  # array volume of the copy
    array: str
    attributes: int
    device: str


@runtime_checkable
class VssBackup(Protocol):
    """One requester instance (``CreateVssBackupComponents``) on the application system.

    Out-of-order calls fail with ``VSS_E_BAD_STATE`` and change nothing (VC-I1); every
    failure is a ``VssError`` whose ``code`` is the HRESULT name.
    """

    def initialize_for_backup(self) -> None: ...

    def set_context(self, attributes: int) -> None: ...

    def set_backup_state(self, select_components: bool, backup_type: str) -> None: ...

    def gather_writer_metadata(self) -> list[WriterInfo]: ...

    def add_component(self, writer_id: str, logical_path: str, name: str) -> None: ...

    def start_snapshot_set(self) -> str: ...

    def add_to_snapshot_set(self, volume: str) -> str: ...

    def prepare_for_backup(self) -> None: ...

    def do_snapshot_set(self) -> float:
        """PrepareForSnapshot; returns the simulated time Freeze may run."""
        ...

    def freeze(self) -> float:
        """Freeze; returns the time the flush-and-hold began. Raises on a veto (after
        every writer got Abort: VC-P4)."""
        ...

    def commit(self, targets: Sequence[TargetVolume] | None) -> float:
        """Inside the hold: the replica's targets made by the product (``None``: the
        hardware provider makes them). Thaw and PostSnapshot follow; returns when the set
        exists. Raises (the set is dropped) on a hold or freeze timeout."""
        ...

    def abandon(self) -> None:
        """The product could not make the replica inside the hold window: the commit
        fails and VSS aborts the set (no-op when no creation is holding writes)."""
        ...

    def writer_status(self) -> list[WriterInfo]: ...

    def set_backup_succeeded(
        self, writer_id: str, logical_path: str, name: str, ok: bool
    ) -> None: ...

    def backup_complete(self) -> None: ...

    def abort_backup(self) -> None: ...

    def save_as_xml(self) -> str: ...

    def shadows(self) -> list[ShadowInfo]: ...

    def release(self) -> None: ...


@runtime_checkable
class VssRestore(Protocol):
    """A requester for restore (``InitializeForRestore`` from the saved BCD)."""

    def select_for_restore(
        self, writer_id: str, logical_path: str, name: str, *, additional_restores: bool
    ) -> None: ...

    def pre_restore(self) -> None: ...

    def set_file_restore_status(
        self, writer_id: str, logical_path: str, name: str, status: str
    ) -> None:
        """``status``: ``all`` | ``none`` | ``failed`` (VSS_FILE_RESTORE_STATUS)."""
        ...

    def post_restore(self) -> None: ...

    def writer_status(self) -> list[WriterInfo]: ...


@runtime_checkable
class VssDriver(Protocol):
    """The VSS service of the Windows hosts an estate holds."""

    name: str

    def backup(self, host: str) -> VssBackup: ...

    def restore(self, host: str, bcd_xml: str, wmd_xml: Sequence[str]) -> VssRestore: ...

    def writers(self, host: str) -> list[WriterInfo]:
        """``vssadmin list writers``: every writer with its state and last error."""
        ...

    def forget_set(self, host: str, set_id: str) -> None:
        """Drop a set's shadow copies from VSS's list once the product owns the replica
        (the LUNs stay: the product rotates and deletes them through its array driver)."""
        ...
