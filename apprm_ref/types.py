"""Value types shared by every layer."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

from apprm_ref.frozen_init import fast_init
from apprm_ref.persist import register_enum

T = TypeVar("T")


@fast_init
@dataclass(frozen=True, order=True)
class VolumeRef:
    """An array volume as the orchestrator names it: array name + the array's volume id."""

    array: str
    volume: str

    def __str__(self) -> str:
        return f"{self.array}:{self.volume}"


@fast_init
@dataclass(frozen=True)
class Op(Generic[T]):
    """Result of a driver operation and the simulated time at which it returned.

    The state change happens at the call (the point in time is the call instant); the
    orchestrator waits until ``done_at`` before its next step. Real drivers return
    ``done_at`` = now, since the call itself took the time.
    """

    result: T
    done_at: float


class ReplicaType(str):
    """A replica type's name: the built-ins below and those array families declare.

    Open, unlike an enum: an array family's descriptor declares its types when it is
    registered (``replica_types``); any other name is refused, listing the declared ones.
    """

    SNAPSHOT: ClassVar[ReplicaType]  # EVA standard snapshot (fully allocated)
    VSNAP: ClassVar[ReplicaType]  # EVA virtually capacity-free snapshot
    SNAPCLONE: ClassVar[ReplicaType]  # EVA snapclone (full copy, normalizes in background)
    MIRROR: ClassVar[ReplicaType]  # XP Business Copy S-VOL
    SNAPSHOT_XP: ClassVar[ReplicaType]  # XP Snapshot (pool based)
    _known: ClassVar[dict[str, ReplicaType]] = {}

    def __new__(cls, value: str) -> ReplicaType:
        found = cls._known.get(str(value))
        if found is None:
            raise ValueError(
                f"unknown replica type {value!r}; declared: {', '.join(sorted(cls._known))}"
            )
        return found

    @classmethod
    def declare(cls, value: str) -> ReplicaType:
        """The type named ``value``, declared now if it is new (idempotent)."""
        if value not in cls._known:
            cls._known[value] = str.__new__(cls, value)
        return cls._known[value]

    @classmethod
    def declared(cls) -> list[ReplicaType]:
        return [cls._known[k] for k in sorted(cls._known)]

    @property
    def value(self) -> str:
        return str.__str__(self)

    @property
    def name(self) -> str:
        return self.value.upper()

    def __str__(self) -> str:
        return self.value

    def __repr__(self) -> str:
        return f"ReplicaType({self.value!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (ReplicaType, (self.value,))


ReplicaType.SNAPSHOT = ReplicaType.declare("snapshot")
ReplicaType.VSNAP = ReplicaType.declare("vsnap")
ReplicaType.SNAPCLONE = ReplicaType.declare("snapclone")
ReplicaType.MIRROR = ReplicaType.declare("mirror")
ReplicaType.SNAPSHOT_XP = ReplicaType.declare("snapshot_xp")


@register_enum("types.Severity")
class Severity(enum.IntEnum):
    """Message severities, totally ordered (VC-I22)."""

    NORMAL = 0
    WARNING = 1
    MINOR = 2
    MAJOR = 3
    CRITICAL = 4

    @property
    def label(self) -> str:
        return self.name.capitalize()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r}") from None


@register_enum("types.SessionStatus")
class SessionStatus(enum.StrEnum):
    QUEUING = "Queuing"
    IN_PROGRESS = "In Progress"
    MOUNT_REQUEST = "Mount Request"
    IN_PROGRESS_ERRORS = "In Progress/Errors"
    IN_PROGRESS_FAILURES = "In Progress/Failures"
    COMPLETED = "Completed"
    COMPLETED_ERRORS = "Completed/Errors"
    COMPLETED_FAILURE = "Completed/Failure"
    FAILED = "Failed"
    ABORTED = "Aborted"

    @property
    def terminal(self) -> bool:
        return self in TERMINAL_STATUSES


TERMINAL_STATUSES = frozenset(
    {
        SessionStatus.COMPLETED,
        SessionStatus.COMPLETED_ERRORS,
        SessionStatus.COMPLETED_FAILURE,
        SessionStatus.FAILED,
        SessionStatus.ABORTED,
    }
)


@register_enum("types.SessionType")
class SessionType(enum.StrEnum):
    BACKUP = "Backup"
    RESTORE = "Restore"


@fast_init
@dataclass(frozen=True)
class TargetVolume:
    """One target volume of a replica: its source, its own id, its type and array details."""

    source: VolumeRef
    target: VolumeRef
    replica_type: ReplicaType
    details: dict[str, str] = field(default_factory=dict, compare=False, hash=False)
    # what identified the target's content on the array when the replica was recorded
    # (REL-I6, ``core/identity.py``); kept out of traces ("transient")
    identity: dict[str, str] = field(
        default_factory=dict, compare=False, hash=False, metadata={"transient": True}
    )
