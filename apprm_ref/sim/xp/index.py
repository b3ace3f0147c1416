"""Pairs by volume: what a host write asks on every call (which pairs a P-VOL has, which
pair an S-VOL belongs to), answered without scanning or sorting the array's pairs.

Never saved. A pair's volumes, MU and kind never change after creation, so the index is
rebuilt only when a pair is added or removed (the backend drops it there, and after a
load); ``check_invariants`` compares it with a fresh build.
"""

from __future__ import annotations

import heapq
from bisect import insort
from collections.abc import Mapping
from dataclasses import dataclass, field

from apprm_ref.sim.xp.models import HostGroup, Pair


@dataclass
class PairIndex:
    count: int  # len(pairs) when built: a guard against edits that bypass the commands
    by_pvol: dict[str, list[Pair]] = field(default_factory=dict)  # every kind, by MU
    bc_by_pvol: dict[str, list[Pair]] = field(default_factory=dict)  # Business Copy, by MU
    by_svol: dict[str, Pair] = field(default_factory=dict)  # local BC pair of an S-VOL

    @classmethod
    def build(cls, pairs: Mapping[str, Pair]) -> PairIndex:
        ix = cls(len(pairs))
        for key in sorted(pairs):
            pair = pairs[key]
            ix.by_pvol.setdefault(pair.pvol, []).append(pair)
            if pair.kind == "BC":
                ix.bc_by_pvol.setdefault(pair.pvol, []).append(pair)
                ix.by_svol.setdefault(pair.svol, pair)
        for lists in (ix.by_pvol, ix.bc_by_pvol):
            for found in lists.values():
                found.sort(key=lambda p: p.mu)
        return ix

    def same_as(self, other: PairIndex) -> bool:
        def ids(d: Mapping[str, list[Pair]]) -> dict[str, list[int]]:
            return {k: [id(p) for p in v] for k, v in d.items()}

        return (
            self.count == other.count
            and ids(self.by_pvol) == ids(other.by_pvol)
            and ids(self.bc_by_pvol) == ids(other.bc_by_pvol)
            and {k: id(p) for k, p in self.by_svol.items()}
            == {k: id(p) for k, p in other.by_svol.items()}
        )


def due_of(pair: Pair) -> float | None:
    """When the pair's running copy completes (or its restore aborts); None: no copy."""
    if pair.copy_done_at is None:
        return None
    return pair.abort_at if pair.abort_at is not None else pair.copy_done_at


# no completion scheduled: no simulated time reaches it, so whoever holds it as the next
# due time need not read the clock to know nothing is due (the usual case of host I/O)
NONE_DUE = float("inf")


@dataclass
class WakeQueue:
    """(due, pair key) of every scheduled copy completion, earliest first, so ``settle``
    finds the due pairs without scanning every pair. Entries of superseded copies stay
    until they come due and are then skipped (the pair's own due decides)."""

    heap: list[tuple[float, str]] = field(default_factory=list)

    @classmethod
    def of(cls, pairs: Mapping[str, Pair]) -> WakeQueue:
        q = cls()
        for key in sorted(pairs):
            due = due_of(pairs[key])
            if due is not None:
                q.push(due, key)
        return q

    def push(self, due: float, key: str) -> None:
        heapq.heappush(self.heap, (due, key))

    def pop_due(self, now: float) -> list[str]:
        """Keys with an entry due by ``now``, sorted (the order ``settle`` completes them)."""
        keys: dict[str, None] = {}
        while self.heap and self.heap[0][0] <= now:
            keys[heapq.heappop(self.heap)[1]] = None
        return sorted(keys)

    def next_due(self) -> float:
        """A lower bound of the next completion (:data:`NONE_DUE`: none scheduled)."""
        return self.heap[0][0] if self.heap else NONE_DUE


@dataclass
class LunPaths:
    """LUN paths by host and by LDEV, so presenting, unpresenting and asking who sees an
    LDEV cost O(its own paths), not O(every host group). Never saved; rebuilt after a
    load and kept in step by the backend's host-group commands."""

    groups_of_host: dict[str, list[str]] = field(default_factory=dict)  # sorted group keys
    paths: dict[str, list[tuple[str, int]]] = field(default_factory=dict)  # (group, LUN)

    @classmethod
    def build(cls, host_groups: Mapping[str, HostGroup]) -> LunPaths:
        ix = cls()
        for key in sorted(host_groups):
            hg = host_groups[key]
            ix.group_added(hg)
            for lun in sorted(hg.luns):
                ix.mapped(key, lun, hg.luns[lun])
        return ix

    def group_added(self, hg: HostGroup) -> None:
        for host in hg.hosts:
            insort(self.groups_of_host.setdefault(host, []), hg.key)

    def mapped(self, key: str, lun: int, lid: str) -> None:
        insort(self.paths.setdefault(lid, []), (key, lun))

    def unmapped(self, key: str, lun: int, lid: str) -> None:
        mine = self.paths[lid]
        mine.remove((key, lun))
        if not mine:
            del self.paths[lid]
