"""Replica creation (snapshot, vsnap, snapclone), background copies and instant recovery.

A request batch is validated as a whole (rules E1-E10, counting the batch's own targets)
and only then created, all at one instant: all or nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from apprm_ref.errors import EvaError
from apprm_ref.frozen_init import fast_init
from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.models import (
    BackgroundCopy,
    Vdisk,
    VdiskKind,
    VdiskState,
    Vraid,
    make_wwn,
    raw_extents,
    snapshot_limit,
)

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend


@fast_init
@dataclass(frozen=True)
class TargetSpec:
    """One target to create: kind, source, and for snapclones optional Vraid/disk group."""

    source: str
    kind: VdiskKind
    name: str = ""
    vraid: Vraid | None = None  # None = the source's
    disk_group: str | None = None  # None = the source's


@dataclass
class _Pending:
    """Targets already accepted earlier in the same batch."""

    snaps: dict[str, list[tuple[VdiskKind, Vraid]]]
    clones: Counter[str]
    raw: Counter[str]
    names: list[str]


class ReplicaOps:
    """Mixin of :class:`EvaBackend`: create replicas, normalize, restore."""

    def create_targets(self: EvaBackend, specs: list[TargetSpec]) -> list[Vdisk]:
        """Create every target at this instant, or none (refusal leaves the array unchanged)."""
        self.settle()
        pend = _Pending({}, Counter(), Counter(), [])
        plans = [self._plan_target(s, pend) for s in specs]
        self._check_count(len(plans))
        for s in specs:
            self.world.faults.check("eva.create", EvaError, source=s.source, kind=s.kind.value)
        return [self._make_target(s, name, group, vraid) for s, name, group, vraid in plans]

    def _plan_target(
        self: EvaBackend, s: TargetSpec, pend: _Pending
    ) -> tuple[TargetSpec, str, str, Vraid]:
        src = self.vdisk(s.source)
        if src.kind.is_snapshot:
            refuse(
                "EVA_SOURCE_IS_SNAPSHOT", f"{src.id} is a {src.kind.value}; it cannot be replicated"
            )
        if src.normalizing or src.restoring:
            refuse("EVA_SOURCE_NORMALIZING", f"{src.id} is normalizing or being restored")
        if self.clone_in_progress(src.id) or pend.clones[src.id]:
            refuse("EVA_CLONE_IN_PROGRESS", f"a snapclone of {src.id} is still normalizing")
        vraid = src.vraid if s.vraid is None else self._vraid(s.vraid)
        group = s.disk_group or src.disk_group
        self.disk_group(group)
        if s.kind == VdiskKind.SNAPCLONE:
            if self.snapshots_of(src.id) or pend.snaps.get(src.id):
                refuse("EVA_HAS_SNAPSHOTS", f"{src.id} has snapshots; delete them first")
            raw = raw_extents(src.size_extents, vraid)
            pend.clones[src.id] += 1
        elif s.kind.is_snapshot:
            raw = self._plan_snapshot(src, s.kind, group, vraid, pend)
        else:
            refuse("EVA_INVALID_PARAMETER", f"cannot create a target of kind {s.kind}")
        if raw > self.free_raw(group) - pend.raw[group]:
            refuse("EVA_INSUFFICIENT_SPACE", f"disk group {group} lacks {raw} free extents")
        name = s.name or f"{src.name}_{s.kind.value}_{self.next_id + len(pend.names)}"
        self._check_name(name, tuple(pend.names))
        pend.raw[group] += raw
        pend.names.append(name)
        return s, name, group, vraid

    def _plan_snapshot(
        self: EvaBackend, src: Vdisk, kind: VdiskKind, group: str, vraid: Vraid, pend: _Pending
    ) -> int:
        if group != src.disk_group:
            refuse("EVA_DIFFERENT_DISK_GROUP", f"snapshots of {src.id} must be in {src.disk_group}")
        if vraid.rank > src.vraid.rank:
            refuse("EVA_VRAID_TOO_HIGH", f"{vraid.value} is above the source's {src.vraid.value}")
        existing = [(t.kind, t.vraid) for t in self.snapshots_of(src.id)]
        existing += pend.snaps.get(src.id, [])
        if any(k != kind or r != vraid for k, r in existing):
            refuse(
                "EVA_SNAPSHOT_MISMATCH",
                f"snapshots of {src.id} must all be {existing[0][0].value}/{existing[0][1].value}",
            )
        limit = snapshot_limit(src.size_bytes)
        if len(existing) + 1 > limit:
            refuse(
                "EVA_SNAPSHOT_LIMIT", f"{src.id} already has {len(existing)} of {limit} snapshots"
            )
        pend.snaps.setdefault(src.id, []).append((kind, vraid))
        return raw_extents(src.size_extents, vraid) if kind == VdiskKind.SNAPSHOT else 0

    def _make_target(self: EvaBackend, s: TargetSpec, name: str, group: str, vraid: Vraid) -> Vdisk:
        src = self.vdisks[s.source]
        now = self.world.now()
        t = Vdisk(
            id=self._new_id(),
            name=name,
            wwn="",
            disk_group=group,
            vraid=vraid,
            data=src.data.point_in_time_copy(),
            kind=s.kind,
            source=src.id,
            created_at=now,
        )
        t.wwn = make_wwn(self.name, t.id)
        if s.kind == VdiskKind.SNAPCLONE:
            rate = self.timing.normalize_bytes_per_s
            t.state = VdiskState.NORMALIZING
            t.copy = BackgroundCopy("normalize", now, rate, t.size_bytes, now + t.size_bytes / rate)
            self._schedule(t)
        ix = self.index()  # built before the new target joins, so it is added once
        self.vdisks[t.id] = t
        ix.add(t)
        self.world.emit(
            "eva.create", array=self.name, volume=t.id, vtype=s.kind.value, source=src.id
        )
        return t

    # --- background copies: one completion event each --------------------------------

    def _schedule(self: EvaBackend, v: Vdisk) -> None:
        assert v.copy is not None
        vid, done_at = v.id, v.copy.done_at
        self.world.call_at(done_at, lambda: self._copy_done(vid, done_at))

    def settle(self: EvaBackend) -> None:
        """Finish copies whose done_at has been reached but whose event has not run yet
        (``world.advance(t)`` stops just before events at exactly ``t``)."""
        now = self.world.now()
        due = [v for v in self._copying() if v.copy.done_at <= now]  # type: ignore[union-attr]
        for v in sorted(due, key=lambda v: (v.copy.done_at, v.id)):  # type: ignore[union-attr]
            self._copy_done(v.id, v.copy.done_at)  # type: ignore[union-attr]

    def _copy_done(self: EvaBackend, vid: str, done_at: float) -> None:
        v = self.vdisks.get(vid)
        if v is None or v.copy is None or v.copy.done_at != done_at:
            return  # deleted or superseded meanwhile
        copy, v.copy = v.copy, None
        self.index().copy_changed(v)
        if copy.kind == "normalize":
            failed = self.world.faults.fires("eva.normalize_fail", array=self.name, volume=vid)
            v.state = VdiskState.FAILED if failed else VdiskState.NORMALIZED
            event = "eva.normalize_failed" if failed else "eva.normalized"
            self.world.emit(event, array=self.name, volume=vid)
            return
        self.world.emit("eva.copy_back_done", array=self.name, volume=vid, replica=copy.peer)
        peer = self.vdisks.get(copy.peer)
        if copy.delete_peer and peer is not None:
            if peer.presentations or self.clone_in_progress(peer.id):
                # presented again or cloned meanwhile: leave it for the orchestrator
                self.world.emit("eva.copy_back_kept", array=self.name, volume=peer.id)
                return
            self._remove(peer)

    # --- instant recovery ------------------------------------------------------------

    def restore_copy_back(
        self: EvaBackend, target: str, source: str, *, keep: bool = True
    ) -> float:
        """Source reads the replica's content at once; the copy finishes at the returned time.
        Without ``keep`` the replica is deleted when the copy completes."""
        self.settle()
        src, tgt = self.vdisk(source), self._usable(target)
        if tgt.source != src.id:
            refuse("EVA_NOT_A_REPLICA", f"{target} is not a replica of {source}")
        if src.restoring or tgt.restoring or tgt.normalizing:
            refuse("EVA_RESTORE_IN_PROGRESS", f"{source} or {target} is busy copying")
        if tgt.size_extents != src.size_extents:
            refuse("EVA_RESTORE_NOT_ALLOWED", f"{target} and {source} differ in size")
        if not keep and tgt.presentations:
            refuse(
                "EVA_VDISK_PRESENTED",
                f"{target} is presented; unpresent it before a copy-back that drops it",
            )
        if self.frozen(src.id):
            refuse("EVA_WRITE_FROZEN", f"writes to {source} are stopped")
        old, new = src.data.written(), tgt.data.written()
        changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
        needs = self._cow_needs(src, changed)
        need_raw = sum(raw_extents(len(e), self.vdisks[k].vraid) for k, e in needs.items())
        self._check_space(src.disk_group, need_raw)
        self.world.faults.check(
            "eva.restore", EvaError, source=source, target=target, method="copy-back"
        )
        self._allocate_cow(needs)
        src.data.replace_content(tgt.data)
        now, rate = self.world.now(), self.timing.copy_back_bytes_per_s
        src.copy = BackgroundCopy(
            "copy-back", now, rate, src.size_bytes, now + src.size_bytes / rate, tgt.id, not keep
        )
        self.index().copy_changed(src)
        self._schedule(src)
        self.world.emit("eva.copy_back", array=self.name, volume=source, replica=target, keep=keep)
        return src.copy.done_at

    def restore_switch(
        self: EvaBackend, source: str, target: str, *, retain_source: bool = False
    ) -> str:
        """Switch of disks: the normalized snapclone ``target`` takes the source's name, WWN and
        LUN presentations; the old source is deleted (or kept unpresented and renamed).
        Returns the id of the recovered volume (the former snapclone's)."""
        self.settle()
        src, tgt = self.vdisk(source), self.vdisk(target)
        self._check_switch(src, tgt, retain_source)
        self.world.faults.check(
            "eva.restore", EvaError, source=source, target=target, method="switch"
        )
        ix = self.index()
        name, wwn, pres = src.name, src.wwn, dict(src.presentations)
        ix.unpresent(src)
        src.presentations.clear()
        for t in self.targets_of(src.id):
            if t.kind == VdiskKind.SNAPCLONE and t is not tgt and not t.normalizing:
                ix.repoint(t, tgt.id)
                t.source = tgt.id  # independent clones stay replicas of the recovered volume
        if retain_source:
            retained = f"{name}_retained_{src.id}"
            ix.rename(src, name, retained)
            src.name, src.wwn = retained, make_wwn(self.name, src.id, self.next_id)
            self.next_id += 1
        else:
            self._remove(src)
        for g in self.dr_groups.values():
            g.members = sorted(tgt.id if m == src.id else m for m in g.members)
        ix.rename(tgt, tgt.name, name)
        tgt.name, tgt.wwn, tgt.presentations = name, wwn, pres
        ix.present(tgt)
        ix.repoint(tgt, None)
        before = tgt.allocated_raw()
        tgt.kind, tgt.source, tgt.state, tgt.host_written = (
            VdiskKind.ORIGINAL,
            None,
            VdiskState.AVAILABLE,
            False,
        )
        ix.used[tgt.disk_group] += tgt.allocated_raw() - before  # a clone and an original alike
        self.world.emit(
            "eva.switch", array=self.name, source=source, volume=tgt.id, retained=retain_source
        )
        return tgt.id

    def _check_switch(self: EvaBackend, src: Vdisk, tgt: Vdisk, retain: bool) -> None:
        if tgt.kind != VdiskKind.SNAPCLONE or tgt.source != src.id:
            refuse("EVA_NOT_A_REPLICA", f"{tgt.id} is not a snapclone of {src.id}")
        if tgt.state != VdiskState.NORMALIZED:
            refuse("EVA_RESTORE_NOT_ALLOWED", f"{tgt.id} is {tgt.state.value}, not normalized")
        if tgt.presentations:
            refuse("EVA_VDISK_PRESENTED", f"{tgt.id} is presented to {sorted(tgt.presentations)}")
        if tgt.size_extents != src.size_extents:
            refuse("EVA_RESTORE_NOT_ALLOWED", f"{tgt.id} and {src.id} differ in size")
        if src.restoring or tgt.restoring:
            refuse("EVA_RESTORE_IN_PROGRESS", f"{src.id} or {tgt.id} is busy copying")
        if not retain and self.clone_in_progress(src.id):
            refuse("EVA_UNSHARING", f"{src.id} has a snapclone still unsharing")
        if not retain and self.snapshots_of(src.id):
            refuse(
                "EVA_RESTORE_NOT_ALLOWED",
                f"{src.id} has dependent snapshots; retain it or delete them",
            )

    def detach_clone(self: EvaBackend, source: str, target: str) -> None:
        """SMI-S Detach/Dissolve of a normalized snapclone: it leaves the source's lineage
        and stays an ordinary independent vdisk (arrays.md 2.3: NORMALIZED = independent)."""
        self.settle()
        src, tgt = self.vdisk(source), self.vdisk(target)
        if tgt.kind != VdiskKind.SNAPCLONE or tgt.source != src.id:
            refuse("EVA_NOT_A_REPLICA", f"{tgt.id} is not a snapclone of {src.id}")
        if tgt.normalizing:
            refuse("EVA_SOURCE_NORMALIZING", f"{tgt.id} is still unsharing")
        if tgt.restoring or src.restoring:
            refuse("EVA_RESTORE_IN_PROGRESS", f"{src.id} or {tgt.id} is busy copying")
        ix = self.index()
        ix.repoint(tgt, None)
        before = tgt.allocated_raw()
        tgt.kind, tgt.source, tgt.state, tgt.host_written = (
            VdiskKind.ORIGINAL,
            None,
            VdiskState.AVAILABLE,
            False,
        )
        ix.used[tgt.disk_group] += tgt.allocated_raw() - before
        self.world.emit("eva.detach", array=self.name, source=source, volume=tgt.id)
