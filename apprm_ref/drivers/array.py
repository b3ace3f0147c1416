"""Array Protocols: snapshot-style (EVA) and split-mirror-style (XP).

Every method either completes its whole effect or raises an :class:`~apprm_ref.errors.ArrayError`
carrying the vendor's code and leaves the array unchanged. Operations that take time return
an :class:`~apprm_ref.types.Op` whose ``done_at`` the orchestrator waits for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import Op, ReplicaType, TargetVolume, VolumeRef


@fast_init
@dataclass(frozen=True)
class VolumeInfo:
    ref: VolumeRef
    wwn: str
    size_bytes: int
    pool: str = ""  # EVA disk group / XP pool or parity group
    raid: str = ""  # "vraid1", "vraid5", "raid5" ...
    role: str = "source"  # source | target
    replica_type: ReplicaType | None = None
    source: VolumeRef | None = None
    presented_to: tuple[str, ...] = ()
    state: str = ""  # array-specific state (e.g. "normalizing", "PAIR")
    details: dict[str, str] = field(default_factory=dict, compare=False, hash=False)


@runtime_checkable
class ArrayDriver(Protocol):
    name: str

    def capabilities(self) -> Capabilities: ...

    def list_volumes(self) -> list[VolumeInfo]: ...

    def volume_info(self, volume: str) -> VolumeInfo: ...

    def present(self, volume: str, host: str) -> Op[int]:
        """Make ``volume`` visible to ``host``; returns the LUN number."""
        ...

    def unpresent(self, volume: str, host: str) -> Op[None]: ...


@fast_init
@dataclass(frozen=True)
class ReplicaRequest:
    source: str  # volume id of the source on this array
    replica_type: ReplicaType
    name: str = ""
    raid: str | None = None  # snapclone Vraid (None = same as source)
    pool: str | None = None  # snapclone disk group (None = same as source)


@fast_init
@dataclass(frozen=True)
class PoolInfo:
    """A capacity pool (EVA disk group): raw capacity and raw free space in bytes."""

    name: str
    capacity_bytes: int
    free_bytes: int


# CA EVA DR group states in which destination vdisks are consistent, so a ZDB of them is
# allowed by default (arrays.md 2.3, F9); any other state fails the session.
DR_GROUP_ZDB_STATES = frozenset({"normal", "warning"})


@fast_init
@dataclass(frozen=True)
class CopyState:
    """Background copy of a target (snapclone normalization, pair copy). ``done_at`` is
    the copy's end while copying when the driver knows it (the simulator: exactly), None
    when it does not (SMI-S has none); callers poll either way (``copy_poll.py``)."""

    copying: bool
    done_at: float | None
    fraction: float = 1.0  # 0..1 copied


@runtime_checkable
class SnapshotArray(ArrayDriver, Protocol):
    """EVA-style: targets are created from sources at one instant."""

    def create_replicas(self, requests: Sequence[ReplicaRequest]) -> Op[list[TargetVolume]]:
        """Create every target at one instant; all or nothing."""
        ...

    def delete_volume(self, volume: str) -> Op[None]: ...

    def targets_of(self, source: str) -> list[VolumeInfo]: ...

    def volumes_info(self, volumes: Sequence[str]) -> dict[str, VolumeInfo]:
        """Info of each of ``volumes`` the array has, by volume id; ids it does not have are
        left out. A session asks about its own few volumes instead of listing the array."""
        ...

    def copy_state(self, target: str) -> CopyState: ...

    def restore_switch(self, source: str, target: str, *, retain_source: bool = False) -> Op[str]:
        """IR by switch of disks: the normalized snapclone ``target`` takes the source's name,
        WWN and LUN presentations; the replica is consumed. The old source is deleted, or
        kept unpresented and renamed with ``retain_source``. Result: the recovered volume's
        id (the former snapclone's)."""
        ...

    def restore_copy_back(self, target: str, source: str, *, keep: bool = True) -> Op[None]:
        """IR by copy-back: the source reads the target's content at once; a background copy
        follows (``copy_state(source)``). Without ``keep`` the target is deleted when that
        copy completes; with it the target survives unchanged."""
        ...

    def dr_group_state(self, volume: str) -> str | None:
        """Continuous Access state of the DR group holding ``volume`` (None if not in one);
        see ``DR_GROUP_ZDB_STATES``."""
        ...

    def volume_by_wwn(self, wwn: str) -> VolumeInfo: ...

    def pools(self) -> list[PoolInfo]:
        """Disk groups with raw capacity and free space."""
        ...

    def snapshot_limit(self, source: str) -> int:
        """How many snapshots ``source`` may have (EVA rule E9, by source size)."""
        ...

    def target_identities(self, volumes: Sequence[str]) -> dict[str, dict[str, str]]:
        """What identifies each of ``volumes`` (target vdisks) the array has, by volume id:
        ``wwn``, ``object_id`` and, where the array reports it, ``created_at`` (repr of the
        creation instant). A vdisk deleted and re-created under the same id or name differs
        in at least one of them, so a replica's content can be verified before a restore
        (REL-I6). Ids the array does not have are left out."""
        ...


@fast_init
@dataclass(frozen=True)
class PairInfo:
    """One XP pair seen from its P-VOL.

    ``state`` is the RAID Manager status of the P-VOL side (SMPL, COPY, RCPY, PAIR, PSUS,
    PSUE), the same for simulated and real drivers; ``detail`` is the finer Remote Web
    Console state where the driver knows it (COPY(PD), COPY(SP), PSUS(SP), COPY(RS),
    COPY(RS-R) ...), else equal to ``state``.
    """

    pvol: str
    mu: int
    svol: str | None
    state: str
    copy_done_at: float | None = None
    fraction: float = 1.0
    detail: str = ""
    level: int = 1  # cascade level (2: the P-VOL is itself an L1 S-VOL)
    # What identifies the S-VOL's content (REL-I6): when the last split happened and the
    # array's serial number of that split. RAID Manager's pairdisplay shows neither, so a
    # driver that cannot know them leaves None; not compared, so drivers stay comparable.
    split_at: float | None = field(default=None, compare=False)
    split_generation: int | None = field(default=None, compare=False)


@dataclass(frozen=True)
class CaPairInfo:
    """The Continuous Access pair of a local P-VOL: its S-VOL on ``remote_array``."""

    pvol: str
    remote_array: str
    svol: str
    state: str  # RAID Manager status of the P-VOL side (COPY, PAIR, PSUS, PSUE)


@runtime_checkable
class SplitMirrorArray(ArrayDriver, Protocol):
    """XP-style Business Copy: pairs (P-VOL, MU#) split to make a point-in-time S-VOL."""

    def pair_info(self, pvol: str, mu: int) -> PairInfo: ...

    def pair_create(self, pvol: str, svol: str, mu: int) -> Op[None]: ...

    def pair_split(self, pairs: Sequence[tuple[str, int]], *, quick: bool = False) -> Op[None]:
        """Split every pair at one instant (all must be PAIR); ``quick``: PSUS(SP)."""
        ...

    def pair_resync(
        self, pairs: Sequence[tuple[str, int]], *, restore: bool = False, quick: bool = False
    ) -> Op[None]: ...

    def pair_delete(self, pvol: str, mu: int) -> Op[None]:
        """``pairsplit -S``: back to SMPL."""
        ...

    def wait_pairs(self, pairs: Sequence[tuple[str, int]], state: str) -> Op[None]:
        """``pairevtwait``: returns when every pair has reached ``state`` (done_at in the future)."""
        ...

    def is_excluded(self, ldev: str) -> bool: ...

    def free_svols(self, pvol: str) -> list[str]:
        """S-VOL candidates of matching size not in any pair nor excluded."""
        ...

    def pairs_of(self, pvol: str) -> list[PairInfo]:
        """Every BC pair whose P-VOL is ``pvol`` (any MU), sorted by MU."""
        ...

    def pair_suspend(self, pairs: Sequence[tuple[str, int]]) -> Op[None]:
        """``pairsplit -E``: force PSUE (the next resync copies everything)."""
        ...

    def ca_pair(self, pvol: str) -> CaPairInfo | None:
        """The CA pair whose P-VOL is ``pvol`` (None: not a CA P-VOL or CA not declared)."""
        ...
