"""What the arrays hold at an instant, read through the array drivers (never the backends).

A snapshot array reports each disk group's raw capacity and free space and, per source,
its live snapshots against the array's snapshot limit; a split-mirror array reports the
bytes of its LDEVs held in pairs (S-VOLs) against all its LDEVs, and per P-VOL the mirror
units in use against ``mu_per_pvol``. The runner samples these on simulated time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drivers.array import SnapshotArray, SplitMirrorArray

SNAPSHOT_ROLES = ("target",)


@dataclass(frozen=True)
class Headroom:
    """One source's replica slots at an instant: ``used`` of ``limit``."""

    array: str
    source: str
    used: int
    limit: int


@dataclass(frozen=True)
class PoolSample:
    """A capacity pool (``array/pool``) at an instant, bytes."""

    key: str
    capacity: int
    used: int


@dataclass
class Sample:
    at: float
    pools: list[PoolSample] = field(default_factory=list)
    slots: list[Headroom] = field(default_factory=list)


def sample(at: float, arrays: dict[str, Any]) -> Sample:
    """Every array of ``arrays`` (name -> driver) at ``at``, in name order."""
    out = Sample(at)
    for name in sorted(arrays):
        drv = arrays[name]
        if isinstance(drv, SplitMirrorArray):
            _split_mirror(out, name, drv)
        elif isinstance(drv, SnapshotArray):
            _snapshots(out, name, drv)
    return out


def _snapshots(out: Sample, name: str, drv: Any) -> None:
    for p in drv.pools():
        out.pools.append(
            PoolSample(f"{name}/{p.name}", p.capacity_bytes, p.capacity_bytes - p.free_bytes)
        )
    for v in drv.list_volumes():
        if v.role != "source":
            continue
        live = [t for t in drv.targets_of(v.ref.volume) if t.state != "invalid"]
        if live:
            out.slots.append(
                Headroom(name, v.ref.volume, len(live), drv.snapshot_limit(v.ref.volume))
            )


def _split_mirror(out: Sample, name: str, drv: Any) -> None:
    limit = drv.capabilities().limit("mu_per_pvol", 3) or 3
    vols = drv.list_volumes()
    total = sum(v.size_bytes for v in vols)
    held = sum(v.size_bytes for v in vols if v.role == "target")
    out.pools.append(PoolSample(f"{name}/ldevs", total, held))
    for v in vols:
        if v.role != "source":
            continue
        pairs = [p for p in drv.pairs_of(v.ref.volume) if p.state != "SMPL"]
        if pairs:
            out.slots.append(Headroom(name, v.ref.volume, len(pairs), limit))
