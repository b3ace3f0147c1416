"""EVA simulator backend: all state and every array rule (arrays.md 2.2) in one place.

Doors (``driver.py``, ``smis.py``) only translate. Every operation validates first and
mutates after, so a refusal (an :class:`~apprm_ref.errors.EvaError` with the code from
``errors.py``) leaves the array unchanged. Replica creation and IR live in ``replicas.py``,
presentation and DR groups in ``presentation.py``, invariants in ``invariants.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import EvaError
from apprm_ref.persist import persistable
from apprm_ref.sim import iopath
from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.index import EvaIndex
from apprm_ref.sim.eva.invariants import eva_problems
from apprm_ref.sim.eva.models import (
    VRAID_OVERHEAD,
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
# the members the host-write path compares with, bound once (an Enum class attribute
# lookup costs more than the comparison itself)
_FAILED, _INVALID = VdiskState.FAILED, VdiskState.INVALID
_ORIGINAL, _SNAPSHOT, _VSNAP = VdiskKind.ORIGINAL, VdiskKind.SNAPSHOT, VdiskKind.VSNAP


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
    _ix: EvaIndex | None = field(
        default=None, metadata={"transient": True}, repr=False
    )  # derived lookups (index.py): built on first use, then kept in step by every mutation

    kind = "eva"

    def attach(self, world: Any) -> None:
        """Join ``world`` and re-schedule every background copy from its stored done_at."""
        self.world = world
        self._ix = None
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
        ix = self.index()  # built before the new vdisk joins, so it is added once
        self.vdisks[v.id] = v
        ix.add(v)
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

    def index(self) -> EvaIndex:
        """The derived lookups, rebuilt from the vdisks when missing (after a load)."""
        if self._ix is None:
            self._ix = EvaIndex.build(self.vdisks)
        return self._ix

    def targets_of(self, source: str) -> list[Vdisk]:
        """Every target whose lineage is ``source`` (snapshots, vsnaps, snapclones)."""
        ids = self.index().lineage.get(source)
        return [self.vdisks[k] for k in ids] if ids else []

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
        """Rule E11: writes stop while a vsnap of ``origin`` has failed for lack of space (a
        snapclone whose normalization failed stops nothing: it shares no space)."""
        return any(t.state == _FAILED and t.kind == _VSNAP for t in self.targets_of(origin))

    def used_raw(self, group: str) -> int:
        """Raw extents allocated in ``group`` (rule ARR-I5), kept as a running total by the
        index; ``check_invariants`` recomputes it from the vdisks."""
        return self.index().used.get(group, 0)

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
            t.restoring and t.copy.peer == volume  # type: ignore[union-attr]
            for t in self._copying()
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
        self.index().remove(v)
        del self.vdisks[v.id]
        self.world.emit("eva.delete", array=self.name, volume=v.id, vtype=v.kind.value)

    # --- BlockStore: what the hosts see ------------------------------------------------

    def volume_wwn(self, volume: str) -> str:
        return self.vdisk(volume).wwn

    def volume_extents(self, volume: str) -> int:
        return self.vdisk(volume).size_extents

    def block_read(self, volume: str, extent: int) -> Any:
        v = self.vdisks.get(volume)
        if v is None or v.state == _FAILED or v.state == _INVALID:
            v = self._usable(volume)  # refuses, with the error of the case
        try:
            return v.data.read(extent)
        except IndexError as exc:
            refuse("EVA_INVALID_PARAMETER", str(exc))

    def block_read_run(self, volume: str, start: int, count: int) -> tuple[Any, ...]:
        """``block_read`` of ``count`` extents from ``start``: a read changes nothing, so
        the checks of the first one hold for all."""
        if count <= 0:
            return ()
        v = self.vdisks.get(volume)
        if v is None or v.state == _FAILED or v.state == _INVALID:
            v = self._usable(volume)  # refuses, with the error of the case
        try:
            return v.data.read_run(start, count)
        except IndexError as exc:
            refuse("EVA_INVALID_PARAMETER", str(exc))

    def block_write(self, volume: str, items: dict[int, Any], *, host: str = "") -> None:
        """Write extents; vsnaps allocate space copy-on-write; a full disk group freezes the
        source and fails its vsnaps (E11) and the write is refused, never silently lost.
        Every check is made at every write, in this order; the usual case (a usable vdisk,
        built indexes, extents already covered) costs no call beyond the data update; the
        compiled part (``iopath``) takes that case whole, and copy-on-write where the disk
        group has room, and declines any other unchanged (a full disk group among them)."""
        fast = iopath.COMPILED
        if fast is not None and fast.eva_write(self, volume, items, host):
            return
        v = self.vdisks.get(volume)
        if v is None or v.state == _FAILED or v.state == _INVALID:
            v = self._usable(volume)  # refuses, with the error of the case
        if host and host not in v.presentations:
            refuse("EVA_NOT_PRESENTED", f"{volume} is not presented to {host}")
        if v.read_only:
            refuse("EVA_CA_DESTINATION", f"{volume} is a CA destination vdisk")
        size = v.data.size_extents
        for e in items:
            if not 0 <= e < size:
                refuse("EVA_INVALID_PARAMETER", f"extent {e} outside {volume}")
        ix = self._ix if self._ix is not None else self.index()
        kind = v.kind
        on_origin = kind != _VSNAP and kind != _SNAPSHOT
        origin = v.id if on_origin else v.source
        family = ix.family.get(origin) if origin is not None else ()
        if family is None:
            family = ix.targets(origin, self.vdisks)  # type: ignore[arg-type]
        for t in family:
            if t.state == _FAILED and t.kind == _VSNAP:  # frozen(origin), rule E11
                refuse("EVA_WRITE_FROZEN", f"writes to {volume} stopped: disk group full (vsnaps)")
        if on_origin:
            covered = ix.covered.get(v.id) if family else None
            # the extents no live vsnap holds yet (only their sorted list is used below)
            fresh = items.keys() - covered.keys() if covered is not None else items
            needs = self._new_cow(_live_vsnaps(family), sorted(fresh)) if fresh and family else {}
        else:
            needs = self._new_cow([v], sorted(items)) if kind == _VSNAP else {}
        if needs:
            need_raw = sum(raw_extents(len(e), self.vdisks[k].vraid) for k, e in needs.items())
            if need_raw and need_raw > self.free_raw(v.disk_group):
                self._exhaust(origin or v.id, v.disk_group)
                refuse(
                    "EVA_WRITE_FROZEN",
                    f"disk group {v.disk_group} is full; writes to {volume} stopped",
                )
        v.data.delta.update(items)  # VolumeData.write_many: the extents are checked above
        if needs:
            self._allocate_cow(needs)
        if on_origin and family and (fresh or covered is None):  # all covered: no news
            ix.covered.setdefault(v.id, {}).update(dict.fromkeys(items))
        if kind != _ORIGINAL:
            v.host_written = True

    def _usable(self, volume: str) -> Vdisk:
        v = self.vdisk(volume)
        if v.state == _FAILED:
            refuse("EVA_SNAPSHOT_FAILED", f"{volume} failed: disk group space exhausted")
        if v.state == _INVALID:
            refuse("EVA_SNAPSHOT_INVALID", f"{volume} is invalid: its source is gone")
        return v

    def _write_family(self, v: Vdisk) -> tuple[str | None, list[Vdisk], list[Vdisk]]:
        """For a write to ``v``: its origin, the origin's targets (any failed one freezes
        writes) and the vsnaps that allocate copy-on-write; one lineage lookup per write."""
        kind = v.kind
        if kind == VdiskKind.VSNAP or kind == VdiskKind.SNAPSHOT:
            family = self.targets_of(v.source) if v.source is not None else []
            return v.source, family, [v] if kind == VdiskKind.VSNAP else []
        family = self.targets_of(v.id)
        return v.id, family, _live_vsnaps(family)

    def _cow_needs(self, v: Vdisk, extents: list[int]) -> dict[str, list[int]]:
        """Extents each vsnap must newly allocate if ``extents`` of ``v`` change."""
        return self._new_cow(self._write_family(v)[2], extents)

    @staticmethod
    def _new_cow(vsnaps: list[Vdisk], extents: list[int]) -> dict[str, list[int]]:
        """``extents`` (sorted, distinct: every caller passes sorted dict keys) that each
        vsnap has not allocated yet, in order (compiled: ``iopath``)."""
        fast = iopath.COMPILED
        if fast is not None:
            return fast.new_cow(vsnaps, extents)  # type: ignore[no-any-return]
        out: dict[str, list[int]] = {}
        for s in vsnaps:
            cow = s.cow  # a filter keeps the order: no set to build, nothing to sort again
            new = [e for e in extents if e not in cow] if cow else list(extents)
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

    def _allocate_cow(self, needs: dict[str, list[int]]) -> None:
        """Vsnaps take their new copy-on-write extents; the disk group's total follows."""
        used = self.index().used
        for vid, extents in needs.items():
            s = self.vdisks[vid]
            before = s.allocated_raw()
            s.cow.update(dict.fromkeys(extents, True))
            used[s.disk_group] += s.allocated_raw() - before

    def _copying(self) -> list[Vdisk]:
        """Vdisks with a background copy (unsharing or copy-back), by id."""
        return [self.vdisks[k] for k in sorted(self.index().copying)]

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
        if not name or name in self.index().names or name in pending:
            refuse("EVA_NAME_IN_USE", f"vdisk name {name!r} is empty or in use")

    def _check_count(self, new: int) -> None:
        if len(self.vdisks) + new > self.max_vdisks:
            refuse("EVA_VDISK_LIMIT", f"{self.name} would exceed {self.max_vdisks} vdisks")

    def _check_space(self, group: str, raw: int) -> None:
        free = self.free_raw(group)
        if raw > free:
            refuse("EVA_INSUFFICIENT_SPACE", f"disk group {group}: need {raw}, free {free} extents")

    def check_invariants(self) -> list[str]:
        return eva_problems(self) + self.index().problems(self.vdisks)


def _live_vsnaps(family: Sequence[Vdisk]) -> list[Vdisk]:
    """The vsnaps that allocate copy-on-write when their origin changes."""
    return [t for t in family if t.kind == _VSNAP and t.state != _INVALID]


iopath.configure_eva(_FAILED, _INVALID, _ORIGINAL, _SNAPSHOT, _VSNAP, EvaBackend, VRAID_OVERHEAD)
