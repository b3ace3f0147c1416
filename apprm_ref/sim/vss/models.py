"""VSS enumerations as the SDK numbers them and the WMD/BCD XML spells them, and the plain
data the service keeps: writer metadata, writer status, shadow copies and sets.

Sources: VSS_WRITER_STATE, VSS_BACKUP_TYPE, VSS_BACKUP_SCHEMA, VSS_RESTOREMETHOD_ENUM,
VSS_WRITERRESTORE_ENUM, VSS_FILE_RESTORE_STATUS, VSS_VOLUME_SNAPSHOT_ATTRIBUTES
(learn.microsoft.com/windows/win32/api/vss, …/vswriter; vss-and-core.md §2–5) and the XML
spellings of real WMDs (sap-vss-addendum.md VSS-1..VSS-4).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from apprm_ref.persist import persistable, register_enum


@register_enum("vss.WriterState")
class WriterState(enum.IntEnum):
    UNKNOWN = 0
    STABLE = 1
    WAITING_FOR_FREEZE = 2
    WAITING_FOR_THAW = 3
    WAITING_FOR_POST_SNAPSHOT = 4
    WAITING_FOR_BACKUP_COMPLETE = 5
    FAILED_AT_IDENTIFY = 6
    FAILED_AT_PREPARE_BACKUP = 7
    FAILED_AT_PREPARE_SNAPSHOT = 8
    FAILED_AT_FREEZE = 9
    FAILED_AT_THAW = 10
    FAILED_AT_POST_SNAPSHOT = 11
    FAILED_AT_BACKUP_COMPLETE = 12
    FAILED_AT_PRE_RESTORE = 13
    FAILED_AT_POST_RESTORE = 14
    FAILED_AT_BACKUPSHUTDOWN = 15

    @property
    def failed(self) -> bool:
        return self >= WriterState.FAILED_AT_IDENTIFY

    @property
    def text(self) -> str:
        """``State: [n] <text>`` of vssadmin: every FAILED_AT_* prints "Failed" (VSS-8);
        the texts of states 2-4 are inferred from the enum names."""
        if self.failed:
            return "Failed"
        return _STATE_TEXT[self]


_STATE_TEXT = {
    WriterState.UNKNOWN: "Unknown",
    WriterState.STABLE: "Stable",
    WriterState.WAITING_FOR_FREEZE: "Waiting for freeze",
    WriterState.WAITING_FOR_THAW: "Waiting for thaw",
    WriterState.WAITING_FOR_POST_SNAPSHOT: "Waiting for post-snapshot",
    WriterState.WAITING_FOR_BACKUP_COMPLETE: "Waiting for completion",
}


@register_enum("vss.BackupType")
class BackupType(enum.IntEnum):
    UNDEFINED = 0
    FULL = 1
    INCREMENTAL = 2
    DIFFERENTIAL = 3
    LOG = 4
    COPY = 5
    OTHER = 6

    @property
    def xml(self) -> str:
        return self.name.lower()


class Schema(enum.IntFlag):
    """VSS_BACKUP_SCHEMA bits (a writer's ``backupSchema``)."""

    UNDEFINED = 0
    DIFFERENTIAL = 0x1
    INCREMENTAL = 0x2
    EXCLUSIVE_INCREMENTAL_DIFFERENTIAL = 0x4
    LOG = 0x8
    COPY = 0x10
    TIMESTAMPED = 0x20
    LAST_MODIFY = 0x40
    LSN = 0x80
    WRITER_SUPPORTS_NEW_TARGET = 0x100
    WRITER_SUPPORTS_RESTORE_WITH_MOVE = 0x200


_TYPE_BIT = {
    BackupType.DIFFERENTIAL: Schema.DIFFERENTIAL,
    BackupType.INCREMENTAL: Schema.INCREMENTAL,
    BackupType.LOG: Schema.LOG,
    BackupType.COPY: Schema.COPY,
}


def effective_type(requested: BackupType, schema: int) -> BackupType:
    """A type the writer's schema lacks degrades to FULL for that writer (vss §2.3, VC-P7)."""
    bit = _TYPE_BIT.get(requested)
    if bit is None or schema & bit:
        return requested
    return BackupType.FULL


@register_enum("vss.RestoreMethod")
class RestoreMethod(enum.IntEnum):
    UNDEFINED = 0
    RESTORE_IF_NOT_THERE = 1
    RESTORE_IF_CAN_REPLACE = 2
    STOP_RESTORE_START = 3
    RESTORE_TO_ALTERNATE_LOCATION = 4
    RESTORE_AT_REBOOT = 5
    RESTORE_AT_REBOOT_IF_CANNOT_REPLACE = 6
    CUSTOM = 7
    RESTORE_STOP_START = 8

    @property
    def xml(self) -> str:
        """The WMD spelling, which is not the API name (VSS-1)."""
        return _METHOD_XML.get(self, self.name)


_METHOD_XML = {
    RestoreMethod.RESTORE_IF_CAN_REPLACE: "RESTORE_IF_CAN_BE_REPLACED",
    RestoreMethod.RESTORE_AT_REBOOT: "REPLACE_AT_REBOOT",
    RestoreMethod.RESTORE_AT_REBOOT_IF_CANNOT_REPLACE: "REPLACE_AT_REBOOT_IF_CANNOT_REPLACE",
}
METHOD_FROM_XML = {m.xml: m for m in RestoreMethod}


@register_enum("vss.FileRestoreStatus")
class FileRestoreStatus(enum.IntEnum):
    UNDEFINED = 0
    NONE = 1
    ALL = 2
    FAILED = 3


class Attr(enum.IntFlag):
    """VSS_VOLUME_SNAPSHOT_ATTRIBUTES (vss §5.2)."""

    PERSISTENT = 0x1
    NO_AUTORECOVERY = 0x2
    CLIENT_ACCESSIBLE = 0x4
    NO_AUTO_RELEASE = 0x8
    NO_WRITERS = 0x10
    TRANSPORTABLE = 0x20
    NOT_SURFACED = 0x40
    NOT_TRANSACTED = 0x80
    HARDWARE_ASSISTED = 0x10000
    DIFFERENTIAL = 0x20000
    PLEX = 0x40000
    IMPORTED = 0x80000
    EXPOSED_LOCALLY = 0x100000
    EXPOSED_REMOTELY = 0x200000
    AUTORECOVER = 0x400000
    ROLLBACK_RECOVERY = 0x800000
    TXF_RECOVERY = 0x2000000


# Contexts (VSS_SNAPSHOT_CONTEXT): attribute combinations (vss.h _VSS_SNAPSHOT_CONTEXT)
CTX_BACKUP = 0
CTX_FILE_SHARE_BACKUP = int(Attr.NO_WRITERS)
CTX_NAS_ROLLBACK = int(Attr.PERSISTENT | Attr.NO_AUTO_RELEASE | Attr.NO_WRITERS)
CTX_APP_ROLLBACK = int(Attr.PERSISTENT | Attr.NO_AUTO_RELEASE)
CTX_CLIENT_ACCESSIBLE = int(
    Attr.PERSISTENT | Attr.CLIENT_ACCESSIBLE | Attr.NO_AUTO_RELEASE | Attr.NO_WRITERS
)
CTX_ALL = 0xFFFFFFFF
CONTEXTS = (
    CTX_BACKUP,
    CTX_FILE_SHARE_BACKUP,
    CTX_NAS_ROLLBACK,
    CTX_APP_ROLLBACK,
    CTX_CLIENT_ACCESSIBLE,
)


# --- writer metadata -----------------------------------------------------------------------


@persistable("vss.FileSpec")
@dataclass(frozen=True)
class FileSpec:
    """One ``FILE_LIST`` / ``DATABASE_FILES`` / ``DATABASE_LOGFILES`` entry."""

    path: str
    filespec: str
    recursive: bool = False
    log: bool = False  # a DATABASE_LOGFILES entry
    alternate_path: str = ""
    backup_type_mask: int = 3855  # 0xF0F, the value real WMDs carry


@persistable("vss.Component")
@dataclass(frozen=True)
class Component:
    """A ``FILE_GROUP`` or ``DATABASE`` of a WMD."""

    logical_path: str
    name: str
    database: bool = False
    files: tuple[FileSpec, ...] = ()
    caption: str = ""
    selectable: bool = True
    selectable_for_restore: bool = True
    notify_on_backup_complete: bool = False
    restore_metadata: bool = False
    flags: int = 0

    @property
    def full_path(self) -> str:
        return f"{self.logical_path}\\{self.name}" if self.logical_path else self.name


@persistable("vss.WriterMetadata")
@dataclass(frozen=True)
class WriterMetadata:
    """What a writer declares at Identify (the WMD's content)."""

    writer_id: str
    name: str
    usage: str = "SYSTEM_SERVICE"
    data_source: str = "OTHER"
    instance_name: str = ""
    components: tuple[Component, ...] = ()
    restore_method: RestoreMethod = RestoreMethod.RESTORE_IF_CAN_REPLACE
    writer_restore: str = "never"
    reboot_required: bool = False
    service: str = ""
    backup_schema: int = 0
    excluded: tuple[FileSpec, ...] = ()
    alternate_mappings: tuple[FileSpec, ...] = ()
    freeze_timeout_ms: int = 60000


# --- service state -------------------------------------------------------------------------


@persistable("vss.WriterStatus")
@dataclass
class WriterStatus:
    """A writer's state as the service keeps it; a failure outlives the session (VC-P18)."""

    writer_id: str
    instance_id: str
    state: WriterState = WriterState.STABLE
    last_error: str = "S_OK"
    generation: int = 0  # service restarts: the instance ID is derived from it


@persistable("vss.ShadowCopy")
@dataclass
class ShadowCopy:
    """One shadow copy: the original volume and the array LUN the provider made for it."""

    shadow_id: str
    set_id: str
    volume: str  # \\?\Volume{guid}\ of the original
    volume_label: str  # the access path it had ("E:\")
    provider_id: str
    attributes: int
    created_at: float
    originating_machine: str
    service_machine: str
    array: str
    target: str  # the replica volume on the array
    source: str  # the original's array volume
    device: str = ""
    exposed: str = ""  # access path where exposed, "" when not
    mu: int = -1  # XP: the MU of the pair that holds it
    kind: str = ""  # the provider's replica kind (providers.Target.kind)
    backup_type: BackupType = BackupType.COPY


@persistable("vss.ShadowSet")
@dataclass
class ShadowSet:
    set_id: str
    context: int
    created_at: float
    shadow_ids: list[str] = field(default_factory=list)
    bcd: str = ""  # the Backup Components Document saved with the set
    wmds: list[str] = field(default_factory=list)
