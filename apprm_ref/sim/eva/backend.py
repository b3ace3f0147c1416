"""EVA simulator backend: all state and every array rule (arrays.md 2.2) in one place.

Doors (``driver.py``, ``smis.py``) only translate. Every operation validates first and
mutates after, so a refusal (an :class:`~apprm_ref.errors.EvaError` with the code from
``errors.py``) leaves the array unchanged. Replica creation and IR live in ``replicas.py``,
presentation and DR groups in ``presentation.py``, invariants in ``invariants.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import EvaError
from apprm_ref.persist import persistable
from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.invariants import eva_problems
from apprm_ref.sim.eva.models import (
    DiskGroup,
    DrGroup,
    Vdisk,
    VdiskKind,
    VdiskState,
    Vraid,
    make_wwn,
    raw_extents,
)
from apprm_ref.sim.eva.presentation import PresentationOps
from apprm_ref.sim.eva.replicas import ReplicaOps
from apprm_ref.sim.eva.timing import EvaTiming
from apprm_ref.sim.storage import DEFAULT_EXTENT_BYTES, TIB, VolumeData

DEFAULT_MAX_VDISKS = 2048  # (inferred) XCS 6.x virtual disk limit per array


@persistable("eva.Backend")
@dataclass(eq=False)
class EvaBackend(ReplicaOps, PresentationOps):
    name: str
    model: str = "EVA8100"
    max_vdisks: int = DEFAULT_MAX_VDISKS
    max_vdisk_bytes: int = 2 * TIB  # largest vdisk of the snapshot-estimator era (2.1)
    timing: EvaTiming = field(default_factory=EvaTiming)
    disk_groups: dict[str, DiskGroup] = field(default_factory=dict)
    vdisks: dict[str, Vdisk] = field(default_factory=dict)
    dr_groups: dict[str, DrGroup] = field(default_factory=dict)
    next_id: int = 1
    world: Any = field(default=None, metadata={"transient": True}, repr=False)
    _lineage: dict[str, list[str]] | None = field(
        default=None, metadata={"transient": True}, repr=False
    )  # source id -> target ids; a cache rebuilt after any vdisk is added, removed or re-pointed

    kind = "eva"

    def attach(self, world: Any) -> None:
        """Join ``world`` and re-schedule every background copy from its stored done_at."""
        self.world = world
        for vid in sorted(self.vdisks):
            if self.vdisks[vid].copy is not None:
                self._schedule(self.vdisks[vid])

    # --- configuration ---------------------------------------------------------------

    def add_disk_group(
        self, name: str, capacity_bytes: int, *, extent_bytes: int = DEFAULT_EXTENT_BYTES
    ) -> DiskGroup:
        """A disk group of ``capacity_bytes`` raw capacity."""
        if name in self.disk_groups:
            refuse("EVA_NAME_IN_USE", f"disk group {name} exists")
        if capacity_bytes <= 0 or extent_bytes <= 0:
            refuse("EVA_INVALID_PARAMETER", "disk group capacity must be positive")
        group = DiskGroup(name, capacity_bytes // extent_bytes, extent_bytes)
        self.disk_groups[name] = group
        return group

    def create_vdisk(
        self,
        name: str,
        size_bytes: int,
        disk_group: str,
        vraid: Vraid | str = Vraid.VRAID5,
    ) -> Vdisk:
        """An ordinary (source) vdisk, fully allocated in ``disk_group``."""
        group = self.disk_group(disk_group)
        vraid = self._vraid(vraid)
        if size_bytes <= 0 or size_bytes > self.max_vdisk_bytes:
            refuse(
                "EVA_INVALID_PARAMETER",
                f"vdisk size {size_bytes} outside 1..{self.max_vdisk_bytes}",
            )
        if size_bytes % group.extent_bytes:
            refuse("EVA_INVALID_PARAMETER", f"size is not a multiple of {group.extent_bytes} bytes")
        self._check_name(name)
        self._check_count(1)
        extents = size_bytes // group.extent_bytes
        self._check_space(group.name, raw_extents(extents, vraid))
        self.world.faults.check("eva.create", EvaError, name=name, kind="original")
        v = Vdisk(
            id=self._new_id(),
            name=name,
            wwn="",
            disk_group=group.name,
            vraid=vraid,
            data=VolumeData(extents, group.extent_bytes),
            created_at=self.world.now(),
        )
        v.wwn = make_wwn(self.name, v.id)
        self.vdisks[v.id] = v
        self._lineage = None
        self.world.emit("eva.create", array=self.name, volume=v.id, vtype="original")
        return v

    # --- lookups ---------------------------------------------------------------------

    def vdisk(self, volume: str) -> Vdisk:
        v = self.vdisks.get(volume)
        if v is None:
            refuse("EVA_NO_SUCH_OBJECT", f"no vdisk {volume} on {self.name}")
        return v

    def by_wwn(self, wwn: str) -> Vdisk:
        for vid in sorted(self.vdisks):
            if self.vdisks[vid].wwn == wwn:
                return self.vdisks[vid]
        refuse("EVA_NO_SUCH_OBJECT", f"no vdisk with WWN {wwn} on {self.name}")

    def disk_group(self, name: str) -> DiskGroup:
        g = self.disk_groups.get(name)
        if g is None:
            refuse("EVA_NO_SUCH_OBJECT", f"no disk group {name} on {self.name}")
        return g

    def targets_of(self, source: str) -> list[Vdisk]:
        """Every target whose lineage is ``source`` (snapshots, vsnaps, snapclones)."""
        if self._lineage is None:
            index: dict[str, list[str]] = {}
            for k in sorted(self.vdisks):
                src = self.vdisks[k].source
                if src is not None:
                    index.setdefault(src, []).append(k)
            self._lineage = index
        return [self.vdisks[k] for k in self._lineage.get(source, ())]

    def snapshots_of(self, source: str) -> list[Vdisk]:
        """Dependent snapshots and vsnaps of ``source`` (not the invalid ones)."""
        return [
            t
            for t in self.targets_of(source)
            if t.kind.is_snapshot and t.state != VdiskState.INVALID
        ]

    def clone_in_progress(self, source: str) -> bool:
        return any(t.normalizing for t in self.targets_of(source))

    def frozen(self, origin: str) -> bool:
        """Rule E11: writes stop while a vsnap of ``origin`` has failed for lack of space."""
        return any(t.state == VdiskState.FAILED for t in self.targets_of(origin))

    def used_raw(self, group: str) -> int:
        return sum(v.allocated_raw() for v in self.vdisks.values() if v.disk_group == group)

    def free_raw(self, group: str) -> int:
        return self.disk_group(group).capacity_extents - self.used_raw(group)

    # --- delete ----------------------------------------------------------------------

    def delete_vdisk(self, volume: str) -> None:
        """Delete a vdisk; dependent snapshots of a deleted source become INVALID (E13)."""
        self.settle()
        v = self.vdisk(volume)
        if v.presentations:
            refuse("EVA_VDISK_PRESENTED", f"{volume} is presented to {sorted(v.presentations)}")
        if self.clone_in_progress(volume):
            refuse("EVA_UNSHARING", f"{volume} has a snapclone that is still unsharing")
        if v.restoring or any(
            t.copy and t.copy.peer == volume for t in self.vdisks.values() if t.restoring
        ):
            refuse("EVA_RESTORE_IN_PROGRESS", f"{volume} takes part in a running copy-back")
        self.world.faults.check("eva.delete", EvaError, volume=volume, kind=v.kind.value)
        self._remove(v)

    def _remove(self, v: Vdisk) -> None:
        for t in self.snapshots_of(v.id):
            t.state = VdiskState.INVALID
            self.world.emit("eva.invalid", array=self.name, volume=t.id, source=v.id)
        for g in self.dr_groups.values():
            if v.id in g.members:
                g.members.remove(v.id)
        del self.vdisks[v.id]
        self._lineage = None
        self.world.emit("eva.delete", array=self.name, volume=v.id, vtype=v.kind.value)

    # --- BlockStore: what the hosts see ------------------------------------------------

    def volume_wwn(self, volume: str) -> str:
        return self.vdisk(volume).wwn

    def volume_extents(self, volume: str) -> int:
        return self.vdisk(volume).size_extents

    def block_read(self, volume: str, extent: int) -> Any:
        v = self._usable(volume)
        try:
            return v.data.read(extent)
        except IndexError as exc:
            refuse("EVA_INVALID_PARAMETER", str(exc))

    def block_write(self, volume: str, items: dict[int, Any], *, host: str = "") -> None:
        """Write extents; vsnaps allocate space copy-on-write; a full disk group freezes the
        source and fails its vsnaps (E11) and the write is refused, never silently lost."""
        v = self._usable(volume)
        if host and host not in v.presentations:
            refuse("EVA_NOT_PRESENTED", f"{volume} is not presented to {host}")
        if v.read_only:
            refuse("EVA_CA_DESTINATION", f"{volume} is a CA destination vdisk")
        bad = [e for e in items if not 0 <= e < v.size_extents]
        if bad:
            refuse("EVA_INVALID_PARAMETER", f"extent {bad[0]} outside {volume}")
        origin = v.source if v.kind.is_snapshot else v.id
        if origin is not None and self.frozen(origin):
            refuse("EVA_WRITE_FROZEN", f"writes to {volume} stopped: disk group full (vsnaps)")
        needs = self._cow_needs(v, sorted(items))
        need_raw = sum(raw_extents(len(e), self.vdisks[k].vraid) for k, e in needs.items())
        if need_raw and need_raw > self.free_raw(v.disk_group):
            self._exhaust(origin or v.id, v.disk_group)
            refuse(
                "EVA_WRITE_FROZEN", f"disk group {v.disk_group} is full; writes to {volume} stopped"
            )
        v.data.write_many(items)
        for vid, extents in needs.items():
            self.vdisks[vid].cow.update(dict.fromkeys(extents, True))
        if v.is_target:
            v.host_written = True

    def _usable(self, volume: str) -> Vdisk:
        v = self.vdisk(volume)
        if v.state == VdiskState.FAILED:
            refuse("EVA_SNAPSHOT_FAILED", f"{volume} failed: disk group space exhausted")
        if v.state == VdiskState.INVALID:
            refuse("EVA_SNAPSHOT_INVALID", f"{volume} is invalid: its source is gone")
        return v

    def _cow_needs(self, v: Vdisk, extents: list[int]) -> dict[str, list[int]]:
        """Extents each vsnap must newly allocate if ``extents`` of ``v`` change."""
        if v.kind == VdiskKind.VSNAP:
            vsnaps = [v]
        elif v.kind == VdiskKind.SNAPSHOT:
            vsnaps = []
        else:
            vsnaps = [t for t in self.snapshots_of(v.id) if t.kind == VdiskKind.VSNAP]
        out: dict[str, list[int]] = {}
        for s in vsnaps:
            new = [e for e in extents if e not in s.cow]
            if new:
                out[s.id] = new
        return out

    def _exhaust(self, origin: str, group: str) -> None:
        """Disk group out of space: every vsnap of ``origin`` fails (E11, F5)."""
        for t in self.snapshots_of(origin):
            if t.kind == VdiskKind.VSNAP:
                t.state = VdiskState.FAILED
                self.world.emit("eva.vsnap_failed", array=self.name, volume=t.id, source=origin)
        self.world.emit("eva.disk_group_full", array=self.name, group=group)

    # --- helpers ---------------------------------------------------------------------

    def _new_id(self) -> str:
        vid = f"vd{self.next_id:04d}"
        self.next_id += 1
        return vid

    @staticmethod
    def _vraid(value: Vraid | str) -> Vraid:
        try:
            return Vraid(value)
        except ValueError:
            refuse("EVA_INVALID_PARAMETER", f"unknown Vraid {value!r}")

    def _check_name(self, name: str, pending: tuple[str, ...] = ()) -> None:
        if not name or any(v.name == name for v in self.vdisks.values()) or name in pending:
            refuse("EVA_NAME_IN_USE", f"vdisk name {name!r} is empty or in use")

    def _check_count(self, new: int) -> None:
        if len(self.vdisks) + new > self.max_vdisks:
            refuse("EVA_VDISK_LIMIT", f"{self.name} would exceed {self.max_vdisks} vdisks")

    def _check_space(self, group: str, raw: int) -> None:
        free = self.free_raw(group)
        if raw > free:
            refuse("EVA_INSUFFICIENT_SPACE", f"disk group {group}: need {raw}, free {free} extents")

    def check_invariants(self) -> list[str]:
        return eva_problems(self)
