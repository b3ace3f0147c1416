"""Can this replica reach that recovery target? (OPS-I9)

The answer is a :class:`Verdict` computed from the IDB, the array and the application's
own views only: nothing is started, stopped, locked or written, so the CLI's
``restore --preview`` (and a REST API) can ask it as often as it likes. The checks are the
ones a restore would meet, in its order: the replica's state in the IDB (ARR-I15), its
identity on the array (REL-I6), then the application's part (the Oracle integration:
minimum recovery point, archived logs between the replica and the target). An integration
without a ``reach`` hook (filesystems) restores only the replica's own instant.

:func:`choose` walks a spec's replicas newest first and returns the first that can reach
the target, or the newest one's verdict with every replica's reasons when none can.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from apprm_ref.core import identity
from apprm_ref.core.integrations.base import integration_for
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.recovery import check_replica
from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import RecoveryError

TargetKind = Literal["latest", "time", "scn"]


@dataclass(frozen=True)
class Target:
    """Where recovery should stop: the latest point, before a time (simulated seconds) or
    before an SCN (every bound exclusive, as Oracle's UNTIL TIME / UNTIL CHANGE)."""

    kind: TargetKind = "latest"
    time: float | None = None
    scn: int | None = None

    def describe(self, stamp: Callable[[float], str] | None = None) -> str:
        if self.kind == "time" and self.time is not None:
            return f"until time {stamp(self.time) if stamp else self.time}"
        if self.kind == "scn":
            return f"until SCN {self.scn}"
        return "to the latest point"


@dataclass(frozen=True)
class Reason:
    """Why a replica cannot reach the target: a stable code and the operator's sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class Verdict:
    replica_id: str | None
    target: Target
    reasons: tuple[Reason, ...] = ()
    skipped: tuple[Verdict, ...] = field(default=())  # newer replicas that cannot reach it

    @property
    def restorable(self) -> bool:
        return self.replica_id is not None and not self.reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "restorable": self.restorable,
            "replica": self.replica_id,
            "target": {"kind": self.target.kind, "time": self.target.time, "scn": self.target.scn},
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
            "skipped": [v.to_dict() for v in self.skipped],
        }


Reach = Callable[[Any, BackupSpec, ReplicaRecord, Target], list[Reason]]


def assess(
    drivers: Any, spec: BackupSpec, replica: ReplicaRecord, target: Target, *, now: float
) -> Verdict:
    """The verdict for one replica at simulated (or real) time ``now``; reads only."""
    reasons = _state(drivers, replica)
    if target.kind == "time" and target.time is not None and target.time > now:
        reasons.append(
            Reason("TARGET_IN_FUTURE", "the target time is in the future: no redo exists yet")
        )
    reach: Reach | None = getattr(integration_for(spec.type), "reach", None)
    if reach is not None:
        reasons += reach(drivers, spec, replica, target)
    elif target.kind != "latest":
        reasons.append(
            Reason(
                "OWN_INSTANT_ONLY",
                f"a {spec.type} replica holds only its own instant; it cannot be recovered "
                "to another point in time (restore it by --latest or --session)",
            )
        )
    return Verdict(replica.id, target, tuple(reasons))


def _state(drivers: Any, replica: ReplicaRecord) -> list[Reason]:
    try:
        check_replica(replica)
    except RecoveryError as exc:
        return [Reason(exc.code or "NOT_RESTORABLE", exc.message)]
    try:
        identity.verify(drivers, replica)
    except RecoveryError as exc:
        return [Reason(exc.code or "REPLICA_IDENTITY", exc.message)]
    return []


def choose(drivers: Any, repo: Any, spec: BackupSpec, target: Target, *, now: float) -> Verdict:
    """The newest replica of ``spec`` that reaches ``target`` (the others' verdicts kept)."""
    replicas = [r for r in repo.list_replicas(spec=spec.name) if r.status != ReplicaStatus.DELETED]
    skipped: list[Verdict] = []
    for replica in sorted(replicas, key=lambda r: r.sequence, reverse=True):
        verdict = assess(drivers, spec, replica, target, now=now)
        if verdict.restorable:
            return Verdict(verdict.replica_id, target, (), tuple(skipped))
        skipped.append(verdict)
    if not skipped:
        none = Reason("NO_REPLICA", f"spec {spec.name} has no replica in the ZDB database")
        return Verdict(None, target, (none,))
    first = skipped[0]
    return Verdict(first.replica_id, target, first.reasons, tuple(skipped[1:]))
