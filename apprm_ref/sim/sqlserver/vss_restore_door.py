"""The restore half of the product's VSS door: ``InitializeForRestore`` from the saved BCD,
``SetSelectedForRestore`` (with ``SetAdditionalRestores``), PreRestore, the file restore
status of each component and PostRestore, delivered to the writers through the VSS
simulator's event broadcaster (vss-and-core.md §4.1).

A component not in the BCD cannot be selected (``VSS_E_OBJECT_NOT_FOUND``); out of order
calls are ``VSS_E_BAD_STATE``; ``fileRestoreStatus`` must be set for every selected
component before PostRestore (VC-I10).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drivers.vss import WriterInfo
from apprm_ref.errors import VssError


@dataclass
class SimRestore:
    world: Any
    host: str
    bcd_xml: str
    phase: str = "initialized"
    selected: dict[str, list[Any]] = field(default_factory=dict)  # writer id -> components
    events: Any = None

    def __post_init__(self) -> None:
        from apprm_ref.sim.vss.xmldoc import parse_bcd

        self.bcd = parse_bcd(self.bcd_xml)  # VSS_E_INVALID_XML_DOCUMENT if it is not one

    def _expect(self, call: str, *phases: str) -> None:
        if self.phase not in phases:
            raise VssError(
                f"{call} is out of order: the requester is {self.phase}", code="VSS_E_BAD_STATE"
            )

    def _service(self) -> Any:
        from apprm_ref.sim.vss.backend import vss_service

        return vss_service(self.world, self.host)

    def select_for_restore(
        self, writer_id: str, logical_path: str, name: str, *, additional_restores: bool
    ) -> None:
        from apprm_ref.sim.vss.xmldoc import BcdComponent

        self._expect("SetSelectedForRestore", "initialized")
        saved = [
            c
            for w in self.bcd.writers
            if w.writer_id == writer_id
            for c in w.components
            if (c.logical_path, c.name) == (logical_path, name)
        ]
        if not saved:
            raise VssError(
                f"{logical_path}\\{name} is not in the saved Backup Components Document",
                code="VSS_E_OBJECT_NOT_FOUND",
            )
        comp = BcdComponent(
            logical_path, name, selected_for_restore=True, additional_restores=additional_restores
        )
        self.selected.setdefault(writer_id, []).append(comp)

    def _writers(self) -> list[Any]:
        svc = self._service()
        return [w for w in svc.writers() if svc.status(w).writer_id in self.selected]

    def _by_key(self) -> dict[str, list[Any]]:
        svc = self._service()
        return {w.key: self.selected[svc.status(w).writer_id] for w in self._writers()}

    def pre_restore(self) -> None:
        from apprm_ref.sim.vss.events import Broadcaster
        from apprm_ref.sim.vss.writers import Event

        self._expect("PreRestore", "initialized")
        writers = self._writers()
        if len({self._service().status(w).writer_id for w in writers}) != len(self.selected):
            raise VssError("a selected writer is not running", code="VSS_E_WRITER_NOT_RESPONDING")
        self.events = Broadcaster(self._service(), writers)
        self.events.send(Event.PRE_RESTORE, components=self._by_key())
        self.phase = "pre-restored"

    def set_file_restore_status(
        self, writer_id: str, logical_path: str, name: str, status: str
    ) -> None:
        from apprm_ref.sim.vss.models import FileRestoreStatus

        self._expect("SetFileRestoreStatus", "pre-restored")
        for comp in self.selected.get(writer_id, []):
            if (comp.logical_path, comp.name) == (logical_path, name):
                comp.file_restore_status = FileRestoreStatus[status.upper()]
                return
        raise VssError(
            f"{logical_path}\\{name} is not selected for restore", code="VSS_E_OBJECT_NOT_FOUND"
        )

    def post_restore(self) -> None:
        from apprm_ref.sim.vss.models import FileRestoreStatus
        from apprm_ref.sim.vss.writers import Event

        self._expect("PostRestore", "pre-restored")
        unset = [
            c
            for cs in self.selected.values()
            for c in cs
            if c.file_restore_status == FileRestoreStatus.UNDEFINED
        ]
        if unset:
            raise VssError(
                f"no file restore status for {unset[0].full_path} before PostRestore",
                code="VSS_E_BAD_STATE",
            )
        self.events.send(Event.POST_RESTORE, components=self._by_key())
        self.phase = "post-restored"

    def writer_status(self) -> list[WriterInfo]:
        from apprm_ref.sim.sqlserver.vss_door import _info

        svc = self._service()
        return [_info(svc, w, None, "") for w in self._writers()]
