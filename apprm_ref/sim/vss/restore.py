"""IVssBackupComponents for restore, and the writer's restore method honoured (VC-I10, VC-P8).

Order (VC-I1's restore analogue): InitializeForRestore(saved BCD) → GatherWriterMetadata →
SetSelectedForRestore* → (SetRestoreState) → PreRestore → files → SetFileRestoreStatus* →
PostRestore; PostRestore refuses while a selected component has no status. ``restore_files``
copies a component's saved files back as its writer's method says (vss-and-core.md §4.2):

- RESTORE_IF_NOT_THERE: if any of its files exists, nothing is written (status NONE) unless an
  alternate-location mapping exists, then the files go there;
- RESTORE_IF_CAN_REPLACE: if any existing file is locked (its volume has open handles),
  nothing is written (NONE);
- STOP_RESTORE_START: the writer's service is stopped for the copy and started after; the
  writer hosted in it gets no PostRestore (its instance changes);
- RESTORE_TO_ALTERNATE_LOCATION: always to the alternate mappings.
A copy that breaks off part-way is FAILED (the component on disk is corrupt); a full copy ALL.
Reboot-time and custom methods are refused: the simulator does not model a reboot's file
replacement or a writer's private procedure.
"""

from __future__ import annotations

import enum
import fnmatch
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.events import Broadcaster
from apprm_ref.sim.vss.models import Component, FileRestoreStatus, FileSpec, RestoreMethod
from apprm_ref.sim.vss.service import VssService
from apprm_ref.sim.vss.writers import Event, Writer, WriterContext
from apprm_ref.sim.vss.xmldoc import Bcd, BcdComponent, bcd_xml, parse_bcd

M = RestoreMethod
SUPPORTED = (
    M.RESTORE_IF_NOT_THERE,
    M.RESTORE_IF_CAN_REPLACE,
    M.STOP_RESTORE_START,
    M.RESTORE_TO_ALTERNATE_LOCATION,
)


class RPhase(enum.Enum):
    NEW = "new"
    INITIALIZED = "initialized for restore"
    GATHERED = "metadata gathered"
    PRE_RESTORED = "pre-restored"
    POST_RESTORED = "post-restored"


