"""Domain records the IDB stores and returns (never ORM rows)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.frozen_init import fast_init
from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef


@fast_init
@dataclass(frozen=True)
class MountLayout:
    """How one replicated unit was used on the application system at backup time.

    The names are LVM's; another storage stack maps its own onto them (``vg`` = unit,
    ``vg_uuid`` = its identity, ``lv`` = the volume in it: see ``drivers.host.StackLayout``).
    """

    host: str
    vg: str
    vg_uuid: str
    lv: str
    mount_point: str
    volumes: tuple[VolumeRef, ...]


class ReplicaStatus:
    ACTIVE = "active"  # in the replica set
    PURGE = "purge"  # rotated out but not deletable yet (ARR-P13)
    CONSUMED = "consumed"  # used up by an instant recovery
    INVALID = "invalid"  # its targets failed on the array (EVA disk group full): not restorable
    DELETED = "deleted"
    # still on the array, so listed, reconciled and deleted with the spec
    LIVE = (ACTIVE, PURGE, INVALID)


@dataclass
class ReplicaRecord:
    id: str  # "<spec>#<n>"
    spec: str
    session_id: str
    array: str
    created_at: float  # simulated seconds: the point in time of the replica
    replica_type: ReplicaType
    targets: list[TargetVolume]
    layout: list[MountLayout]
    tracked: bool  # IR-capable (ARR-I15)
    status: str = ReplicaStatus.ACTIVE
    sequence: int = 0  # creation order within the spec
    mu: int | None = None  # XP mirror unit
    details: dict[str, Any] = field(default_factory=dict)  # app/array specifics (JSON-able)

    @property
    def sources(self) -> list[VolumeRef]:
        return [t.source for t in self.targets]


@dataclass
class AppConfig:
    """An application integration's configuration (``apprm oracle config`` ...)."""

    kind: str  # oracle | sap | vss
    name: str  # SID / DBSID / application name
    host: str
    data: dict[str, Any] = field(default_factory=dict)  # never holds a clear-text password
