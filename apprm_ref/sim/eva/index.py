"""Derived lookups of one EVA, so a host write or a replica command costs O(its own vdisks),
not O(every vdisk on the array).

Never saved: :class:`EvaIndex` is rebuilt from the vdisks on first use (after a load, or
when a backend was made without one) and then kept in step by the backend at every
mutation. ``problems`` compares it with a fresh rebuild, so ``check_invariants`` catches
any mutation that forgot to update it.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Mapping
from dataclasses import dataclass, field

from apprm_ref.sim.eva.models import Vdisk, VdiskKind, VdiskState


@dataclass
class EvaIndex:
    lineage: dict[str, list[str]] = field(default_factory=dict)  # source -> target ids, sorted
    used: dict[str, int] = field(default_factory=dict)  # disk group -> allocated raw extents
    names: dict[str, int] = field(default_factory=dict)  # vdisk name -> how many carry it
    luns: dict[str, dict[str, int]] = field(default_factory=dict)  # host -> vdisk id -> LUN
    copying: dict[str, None] = field(default_factory=dict)  # ids with a background copy
    # the write path's lookups, per origin: its targets as vdisks (materialized on first
    # write), and extents every live vsnap of it has allocated (a write there needs no
    # copy-on-write); both dropped whenever the origin's lineage changes
    family: dict[str, tuple[Vdisk, ...]] = field(default_factory=dict, compare=False)
    covered: dict[str, dict[int, None]] = field(default_factory=dict, compare=False)

    @classmethod
    def build(cls, vdisks: Mapping[str, Vdisk]) -> EvaIndex:
        ix = cls()
        for vid in sorted(vdisks):
            ix.add(vdisks[vid])
        return ix

    # --- whole vdisks ------------------------------------------------------------------

    def add(self, v: Vdisk) -> None:
        if v.source is not None:
            self._link(v.source, v.id)
        self.used[v.disk_group] = self.used.get(v.disk_group, 0) + v.allocated_raw()
        self.rename(v, None, v.name)
        self.present(v)
        if v.copy is not None:
            self.copying[v.id] = None

    def remove(self, v: Vdisk) -> None:
        if v.source is not None:
            self._unlink(v.source, v.id)
        self.family.pop(v.id, None)
        self.covered.pop(v.id, None)
        self.used[v.disk_group] -= v.allocated_raw()
        self.rename(v, v.name, None)
        self.unpresent(v)
        self.copying.pop(v.id, None)

    # --- single attributes -------------------------------------------------------------

    def repoint(self, v: Vdisk, source: str | None) -> None:
        """``v.source`` is about to become ``source``."""
        if v.source is not None:
            self._unlink(v.source, v.id)
        if source is not None:
            self._link(source, v.id)

    def rename(self, v: Vdisk, old: str | None, new: str | None) -> None:
        if old is not None:
            left = self.names[old] - 1
            if left:
                self.names[old] = left
            else:
                del self.names[old]
        if new is not None:
            self.names[new] = self.names.get(new, 0) + 1

    def present(self, v: Vdisk) -> None:
        """Record every presentation ``v`` has now."""
        for host, lun in v.presentations.items():
            self.luns.setdefault(host, {})[v.id] = lun

    def unpresent(self, v: Vdisk, hosts: list[str] | None = None) -> None:
        """Forget the presentations of ``v`` (to ``hosts``, default all it has now)."""
        for host in v.presentations if hosts is None else hosts:
            mine = self.luns.get(host)
            if mine is not None and mine.pop(v.id, None) is not None and not mine:
                del self.luns[host]

    def copy_changed(self, v: Vdisk) -> None:
        if v.copy is None:
            self.copying.pop(v.id, None)
        else:
            self.copying[v.id] = None

    def _link(self, source: str, vid: str) -> None:
        insort(self.lineage.setdefault(source, []), vid)
        self.family.pop(source, None)
        self.covered.pop(source, None)  # a new vsnap has allocated nothing yet

    def _unlink(self, source: str, vid: str) -> None:
        self.family.pop(source, None)
        self.covered.pop(source, None)
        ids = self.lineage[source]
        ids.remove(vid)
        if not ids:
            del self.lineage[source]

    # --- the host-write path -----------------------------------------------------------

    def targets(self, source: str, vdisks: Mapping[str, Vdisk]) -> tuple[Vdisk, ...]:
        """The targets of ``source`` (by id), kept as vdisks until its lineage changes."""
        found = self.family.get(source)
        if found is None:
            found = self.family[source] = tuple(vdisks[k] for k in self.lineage.get(source, ()))
        return found

    # --- verification ------------------------------------------------------------------

    def problems(self, vdisks: Mapping[str, Vdisk]) -> list[str]:
        """Where this index differs from a rebuild from ``vdisks``."""
        fresh = EvaIndex.build(vdisks)
        out = self._write_path_problems(vdisks)
        if self.lineage != fresh.lineage:
            out.append("index: the lineage index differs from the vdisks' sources")
        if _nonzero(self.used) != _nonzero(fresh.used):
            out.append(f"index: allocated space {self.used} differs from the vdisks' {fresh.used}")
        if self.names != fresh.names:
            out.append("index: the name index differs from the vdisks' names")
        if self.luns != fresh.luns:
            out.append("index: the LUN index differs from the vdisks' presentations")
        if sorted(self.copying) != sorted(fresh.copying):
            out.append("index: the background-copy index differs from the vdisks' copies")
        return out

    def _write_path_problems(self, vdisks: Mapping[str, Vdisk]) -> list[str]:
        out = []
        for source, kept in sorted(self.family.items()):
            ids = [v.id for v in kept]
            if ids != self.lineage.get(source, []) or any(vdisks.get(v.id) is not v for v in kept):
                out.append(f"index: the kept targets of {source} differ from its lineage")
        for source, extents in sorted(self.covered.items()):
            for k in self.lineage.get(source, ()):
                t = vdisks.get(k)
                live = t is not None and t.kind == VdiskKind.VSNAP and t.state != VdiskState.INVALID
                if live and any(e not in t.cow for e in extents):  # type: ignore[union-attr]
                    out.append(f"index: {k} lacks extents kept as covered for {source}")
        return out


def _nonzero(d: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in d.items() if v}
