"""Memory test: 100 TiB of simulated volumes, 0.1 % daily change, daily snapshots, 30 days.

Half the capacity is EVA vdisks (daily vsnaps, replica set rotated at 7), half XP P-VOLs
(daily resync + split of MU 0 to an S-VOL of the same size). Writes go through the arrays'
host I/O door (``block_write``) in hourly epochs; replicas through the protocol drivers.

Extent size: 8 MiB, chosen deliberately. Memory is proportional to changed extents (each
costs a dict entry in the volume's delta and, for vsnaps, in the copy-on-write map), never
to capacity: 100 TiB at 0.1 %/day for 30 days is ~3 TiB of change, i.e. ~384 k extent
records at 8 MiB (vs ~3.1 M at 1 MiB, ~1 GB of Python objects). 8 MiB is four EVA 2 MB
PSEGs and 32 XP 256 KiB tracks: coarse enough to bound memory, fine enough that a
0.1 % change spreads over many extents, as real change does.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Any

from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.storage import MIB, TIB
from apprm_ref.sim.world import World
from apprm_ref.types import ReplicaType
from bench.metrics import current_rss_mb, peak_rss_mb

EXTENT_BYTES = 8 * MIB
VOLUME_BYTES = 1 * TIB  # ≤ 1 TB: EVA allows 15 snapshots per source (rule E9)
ROTATION = 7
DAY = 86400.0


def _build(world: World, capacity_tib: float) -> tuple[list[str], list[str]]:
    from apprm_ref.sim.xp.backend import XpBackend

    n = max(2, round(capacity_tib * TIB / VOLUME_BYTES))
    n_eva, n_xp = n // 2, n - n // 2
    extents = VOLUME_BYTES // EXTENT_BYTES
    eva = world.add_array(EvaBackend("eva1", max_vdisk_bytes=2 * TIB))
    eva.add_disk_group("DG1", 4 * n_eva * VOLUME_BYTES, extent_bytes=EXTENT_BYTES)
    vdisks = [eva.create_vdisk(f"v{i:03d}", VOLUME_BYTES, "DG1").id for i in range(n_eva)]
    xp = world.add_array(XpBackend("xp1"))
    pvols = []
    for i in range(n_xp):
        p = xp.add_ldev(0x100 + 2 * i, extents, extent_bytes=EXTENT_BYTES)
        s = xp.add_ldev(0x101 + 2 * i, extents, extent_bytes=EXTENT_BYTES)
        xp.paircreate(p.id, s.id, 0)
        pvols.append(p.id)
    world.clock.run_until(max(pr.copy_done_at or 0.0 for pr in xp.pairs.values()) + 1.0)
    return vdisks, pvols


def _write_epoch(world: World, vols: list[tuple[str, str]], per_volume: int, tag: int) -> int:
    rnd = world.streams.get("bench.memory")
    extents = VOLUME_BYTES // EXTENT_BYTES
    written = 0
    for k, (array, vol) in enumerate(vols):
        items = {rnd.randrange(extents): (k, tag, j) for j in range(per_volume)}
        world.arrays[array].block_write(vol, items)
        written += len(items)
    return written


def _snapshot_day(world: World, eva: Any, xp: Any, vdisks: list[str], pvols: list[str]) -> None:
    for v in vdisks:
        snaps = eva.targets_of(v)
        if len(snaps) >= ROTATION:
            world.clock.run_until(eva.delete_volume(snaps[0].ref.volume).done_at)
    reqs = [ReplicaRequest(v, ReplicaType.VSNAP) for v in vdisks]
    done = eva.create_replicas(reqs).done_at
    pairs = [(p, 0) for p in pvols]
    done = max(done, xp.pair_resync(pairs).done_at)
    world.clock.run_until(max(done, xp.wait_pairs(pairs, "PAIR").done_at))
    world.clock.run_until(xp.pair_split(pairs).done_at)


def run_memory(
    capacity_tib: float = 100.0, change: float = 0.001, days: int = 30, seed: int = 0
) -> dict[str, Any]:
    from apprm_ref.sim.eva.driver import EvaDriver
    from apprm_ref.sim.xp.driver import XpDriver

    base_rss = current_rss_mb()
    t0 = time.perf_counter()
    world = World(seed)
    vdisks, pvols = _build(world, capacity_tib)
    eva, xp = EvaDriver(world, "eva1"), XpDriver(world, "xp1")
    vols = [("eva1", v) for v in vdisks] + [("xp1", p) for p in pvols]
    per_day = round(VOLUME_BYTES // EXTENT_BYTES * change)
    written, max_rss = 0, current_rss_mb()
    for day in range(days):
        for hour in range(24):
            world.clock.run_until(day * DAY + hour * 3600 + 1800)
            n = per_day * (hour + 1) // 24 - per_day * hour // 24  # the day's change, spread
            written += _write_epoch(world, vols, n, day * 24 + hour)
        world.clock.run_until((day + 1) * DAY)
        _snapshot_day(world, eva, xp, vdisks, pvols)
        max_rss = max(max_rss, current_rss_mb())
    problems = world.invariant_problems()
    return {
        "capacity_tib": round(len(vols) * VOLUME_BYTES / TIB, 1),
        "volumes": len(vols),
        "extent_mib": EXTENT_BYTES // MIB,
        "daily_change": change,
        "days": days,
        "extents_written": written,
        "changed_bytes_tib": round(written * EXTENT_BYTES / TIB, 2),
        "vsnaps_live": sum(len(eva.targets_of(v)) for v in vdisks),
        "wall_s": round(time.perf_counter() - t0, 2),
        "baseline_rss_mb": round(base_rss, 1),
        "max_rss_mb_sampled": round(max_rss, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "invariant_problems": problems[:10],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.memory")
    ap.add_argument("--capacity-tib", type=float, default=100.0)
    ap.add_argument("--change", type=float, default=0.001)
    ap.add_argument("--days", type=int, default=30)
    a = ap.parse_args(argv)
    out = run_memory(a.capacity_tib, a.change, a.days)
    print(json.dumps(out, sort_keys=True))
    return 0 if out["peak_rss_mb"] < 500 and not out["invariant_problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
