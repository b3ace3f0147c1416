"""IVssBackupComponents for backup: the requester's calls as an enforced state machine.

The order is VC-I1's: InitializeForBackup → (SetContext) → SetBackupState →
GatherWriterMetadata → AddComponent* → StartSnapshotSet → AddToSnapshotSet+ →
PrepareForBackup → DoSnapshotSet → (GatherWriterStatus) → SetBackupSucceeded* →
BackupComplete; AbortBackup after PrepareForBackup; BackupShutdown on release. Any other
call returns ``VSS_E_BAD_STATE`` (0x80042301) and changes nothing (VC-P1). StartSnapshotSet
while another set of the host is being created returns ``VSS_E_SNAPSHOT_SET_IN_PROGRESS``
until that creation ends (VC-I2). A volume goes into a set once, on a provider supporting
all its LUNs (VC-I3). Sources: vss-and-core.md §3.1, §17; learn.microsoft.com
…/vsbackup/nn-vsbackup-ivssbackupcomponents and the method pages it links.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from apprm_ref.sim.vss.creation import CreationJob
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.events import Broadcaster
from apprm_ref.sim.vss.models import (
    CONTEXTS,
    Attr,
    BackupType,
    WriterMetadata,
    WriterState,
    WriterStatus,
    effective_type,
)
from apprm_ref.sim.vss.providers import Provider
from apprm_ref.sim.vss.service import VolumeRef, VssService
from apprm_ref.sim.vss.writers import Event, Writer, WriterContext
from apprm_ref.sim.vss.xmldoc import Bcd, BcdComponent, BcdWriter, bcd_xml, wmd_xml

MAX_VOLUMES = 64  # volumes per shadow-copy set (VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED)


class Phase(enum.Enum):
    NEW = "new"
    INITIALIZED = "initialized"
    STATE_SET = "backup state set"
    GATHERED = "metadata gathered"
    SET_STARTED = "snapshot set started"
    PREPARED = "prepared for backup"
    CREATING = "creating the snapshot set"
    CREATED = "snapshot set created"
    COMPLETED = "backup complete"
    ABORTED = "aborted"
    RELEASED = "released"


@dataclass
class Identified:
    writer: Writer
    meta: WriterMetadata
    instance_id: str


@dataclass
class SetVolume:
    ref: VolumeRef
    provider: Provider
    shadow_id: str


@dataclass
class BackupComponents:
    """One requester instance (CreateVssBackupComponents) on ``service``'s host."""

    service: VssService
    phase: Phase = Phase.NEW
    context: int = 0
    backup_type: BackupType = BackupType.FULL
    select_components: bool = False
    disabled: list[str] = field(default_factory=list)  # writer keys or writer IDs
    identified: list[Identified] = field(default_factory=list)
    bcd: Bcd = field(default_factory=Bcd)
    set_id: str = ""
    volumes: list[SetVolume] = field(default_factory=list)
    job: CreationJob | None = None
    events: Broadcaster | None = None

    def _expect(self, call: str, *phases: Phase) -> None:
        if self.phase not in phases:
            refuse(
                "VSS_E_BAD_STATE", f"{call} is out of order: the requester is {self.phase.value}"
            )

    # --- initialisation ---------------------------------------------------------------------

    def initialize_for_backup(self) -> None:
        self._expect("InitializeForBackup", Phase.NEW)
        self.phase = Phase.INITIALIZED

    def set_context(self, context: int) -> None:
        """A VSS_CTX_* value, optionally with the TRANSPORTABLE, DIFFERENTIAL, PLEX and
        NO_AUTORECOVERY attributes a requester may add (IVssBackupComponents::SetContext)."""
        self._expect("SetContext", Phase.INITIALIZED)
        extra = int(Attr.TRANSPORTABLE | Attr.DIFFERENTIAL | Attr.PLEX | Attr.NO_AUTORECOVERY)
        if context & ~extra not in CONTEXTS:
            refuse("VSS_E_UNSUPPORTED_CONTEXT", f"context 0x{context:x}")
        self.context = context

    def disable_writer(self, writer: str) -> None:
        """DisableWriterClasses / DisableWriterInstances (diskshadow ``writer exclude``)."""
        self._expect("DisableWriterClasses", Phase.INITIALIZED, Phase.STATE_SET)
        self.disabled.append(writer.strip("{}").lower())

    def set_backup_state(
        self,
        select_components: bool,
        bootable_system_state: bool = False,
        backup_type: BackupType = BackupType.FULL,
        partial_file_support: bool = False,
    ) -> None:
        self._expect("SetBackupState", Phase.INITIALIZED)
        if backup_type == BackupType.UNDEFINED:
            refuse("E_INVALIDARG", "SetBackupState: backup type VSS_BT_UNDEFINED")
        self.select_components, self.backup_type = select_components, backup_type
        self.bcd = Bcd(backup_type, select_components, bootable_system_state, partial_file_support)
        self.phase = Phase.STATE_SET

    # --- discovery --------------------------------------------------------------------------

    def gather_writer_metadata(self) -> list[Identified]:
        """Identify to every writer; one that fails it is left out (FAILED_AT_IDENTIFY)."""
        self._expect("GatherWriterMetadata", Phase.STATE_SET)
        found = []
        for w in self.service.writers():
            st = self.service.status(w)
            ctx = WriterContext(Event.IDENTIFY, self.service.host, world=self.service.world)
            if self.service.world.faults.fires(
                "vss.identify", host=self.service.host, writer=w.key
            ):
                self.service.set_status(
                    w, WriterState.FAILED_AT_IDENTIFY, "VSS_E_WRITERERROR_RETRYABLE"
                )
            if self.service.status(w).state == WriterState.FAILED_AT_IDENTIFY:
                continue  # left out of the metadata until its service restarts
            found.append(Identified(w, w.on_identify(ctx), st.instance_id))
        self.identified = found
        self.phase = Phase.GATHERED
        return list(found)

    def writer_metadata(self) -> list[tuple[WriterMetadata, str]]:
        """GetWriterMetadata for each identified writer: (metadata, WMD XML)."""
        return [(i.meta, wmd_xml(i.meta, i.instance_id)) for i in self.identified]

    def _writer(self, writer: str) -> Identified:
        want = writer.strip("{}").lower()
        for i in self.identified:
            if want in (i.writer.key.lower(), i.meta.writer_id, i.meta.name.lower(), i.instance_id):
                return i
        refuse("VSS_E_OBJECT_NOT_FOUND", f"no writer {writer} in the gathered metadata")

    def add_component(self, writer: str, logical_path: str, name: str) -> None:
        self._expect("AddComponent", Phase.GATHERED)
        ident = self._writer(writer)
        comp = next(
            (c for c in ident.meta.components if (c.logical_path, c.name) == (logical_path, name)),
            None,
        )
        if comp is None:
            refuse(
                "VSS_E_OBJECT_NOT_FOUND",
                f"{ident.meta.name} has no component {logical_path}\\{name}",
            )
        bw = self._bcd_writer(ident)
        if any((c.logical_path, c.name) == (logical_path, name) for c in bw.components):
            refuse("VSS_E_OBJECT_ALREADY_EXISTS", f"component {logical_path}\\{name} already added")
        bw.components.append(BcdComponent(logical_path, name, database=comp.database))

    def _bcd_writer(self, ident: Identified) -> BcdWriter:
        for bw in self.bcd.writers:
            if bw.instance_id == ident.instance_id:
                return bw
        kind = effective_type(self.backup_type, ident.meta.backup_schema)
        bw = BcdWriter(
            ident.meta.writer_id,
            ident.instance_id,
            ident.meta.instance_name,
            ident.meta.backup_schema,
            kind,
        )
        self.bcd.writers.append(bw)
        return bw

    # --- the snapshot set -------------------------------------------------------------------

    def start_snapshot_set(self) -> str:
        self._expect("StartSnapshotSet", Phase.GATHERED)
        if self.service.creating:
            refuse(
                "VSS_E_SNAPSHOT_SET_IN_PROGRESS",
                f"{self.service.host}: set {{{self.service.creating}}} is being created",
            )
        self.set_id = self.service.new_guid("set")
        self.service.creating = self.set_id
        self.bcd.snapshot_set_id = self.set_id
        self.phase = Phase.SET_STARTED
        return self.set_id

    def add_to_snapshot_set(self, volume: str, provider_id: str = "") -> str:
        self._expect("AddToSnapshotSet", Phase.SET_STARTED)
        ref = self.service.resolve(volume)
        if any(v.ref.guid_path == ref.guid_path for v in self.volumes):
            refuse("VSS_E_OBJECT_ALREADY_EXISTS", f"{volume} is already in set {{{self.set_id}}}")
        if len(self.volumes) >= MAX_VOLUMES:
            refuse("VSS_E_MAXIMUM_NUMBER_OF_VOLUMES_REACHED", f"set {{{self.set_id}}}")
        provider = self._provider_for(ref, provider_id, volume)
        shadow_id = self.service.new_guid("shadow")
        self.volumes.append(SetVolume(ref, provider, shadow_id))
        return shadow_id

    def _provider_for(self, ref: VolumeRef, provider_id: str, volume: str) -> Provider:
        if provider_id:
            provider = self.service.provider(provider_id)
            if not provider.are_luns_supported(self.service.world, ref.luns, self.context):
                refuse(
                    "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER",
                    f"{volume} is not supported by {provider.name}",
                )
            return provider
        supporting = self.service.supporting(ref, self.context)
        if not supporting:
            refuse("VSS_E_VOLUME_NOT_SUPPORTED", f"no provider supports {volume}")
        return supporting[0]

    def prepare_for_backup(self) -> None:
        self._expect("PrepareForBackup", Phase.SET_STARTED)
        if not self.volumes:
            refuse("VSS_E_BAD_STATE", "PrepareForBackup: the snapshot set has no volume")
        self.events = Broadcaster(self.service, self.involved())
        self.events.send(
            Event.PREPARE_FOR_BACKUP,
            backup_type=self.backup_type,
            components=self.components_by_writer(),
            volumes=self.volume_labels(),
            types=self.types_by_writer(),
        )
        self.phase = Phase.PREPARED

    def involved(self) -> list[Writer]:
        """Enabled writers of the operation: not disabled and, in component mode, with a
        selected component (VC-I4)."""
        chosen = {bw.instance_id for bw in self.bcd.writers if bw.components}
        out = []
        for i in self.identified:
            names = (i.writer.key.lower(), i.meta.writer_id, i.meta.name.lower())
            if any(n in self.disabled for n in names):
                continue
            if self.select_components and i.instance_id not in chosen:
                continue
            out.append(i.writer)
        return out

    def components_by_writer(self) -> dict[str, list[BcdComponent]]:
        by_instance = {bw.instance_id: bw.components for bw in self.bcd.writers}
        return {i.writer.key: by_instance.get(i.instance_id, []) for i in self.identified}

    def types_by_writer(self) -> dict[str, BackupType]:
        return {
            i.writer.key: effective_type(self.backup_type, i.meta.backup_schema)
            for i in self.identified
        }

    def volume_labels(self) -> tuple[str, ...]:
        return tuple(v.ref.label or v.ref.guid_path for v in self.volumes)

    def do_snapshot_set(self) -> CreationJob:
        """Start the creation (the IVssAsync); see :class:`CreationJob` for its phases."""
        self._expect("DoSnapshotSet", Phase.PREPARED)
        self.phase = Phase.CREATING
        self.job = CreationJob(self)
        self.job.start()
        return self.job

    # --- after the snapshot -----------------------------------------------------------------

    def creation_ended(self, ok: bool) -> None:
        """Called by the job: the set exists (or not); the host may create another one."""
        self.service.creating = ""
        self.phase = Phase.CREATED if ok else Phase.ABORTED

    def writer_status(self) -> list[tuple[Writer, WriterStatus]]:
        """GatherWriterStatus + GetWriterStatus: every identified writer's state."""
        self._expect(
            "GatherWriterStatus",
            Phase.GATHERED,
            Phase.SET_STARTED,
            Phase.PREPARED,
            Phase.CREATED,
            Phase.COMPLETED,
            Phase.ABORTED,
        )
        return [(i.writer, self.service.status(i.writer)) for i in self.identified]

    def set_backup_succeeded(self, writer: str, logical_path: str, name: str, ok: bool) -> None:
        self._expect("SetBackupSucceeded", Phase.CREATED)
        bw = self._bcd_writer(self._writer(writer))
        comp = next(
            (c for c in bw.components if (c.logical_path, c.name) == (logical_path, name)), None
        )
        if comp is None:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"component {logical_path}\\{name} is not in the BCD")
        comp.backup_succeeded = ok

    def backup_complete(self) -> None:
        """BackupComplete only after a successful DoSnapshotSet (VC-I9)."""
        self._expect("BackupComplete", Phase.CREATED)
        assert self.events is not None
        self.events.send(
            Event.BACKUP_COMPLETE,
            backup_type=self.backup_type,
            components=self.components_by_writer(),
            volumes=self.volume_labels(),
            types=self.types_by_writer(),
        )
        for w in self.events.writers:
            self.events.completed(w.key)
        saved = self.service.sets.get(self.set_id)
        if saved is not None:
            saved.bcd = self.save_as_xml()  # with the components' backupSucceeded
        self.phase = Phase.COMPLETED

    def abort_backup(self) -> None:
        """AbortBackup: Abort to every writer still in the operation; the set is dropped."""
        self._expect("AbortBackup", Phase.PREPARED, Phase.CREATED, Phase.SET_STARTED)
        if self.events is not None:
            self.events.abort_all(self.events.received())
        if self.phase == Phase.CREATED and self.job is not None:
            self.job.discard()
        self.service.creating = (
            "" if self.service.creating == self.set_id else self.service.creating
        )
        self.phase = Phase.ABORTED

    def release(self) -> None:
        """Release the requester: BackupShutdown; non-persistent shadow copies go away and an
        unfinished set creation is given up."""
        if self.phase == Phase.CREATING:
            refuse("VSS_E_BAD_STATE", "release while DoSnapshotSet is running")
        if self.phase in (Phase.SET_STARTED, Phase.PREPARED):
            self.abort_backup()
        if self.job is not None and self.job.ok and not self.context & Attr.PERSISTENT:
            self.job.discard()
        if self.events is not None:
            self.events.shutdown(self.types_by_writer())
        self.phase = Phase.RELEASED

    def save_as_xml(self) -> str:
        """The Backup Components Document as it stands."""
        return bcd_xml(self.bcd)
