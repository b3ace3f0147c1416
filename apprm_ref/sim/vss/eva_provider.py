"""The HP EVA VSS hardware provider on the EVA simulator.

Replica types (vss-and-core.md §5.4): a DIFFERENTIAL context makes a standard snapshot (or a
vsnap when the provider is configured for vsnaps), a PLEX context a snapclone, neither the
provider's default. The array's own rules decide the rest and the provider reports their
refusal as a veto (VSS_E_PROVIDER_VETO, which needs an event-log entry, §3.5): no new replica
of a source while its snapclone still copies, one target type per source, snapclone refused
while snapshots or vsnaps of the source exist (VC-I12). Instant recovery only from snapclones.
The provider's ID and name are not published (inferred, stable).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import EvaError
from apprm_ref.persist import persistable
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.models import Attr
from apprm_ref.sim.vss.providers import (
    HP_PROVIDER_VERSION,
    Lun,
    Target,
    array_of,
    hardware_context,
    vss_guid,
)

EVA_PROVIDER_ID = vss_guid("provider", "HP EVA VSS HW Provider")


@persistable("vss.EvaProvider")
@dataclass
class EvaProvider:
    name: str = "HP EVA VSS HW Provider"
    provider_id: str = EVA_PROVIDER_ID
    default_type: str = "snapclone"  # "Default" replica type of the provider's configuration
    vsnap: bool = False  # differential requests make vsnaps (configured in the provider)
    commit_seconds: float = 1.0  # "should take under 1 s" (CommitSnapshots guidance)

    provider_type = "Hardware"  # both HP providers are hardware providers (VSS_PROV_HARDWARE)
    version = HP_PROVIDER_VERSION

    @staticmethod
    def _eva(world: Any, array: str) -> Any:
        from apprm_ref.sim.eva.backend import EvaBackend

        return array_of(world, array, EvaBackend)

    def are_luns_supported(self, world: Any, luns: tuple[Lun, ...], context: int) -> bool:
        if not hardware_context(context) or not luns:
            return False
        return all(self._eva(world, lun.array) is not None for lun in luns)

    def replica_kind(self, context: int) -> str:
        if context & Attr.PLEX:
            return "snapclone"
        if context & Attr.DIFFERENTIAL:
            return "vsnap" if self.vsnap else "snapshot"
        return self.default_type

    def begin_prepare(self, world: Any, lun: Lun, context: int) -> float:
        return float(world.now())

    def commit(self, world: Any, luns: tuple[Lun, ...], context: int) -> list[Target]:
        from apprm_ref.sim.eva.models import VdiskKind
        from apprm_ref.sim.eva.replicas import TargetSpec

        kind = self.replica_kind(context)
        by_array: dict[str, list[Lun]] = {}
        for lun in luns:
            by_array.setdefault(lun.array, []).append(lun)
        made: list[Target] = []
        for array in sorted(by_array):
            specs = [TargetSpec(lun.volume, VdiskKind(kind)) for lun in by_array[array]]
            try:
                vdisks = self._eva(world, array).create_targets(specs)
            except EvaError as exc:
                self.abort(world, made)
                refuse("VSS_E_PROVIDER_VETO", f"{self.name}: {array}: {exc}")
            made += [
                Target(lun, array, v.id, kind)
                for lun, v in zip(by_array[array], vdisks, strict=True)
            ]
        return made

    def abort(self, world: Any, targets: list[Target]) -> None:
        for t in reversed(targets):
            self._eva(world, t.array).delete_vdisk(t.volume)

    def locate_luns(self, world: Any, targets: list[Target], host: str) -> None:
        for t in targets:
            self._eva(world, t.array).present(t.volume, host)

    def unlocate(self, world: Any, targets: list[Target], host: str) -> None:
        for t in targets:
            eva = self._eva(world, t.array)
            if host in eva.vdisk(t.volume).presentations:
                eva.unpresent(t.volume, host)

    def on_lun_empty(self, world: Any, target: Target) -> None:
        eva = self._eva(world, target.array)
        for host in sorted(eva.vdisk(target.volume).presentations):
            eva.unpresent(target.volume, host)
        try:
            eva.delete_vdisk(target.volume)
        except EvaError as exc:
            refuse("VSS_E_PROVIDER_VETO", f"{self.name}: {target.volume}: {exc}")
