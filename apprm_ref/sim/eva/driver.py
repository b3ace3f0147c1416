"""Protocol door of the EVA simulator (``sim-eva``): translates, keeps no state of its own.

Implements :class:`apprm_ref.drivers.array.SnapshotArray`. State changes happen at the
call; ``Op.done_at`` adds the latencies of ``timing.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apprm_ref.drivers.array import CopyState, PoolInfo, ReplicaRequest, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.models import SNAPSHOT_LIMITS, Vdisk, VdiskKind, object_id
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.fault_sites import SLOW_REPLY_S
from apprm_ref.types import Op, ReplicaType, TargetVolume, VolumeRef

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.world import World

KIND_OF_TYPE = {
    ReplicaType.SNAPSHOT: VdiskKind.SNAPSHOT,
    ReplicaType.VSNAP: VdiskKind.VSNAP,
    ReplicaType.SNAPCLONE: VdiskKind.SNAPCLONE,
}
TYPE_OF_KIND = {v: k for k, v in KIND_OF_TYPE.items()}

FEATURES = frozenset(
    {"snapshot", "vsnap", "snapclone", "switch", "copy-back", "retain-source", "ca-eva", "present"}
)


class EvaDriver:
    def __init__(self, world: World, array_name: str) -> None:
        self.world = world
        self.name = array_name
        self.backend: EvaBackend = world.array(array_name)

    def _op(self, result, seconds: float):  # type: ignore[no-untyped-def]
        """The command's reply, late when a slow SMI-S reply fires (never past the timeout)."""
        slow = self.world.faults.delay("eva.reply_slow", SLOW_REPLY_S, array=self.name)
        return Op(result, self.world.now() + seconds + slow)

    def capabilities(self) -> Capabilities:
        b = self.backend
        return Capabilities(
            "snapshot-array",
            vendor="HP",
            model=b.model,
            features=FEATURES,
            limits={
                "max_vdisks": b.max_vdisks,
                "max_snapshots_per_source": SNAPSHOT_LIMITS[0][1],
                "min_snapshots_per_source": SNAPSHOT_LIMITS[-1][1],
                "max_vdisk_bytes": b.max_vdisk_bytes,
            },
        )

    # --- inventory ---------------------------------------------------------------------

    def _info(self, v: Vdisk) -> VolumeInfo:
        """Asked for every target of a source by each session's checks: the usual case (an
        unpresented vdisk outside any DR group) skips the sorting and joining."""
        b = self.backend
        group = b.dr_group_of(v.id) if b.dr_groups else None
        hosts = v.presentations
        kind = v.kind
        return VolumeInfo(
            ref=VolumeRef(self.name, v.id),
            wwn=v.wwn,
            size_bytes=v.data.size_bytes,
            pool=v.disk_group,
            raid=str(v.vraid),  # a StrEnum's str is its value (without the property's calls)
            role="source" if kind == VdiskKind.ORIGINAL else "target",
            replica_type=TYPE_OF_KIND.get(kind),
            source=VolumeRef(self.name, v.source) if v.source else None,
            presented_to=tuple(sorted(hosts)) if hosts else (),
            state=str(v.state),
            details={
                "name": v.name,
                "created_at": repr(v.created_at),
                "dr_group": group.name if group else "",
                "luns": ",".join(f"{h}={n}" for h, n in sorted(hosts.items())) if hosts else "",
            },
        )

    def list_volumes(self) -> list[VolumeInfo]:
        self.backend.settle()
        return [self._info(self.backend.vdisks[k]) for k in sorted(self.backend.vdisks)]

    def volume_info(self, volume: str) -> VolumeInfo:
        self.backend.settle()
        return self._info(self.backend.vdisk(volume))

    def volumes_info(self, volumes: Sequence[str]) -> dict[str, VolumeInfo]:
        self.world.faults.check("eva.query", EvaError, array=self.name)
        self.backend.settle()
        vdisks = self.backend.vdisks
        return {vid: self._info(vdisks[vid]) for vid in volumes if vid in vdisks}

    def volume_by_wwn(self, wwn: str) -> VolumeInfo:
        return self._info(self.backend.by_wwn(wwn))

    def target_identities(self, volumes: Sequence[str]) -> dict[str, dict[str, str]]:
        """WWN, SMI-S object id and creation instant of each vdisk asked about (REL-I6)."""
        vdisks = self.backend.vdisks
        return {
            vid: {
                "wwn": vdisks[vid].wwn,
                "object_id": object_id(self.name, vid),
                "created_at": repr(vdisks[vid].created_at),
            }
            for vid in volumes
            if vid in vdisks
        }

    def targets_of(self, source: str) -> list[VolumeInfo]:
        self.backend.settle()
        self.backend.vdisk(source)
        return [self._info(t) for t in self.backend.targets_of(source)]

    def pools(self) -> list[PoolInfo]:
        b = self.backend
        return [
            PoolInfo(
                g.name, g.capacity_extents * g.extent_bytes, b.free_raw(g.name) * g.extent_bytes
            )
            for g in (b.disk_groups[k] for k in sorted(b.disk_groups))
        ]

    def snapshot_limit(self, source: str) -> int:
        from apprm_ref.sim.eva.models import snapshot_limit

        return snapshot_limit(self.backend.vdisk(source).size_bytes)

    def copy_state(self, target: str) -> CopyState:
        self.backend.settle()
        v = self.backend.vdisk(target)
        if v.copy is None:
            return CopyState(False, None, 1.0)
        return CopyState(True, v.copy.done_at, v.copy.fraction(self.world.now()))

    def dr_group_state(self, volume: str) -> str | None:
        self.backend.vdisk(volume)
        group = self.backend.dr_group_of(volume)
        return group.state.value if group else None

    # --- presentation --------------------------------------------------------------------

    def present(self, volume: str, host: str, lun: int | None = None) -> Op[int]:
        lun_no = self.backend.present(volume, host, lun)
        if self.world.faults.fires("eva.present_reply_lost", volume=volume):
            raise self._lost(volume)
        return self._op(lun_no, self.backend.timing.present_s)

    def unpresent(self, volume: str, host: str) -> Op[None]:
        self.backend.unpresent(volume, host)
        return self._op(None, self.backend.timing.present_s)

    # --- replicas ------------------------------------------------------------------------

    def create_replicas(self, requests: Sequence[ReplicaRequest]) -> Op[list[TargetVolume]]:
        specs = []
        for r in requests:
            kind = KIND_OF_TYPE.get(ReplicaType(r.replica_type))
            if kind is None:
                refuse("EVA_INVALID_PARAMETER", f"an EVA cannot make {r.replica_type} replicas")
            specs.append(TargetSpec(r.source, kind, r.name, r.raid, r.pool))  # type: ignore[arg-type]
        made = self.backend.create_targets(specs)
        out = [
            TargetVolume(
                VolumeRef(self.name, t.source or ""),
                VolumeRef(self.name, t.id),
                TYPE_OF_KIND[t.kind],
                {"wwn": t.wwn, "name": t.name, "disk_group": t.disk_group, "vraid": t.vraid.value},
            )
            for t in made
        ]
        return self._op(out, self.backend.timing.create_s([t.kind.value for t in made]))

    def delete_volume(self, volume: str) -> Op[None]:
        self.backend.delete_vdisk(volume)
        if self.world.faults.fires("eva.delete_reply_lost", volume=volume):
            raise self._lost(volume)
        return self._op(None, self.backend.timing.delete_s)

    def _lost(self, volume: str) -> EvaError:
        """A lost reply: the array did it, the caller sees the SMI-S call fail."""
        return EvaError(f"no reply from {self.name} for {volume}", code="CIM_ERR_FAILED")

    def restore_switch(self, source: str, target: str, *, retain_source: bool = False) -> Op[str]:
        recovered = self.backend.restore_switch(source, target, retain_source=retain_source)
        return self._op(recovered, self.backend.timing.switch_s)

    def restore_copy_back(self, target: str, source: str, *, keep: bool = True) -> Op[None]:
        """The source reads the replica at once; ``copy_state(source)`` shows the background
        copy, whose end (when a replica without ``keep`` is deleted) is its ``done_at``."""
        self.backend.restore_copy_back(target, source, keep=keep)
        return self._op(None, self.backend.timing.copy_back_start_s)
