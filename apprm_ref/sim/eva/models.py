"""Plain-data model of an EVA: disk groups, vdisks (sources and targets), DR groups.

A target vdisk's content is a point-in-time copy of its source's
:class:`~apprm_ref.sim.storage.VolumeData` taken at creation (O(1), shared layers), so it
reads back exactly the source content of that instant whatever is written later. Space is
derived from the vdisks, never kept as a running total, so it cannot drift.
"""

from __future__ import annotations

import enum
import hashlib
from dataclasses import dataclass, field

from apprm_ref.drivers.eva_limits import SNAPSHOT_LIMITS, VRAID_OVERHEAD, snapshot_limit  # noqa: F401
from apprm_ref.persist import persistable, register_enum
from apprm_ref.sim.storage import VolumeData


@register_enum("eva.Vraid")
class Vraid(enum.StrEnum):
    VRAID0 = "vraid0"
    VRAID1 = "vraid1"
    VRAID5 = "vraid5"
    VRAID6 = "vraid6"

    @property
    def rank(self) -> int:
        """Redundancy order for rule E2 (Vraid0 < Vraid5 < Vraid6 < Vraid1; Vraid6 placement
        is **(inferred)**: double parity, still less redundant than mirroring here)."""
        return _RANK[self.value]

    @property
    def overhead(self) -> tuple[int, int]:
        """Raw/usable ratio (num, den): mirroring 2/1, RAID5 4+1, RAID6 4+2 (EVA stripes)."""
        return _OVERHEAD[self]  # a StrEnum member hashes and compares as its value


_RANK = {"vraid0": 0, "vraid5": 1, "vraid6": 2, "vraid1": 3}
_OVERHEAD = VRAID_OVERHEAD


def raw_extents(extents: int, vraid: Vraid) -> int:
    """Raw disk-group extents taken by ``extents`` usable extents at ``vraid``."""
    num, den = _OVERHEAD[vraid]  # ``vraid.overhead`` without the property's calls
    return -(-extents * num // den)


@register_enum("eva.VdiskKind")
class VdiskKind(enum.StrEnum):
    ORIGINAL = "original"  # an ordinary vdisk (source)
    SNAPSHOT = "snapshot"  # standard snapshot: fully allocated copy-on-write
    VSNAP = "vsnap"  # demand-allocated copy-on-write
    SNAPCLONE = "snapclone"  # full copy; independent once normalized

    @property
    def is_snapshot(self) -> bool:
        return self in (VdiskKind.SNAPSHOT, VdiskKind.VSNAP)


@register_enum("eva.VdiskState")
class VdiskState(enum.StrEnum):
    AVAILABLE = "available"  # original vdisk or usable snapshot/vsnap
    NORMALIZING = "normalizing"  # snapclone unsharing
    NORMALIZED = "normalized"  # snapclone done: an independent vdisk
    FAILED = "failed"  # vsnap after disk-group space exhaustion (E11)
    INVALID = "invalid"  # snapshot whose source was deleted or lost (E13)


@register_enum("eva.DrState")
class DrState(enum.StrEnum):
    """Continuous Access EVA DR group states (arrays.md 2.3)."""

    NORMAL = "normal"
    WARNING = "warning"
    ERROR = "error"
    UNKNOWN = "unknown"
    LOGGING = "logging"
    FAILSAFE = "failsafe"  # (inferred) failsafe-locked group: writes stopped


# Destination vdisks are consistent (ZDB allowed by default) only in these states.
DR_CONSISTENT = frozenset({DrState.NORMAL, DrState.WARNING})


def make_wwn(array: str, vdisk_id: str, generation: int = 0) -> str:
    """Deterministic NAA-6 WWN with HP's EVA prefix 6005-08b4 (32 hex digits)."""
    tail = hashlib.sha256(f"{array}/{vdisk_id}/{generation}".encode()).hexdigest()[:24]
    return "600508b4" + tail


def object_id(array: str, vdisk_id: str) -> str:
    """40-hex-digit EVA object id, as SMI-S ``DeviceID`` shows it (protocols.md 1.1)."""
    return hashlib.sha1(f"{array}/{vdisk_id}".encode()).hexdigest().upper()


@persistable("eva.DiskGroup")
@dataclass
class DiskGroup:
    name: str
    capacity_extents: int  # raw extents
    extent_bytes: int


@persistable("eva.Copy")
@dataclass
class BackgroundCopy:
    """A running background copy (unsharing or copy-back): one completion event at done_at."""

    kind: str  # "normalize" | "copy-back"
    started_at: float
    rate: float  # bytes per second
    size_bytes: int
    done_at: float
    peer: str = ""  # copy-back: the replica being copied from
    delete_peer: bool = False  # copy-back without keep: delete the replica at the end

    def fraction(self, now: float) -> float:
        span = self.done_at - self.started_at
        return 1.0 if span <= 0 else min(1.0, max(0.0, (now - self.started_at) / span))


@persistable("eva.Vdisk")
@dataclass(eq=False)
class Vdisk:
    id: str
    name: str
    wwn: str
    disk_group: str
    vraid: Vraid
    data: VolumeData
    kind: VdiskKind = VdiskKind.ORIGINAL
    source: str | None = None  # targets: the vdisk they were taken from (lineage for clones)
    state: VdiskState = VdiskState.AVAILABLE
    created_at: float = 0.0
    presentations: dict[str, int] = field(default_factory=dict)  # host -> LUN
    cow: dict[int, bool] = field(default_factory=dict)  # vsnap: extents it has allocated
    host_written: bool = False  # a host wrote to this target (ARR-I6 check)
    copy: BackgroundCopy | None = None  # unsharing (snapclone) or copy-back (on the source)
    read_only: bool = False  # CA destination vdisks

    def __post_load__(self) -> None:
        # persist encodes str-valued enums as plain str; restore the enum types.
        self.vraid, self.kind, self.state = (
            Vraid(self.vraid),
            VdiskKind(self.kind),
            VdiskState(self.state),
        )

    @property
    def size_extents(self) -> int:
        return self.data.size_extents

    @property
    def size_bytes(self) -> int:
        return self.data.size_bytes

    @property
    def is_target(self) -> bool:
        return self.kind != VdiskKind.ORIGINAL

    @property
    def normalizing(self) -> bool:
        return self.state == VdiskState.NORMALIZING

    @property
    def restoring(self) -> bool:
        return self.copy is not None and self.copy.kind == "copy-back"

    def allocated_raw(self) -> int:
        """Raw disk-group extents this vdisk holds (rule ARR-I5)."""
        if self.kind == VdiskKind.VSNAP:
            return raw_extents(len(self.cow), self.vraid)
        return raw_extents(self.size_extents, self.vraid)


@persistable("eva.DrGroup")
@dataclass
class DrGroup:
    """A Continuous Access EVA DR group as seen on this array."""

    name: str
    members: list[str]  # vdisk ids on this array
    role: str = "destination"  # source | destination (on this array)
    state: DrState = DrState.NORMAL
    remote_array: str = ""

    def __post_load__(self) -> None:
        self.state = DrState(self.state)
