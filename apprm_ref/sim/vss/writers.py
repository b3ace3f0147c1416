"""The writer interface and the in-box background writers.

A writer is any object with the :class:`Writer` shape. The service finds writers in two
places: its own in-box writers, and every application backend of the world that offers
``vss_writers(host) -> list[Writer]`` (SQL Server, Exchange). Handlers follow the CVssWriter
contract (vss-and-core.md §3.2): return True unless a fatal error occurred; to veto, call
``ctx.set_writer_failure(code)`` and return False. ``SetWriterFailure`` marks the writer
FAILED_AT_<phase> whatever it returns (sap-vss-addendum.md VSS-10), accepts only the five
documented errors (E_INVALIDARG otherwise) and is illegal in OnIdentify (VC-I8).

A handler that takes simulated time says so with ``ctx.stall(seconds)``: the service
measures the Freeze→Thaw window and the flush-and-hold window on that time (VC-I7).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from apprm_ref.sim.vss.errors import WRITER_ERRORS, refuse
from apprm_ref.sim.vss.models import BackupType, Component, FileSpec, RestoreMethod, WriterMetadata
from apprm_ref.sim.vss.xmldoc import BcdComponent


class Event(enum.Enum):
    IDENTIFY = "Identify"
    PREPARE_FOR_BACKUP = "PrepareForBackup"
    PREPARE_FOR_SNAPSHOT = "PrepareForSnapshot"
    FREEZE = "Freeze"
    THAW = "Thaw"
    ABORT = "Abort"
    POST_SNAPSHOT = "PostSnapshot"
    BACKUP_COMPLETE = "BackupComplete"
    BACKUP_SHUTDOWN = "BackupShutdown"
    PRE_RESTORE = "PreRestore"
    POST_RESTORE = "PostRestore"


@dataclass
class WriterContext:
    """What a handler sees of the operation (IVssWriterComponents and friends)."""

    event: Event
    host: str
    backup_type: BackupType = BackupType.FULL  # this writer's, after degradation
    components: list[BcdComponent] = field(default_factory=list)  # its selected ones
    volumes: tuple[str, ...] = ()  # access paths of the volumes in the set
    now: float = 0.0
    world: Any = None
    failure: str = ""
    stalled: float = 0.0
    timed_out: bool = False  # Abort sent because the writer's own freeze timeout expired

    def set_writer_failure(self, code: str) -> None:
        if self.event == Event.IDENTIFY:
            refuse("VSS_E_BAD_STATE", "SetWriterFailure is not allowed in OnIdentify")
        if code not in WRITER_ERRORS:
            refuse("E_INVALIDARG", f"SetWriterFailure({code}): not a writer error")
        self.failure = code

    def stall(self, seconds: float) -> None:
        if seconds < 0:
            raise ValueError("a handler cannot take negative time")
        self.stalled += seconds

    def files_outside(self, component: Component) -> list[FileSpec]:
        """The component's file specs on no volume of the set (each path belongs to the
        volume of its longest access path): a writer that needs them reports
        VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT (VSS-14)."""
        from apprm_ref.errors import HostError
        from apprm_ref.sim.host.windows_names import win_scan_mounts

        host = self.world.hosts.host(self.host)
        inside = {v.upper() for v in self.volumes}
        out = []
        for spec in component.files:
            try:
                mnt, _ = win_scan_mounts(host, spec.path)
            except HostError:  # not on a mounted volume (C: is not modelled)
                out.append(spec)
                continue
            if mnt.mount_point.upper() not in inside:
                out.append(spec)
        return out

    def truncation_allowed(self, component: BcdComponent) -> bool:
        """Logs may be truncated at BackupComplete only after a FULL or INCREMENTAL backup of
        a component marked successful (VC-I9); COPY and DIFFERENTIAL never truncate."""
        return (
            self.event == Event.BACKUP_COMPLETE
            and self.backup_type in (BackupType.FULL, BackupType.INCREMENTAL)
            and component.backup_succeeded is True
        )


@runtime_checkable
class Writer(Protocol):
    """A VSS writer. ``key`` is unique per host (two writers may share a writer ID, as the
    Exchange store and replica writers do, VSS-5); ``service`` hosts it (VC-P18)."""

    @property
    def key(self) -> str: ...

    @property
    def service(self) -> str: ...

    def on_identify(self, ctx: WriterContext) -> WriterMetadata: ...

    def handle(self, ctx: WriterContext) -> bool:
        """Every event but Identify: True unless a fatal error occurred."""
        ...


@dataclass(frozen=True)
class BackgroundWriter:
    """An in-box writer: it declares its metadata and takes part without work of its own."""

    meta: WriterMetadata
    service_name: str

    @property
    def key(self) -> str:
        return f"{self.meta.writer_id}/{self.meta.name}"

    @property
    def service(self) -> str:
        return self.service_name

    def on_identify(self, ctx: WriterContext) -> WriterMetadata:
        return self.meta

    def handle(self, ctx: WriterContext) -> bool:
        return True


def _system_fg(logical: str, name: str, path: str, spec: str) -> tuple[Component, ...]:
    return (Component(logical, name, files=(FileSpec(path, spec, recursive=True),)),)


# Names and writer IDs of the in-box writers ("In-Box VSS Writers",
# MicrosoftDocs/win32 desktop-src/VSS/in-box-vss-writers.md; vssadmin captures, VSS-4/VSS-8);
# restore-method spellings of VSS-1. Their files live on C:, which the simulator does not
# model, so they never join a backup of the SAN volumes but are listed and keep a state.
INBOX: tuple[BackgroundWriter, ...] = (
    BackgroundWriter(
        WriterMetadata(
            "e8132975-6f93-4464-a53e-1050253ae220",
            "System Writer",
            usage="BOOTABLE_SYSTEM_STATE",
            components=_system_fg("", "System Files", "C:\\Windows\\System32", "*"),
            restore_method=RestoreMethod.RESTORE_AT_REBOOT_IF_CANNOT_REPLACE,
            writer_restore="never",
            reboot_required=True,
        ),
        "CryptSvc",
    ),
    BackgroundWriter(
        WriterMetadata(
            "afbab4a2-367d-4d15-a586-71dbb18f8485",
            "Registry Writer",
            usage="BOOTABLE_SYSTEM_STATE",
            components=_system_fg("", "Registry", "C:\\Windows\\System32\\config", "*"),
            restore_method=RestoreMethod.RESTORE_AT_REBOOT_IF_CANNOT_REPLACE,
            reboot_required=True,
        ),
        "VSS",
    ),
    BackgroundWriter(
        WriterMetadata(
            "542da469-d3e1-473c-9f4f-7847f01fc64f",
            "COM+ REGDB Writer",
            usage="BOOTABLE_SYSTEM_STATE",
            components=_system_fg("", "COM+ REGDB", "C:\\Windows\\Registration", "*"),
            restore_method=RestoreMethod.RESTORE_AT_REBOOT_IF_CANNOT_REPLACE,
            reboot_required=True,
        ),
        "VSS",
    ),
    BackgroundWriter(
        WriterMetadata(
            "a6ad56c2-b509-4e6c-bb19-49d8f43532f0",
            "WMI Writer",
            components=_system_fg("", "WMI", "C:\\Windows\\System32\\wbem\\Repository", "*"),
            restore_method=RestoreMethod.RESTORE_AT_REBOOT,
            reboot_required=True,
        ),
        "Winmgmt",
    ),
    BackgroundWriter(
        WriterMetadata(
            "be000cbe-11fe-4426-9c58-531aa6355fc4",
            "ASR Writer",
            usage="BOOTABLE_SYSTEM_STATE",
            components=(Component("", "ASR Config", caption="ASR Config"),),
            writer_restore="always",
        ),
        "VSS",
    ),
    BackgroundWriter(
        WriterMetadata(
            "4969d978-be47-48b0-b100-f328f07ac1e0",
            "BITS Writer",
            components=_system_fg(
                "", "BITS_metadata", "C:\\ProgramData\\Microsoft\\Network\\Downloader", "*"
            ),
        ),
        "BITS",
    ),
)
