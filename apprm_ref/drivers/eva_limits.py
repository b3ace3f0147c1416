"""The EVA's documented snapshot limits (rule E9 of ``arrays.md`` §2.2).

A vendor fact, shared by the simulator (which enforces it) and the real SMI-S driver (which
answers ``snapshot_limit`` from it without a round trip).
"""

from __future__ import annotations

TIB = 1024**4

# (largest source size in TB, snapshots allowed), XCS firmware; total per source <= 15 TB.
SNAPSHOT_LIMITS: tuple[tuple[float, int], ...] = (
    (0.94, 16),
    (1.00, 15),
    (1.07, 14),
    (1.15, 13),
    (1.25, 12),
    (1.36, 11),
    (1.50, 10),
    (1.67, 9),
    (1.88, 8),
    (2.00, 7),
)


def snapshot_limit(size_bytes: int) -> int:
    """Snapshots allowed per source; TB read as TiB, rounded to 2 decimals like HP's table.
    Sources above 2 TB (not made in that era) get floor(15 / size) **(inferred)**."""
    tb = round(size_bytes / TIB, 2)
    for upper, limit in SNAPSHOT_LIMITS:
        if tb <= upper:
            return limit
    return max(1, int(15 // tb))


# Raw/usable ratio of each Vraid level (mirroring 2/1, RAID5 4+1, RAID6 4+2 EVA stripes).
VRAID_OVERHEAD: dict[str, tuple[int, int]] = {
    "vraid0": (1, 1),
    "vraid1": (2, 1),
    "vraid5": (5, 4),
    "vraid6": (6, 4),
}


def raw_bytes(size_bytes: int, raid: str) -> int:
    """Raw disk-group space a fully allocated copy of ``size_bytes`` takes at ``raid``
    (unknown levels are counted as mirrored, the most costly)."""
    num, den = VRAID_OVERHEAD.get(raid, (2, 1))
    return -(-size_bytes * num // den)