@dataclass
class RestoreComponents:
    service: VssService
    phase: RPhase = RPhase.NEW
    bcd: Bcd = field(default_factory=Bcd)
    restore_type: str = "VSS_RTYPE_UNDEFINED"
    writers: dict[str, Any] = field(default_factory=dict)  # instance/writer id -> (Writer, meta)
    stopped: list[str] = field(default_factory=list)  # writers whose service was stopped
    events: Broadcaster | None = None

    def _expect(self, call: str, *phases: RPhase) -> None:
        if self.phase not in phases:
            refuse(
                "VSS_E_BAD_STATE", f"{call} is out of order: the requester is {self.phase.value}"
            )

    def initialize_for_restore(self, bcd_text: str) -> None:
        self._expect("InitializeForRestore", RPhase.NEW)
        self.bcd = parse_bcd(bcd_text)
        self.phase = RPhase.INITIALIZED

    def gather_writer_metadata(self) -> None:
        self._expect("GatherWriterMetadata", RPhase.INITIALIZED)
        for w in self.service.writers():
            meta = w.on_identify(
                WriterContext(Event.IDENTIFY, self.service.host, world=self.service.world)
            )
            self.writers[meta.writer_id] = (w, meta)
        self.phase = RPhase.GATHERED

    def _component(
        self, writer_id: str, path: str, name: str
    ) -> tuple[Writer, Component, BcdComponent]:
        wid = writer_id.strip("{}").lower()
        if wid not in self.writers:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"writer {{{wid}}} is not running")
        w, meta = self.writers[wid]
        bw = self.bcd.writer(wid)
        saved = (
            None
            if bw is None
            else next((c for c in bw.components if (c.logical_path, c.name) == (path, name)), None)
        )
        comp = next((c for c in meta.components if (c.logical_path, c.name) == (path, name)), None)
        if saved is None or comp is None:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"component {path}\\{name} is not in the backup")
        return w, comp, saved

    def set_selected_for_restore(
        self, writer_id: str, path: str, name: str, *, additional: bool = False
    ) -> None:
        self._expect("SetSelectedForRestore", RPhase.GATHERED)
        _, comp, saved = self._component(writer_id, path, name)
        if not comp.selectable_for_restore:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{path}\\{name} is not selectable for restore")
        saved.selected_for_restore, saved.additional_restores = True, additional

    def set_restore_state(self, restore_type: str) -> None:
        self._expect("SetRestoreState", RPhase.GATHERED)
        if restore_type not in (
            "VSS_RTYPE_UNDEFINED",
            "VSS_RTYPE_BY_COPY",
            "VSS_RTYPE_IMPORT",
            "VSS_RTYPE_OTHER",
        ):
            refuse("E_INVALIDARG", f"SetRestoreState({restore_type})")
        self.restore_type = restore_type

    def _selected(self) -> dict[str, list[BcdComponent]]:
        out: dict[str, list[BcdComponent]] = {}
        for bw in self.bcd.writers:
            chosen = [c for c in bw.components if c.selected_for_restore]
            if chosen and bw.writer_id in self.writers:
                out[self.writers[bw.writer_id][0].key] = chosen
        return out

    def pre_restore(self) -> None:
        self._expect("PreRestore", RPhase.GATHERED)
        selected = self._selected()
        if not selected:
            refuse("VSS_E_BAD_STATE", "PreRestore with no component selected for restore")
        takers = [
            w
            for w, meta in self.writers.values()
            if w.key in selected and meta.writer_restore != "never"
        ]
        self.events = Broadcaster(self.service, takers)
        self.events.send(Event.PRE_RESTORE, components=selected)
        self.phase = RPhase.PRE_RESTORED

    def restore_files(
        self, writer_id: str, path: str, name: str, saved: dict[str, tuple[Any, ...]]
    ) -> FileRestoreStatus:
        """Copy ``saved`` (file path -> blocks) back as the writer's restore method says."""
        self._expect("RestoreFiles", RPhase.PRE_RESTORED)
        w, comp, bcomp = self._component(writer_id, path, name)
        if not bcomp.selected_for_restore:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{path}\\{name} is not selected for restore")
        meta = self.writers[writer_id.strip("{}").lower()][1]
        if meta.restore_method not in SUPPORTED:
            refuse("E_INVALIDARG", f"restore method {meta.restore_method.name} is not simulated")
        status = self._copy(w, meta, comp, saved)
        bcomp.file_restore_status = status
        return status

    def _copy(
        self, w: Writer, meta: Any, comp: Component, saved: dict[str, tuple[Any, ...]]
    ) -> FileRestoreStatus:
        hb, host = self.service.world.hosts, self.service.host
        files = sorted(p for p in saved if _covered(comp, p))
        method = meta.restore_method
        targets = {p: p for p in files}
        existing = [p for p in files if hb.file_exists(host, p)]
        alternate = {p: _alternate(meta.alternate_mappings, p) for p in files}
        if method == M.RESTORE_TO_ALTERNATE_LOCATION or (
            method == M.RESTORE_IF_NOT_THERE and existing
        ):
            if not all(alternate.values()):
                return FileRestoreStatus.NONE
            targets = {p: alternate[p] for p in files}
            if any(hb.file_exists(host, t) for t in targets.values()):
                return FileRestoreStatus.NONE
        if method == M.RESTORE_IF_CAN_REPLACE and any(_locked(hb, host, p) for p in existing):
            return FileRestoreStatus.NONE
        if method == M.STOP_RESTORE_START:
            self.stopped.append(w.key)
        for written, p in enumerate(files):
            try:
                _write(hb, host, targets[p], saved[p])
            except HostError:
                return FileRestoreStatus.FAILED if written else FileRestoreStatus.NONE
        return FileRestoreStatus.ALL

    def set_file_restore_status(
        self, writer_id: str, path: str, name: str, status: FileRestoreStatus
    ) -> None:
        self._expect("SetFileRestoreStatus", RPhase.PRE_RESTORED)
        _, _, bcomp = self._component(writer_id, path, name)
        bcomp.file_restore_status = status

    def post_restore(self) -> None:
        """PostRestore: every selected component must have its status (VC-I10)."""
        self._expect("PostRestore", RPhase.PRE_RESTORED)
        selected = self._selected()
        missing = [
            c.full_path
            for cs in selected.values()
            for c in cs
            if c.file_restore_status == FileRestoreStatus.UNDEFINED
        ]
        if missing:
            refuse(
                "VSS_E_BAD_STATE",
                f"PostRestore before SetFileRestoreStatus of {', '.join(missing)}",
            )
        for key in self.stopped:  # the service starts again: a new writer instance
            service = next(w.service for w, _ in self.writers.values() if w.key == key)
            self.service.restart_service(service)
        assert self.events is not None
        self.events.writers = [
            w
            for w in self.events.writers
            if w.key not in self.stopped and self._wants_post(w, selected)
        ]
        self.events.send(Event.POST_RESTORE, components=selected)
        self.phase = RPhase.POST_RESTORED

    def _wants_post(self, w: Writer, selected: dict[str, list[BcdComponent]]) -> bool:
        meta = next(m for x, m in self.writers.values() if x.key == w.key)
        if meta.writer_restore != "ifReplaceFails":
            return True
        return any(c.file_restore_status != FileRestoreStatus.ALL for c in selected.get(w.key, []))

    def save_as_xml(self) -> str:
        return bcd_xml(self.bcd)


def _covered(comp: Component, path: str) -> bool:
    return any(_matches(spec, path) for spec in comp.files)


def _matches(spec: FileSpec, path: str) -> bool:
    folder, _, leaf = path.rpartition("\\")
    base = spec.path.rstrip("\\")
    if folder.upper() == base.upper():
        return fnmatch.fnmatch(leaf.lower(), spec.filespec.lower())
    return (
        spec.recursive
        and folder.upper().startswith(base.upper() + "\\")
        and fnmatch.fnmatch(leaf.lower(), spec.filespec.lower())
    )


def _alternate(mappings: tuple[FileSpec, ...], path: str) -> str:
    for m in mappings:
        if _matches(m, path):
            return m.alternate_path.rstrip("\\") + "\\" + path.rpartition("\\")[2]
    return ""


def _locked(hb: Any, host: str, path: str) -> bool:
    mnt, _ = hb.mount_of(host, path)
    return bool(mnt.holders)


def _write(hb: Any, host: str, path: str, blocks: tuple[Any, ...]) -> None:
    if not hb.file_exists(host, path):
        hb.create_file(host, path, len(blocks))
    hb.write_file(host, path, dict(enumerate(blocks)))
