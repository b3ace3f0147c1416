"""Replica identity on the array (REL-I6): what the IDB recorded against what the array shows.

A replica is only the content its targets held when it was made. An out-of-band command
(``pairresync`` + ``pairsplit`` by hand on a tracked MU, a target vdisk deleted and
re-created under the same id) changes that content without changing any target's name,
so the IDB records, per target, what identifies its content on the array: on an EVA the
vdisk's WWN, object id and creation instant; on an XP the pair's S-VOL, state, split time
and split generation. ``apprm replicas check`` reports every difference and instant
recovery refuses a replica with any, before anything changes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from apprm_ref.core.records import ReplicaRecord
from apprm_ref.errors import RecoveryError
from apprm_ref.types import ReplicaType

Identity = dict[str, str]

LABELS = {
    "wwn": "WWN",
    "object_id": "object id",
    "created_at": "creation instant",
    "svol": "S-VOL",
    "state": "pair state",
    "split_at": "split time",
    "split_generation": "split generation",
    "target": "target",
    "identity": "identity",
}
INSTANTS = ("created_at", "split_at")  # values that are simulated seconds (repr of a float)
GONE = "gone from the array"
UNKNOWN = "not reported"


@dataclass(frozen=True, order=True)
class Mismatch:
    """One field of one target that no longer matches the IDB."""

    replica_id: str
    target: str  # "ARRAY:VOLUME"
    field: str
    recorded: str
    actual: str

    def detail(self, stamp: Callable[[float], str] | None = None) -> str:
        """What differs, without the target's name; ``stamp`` shows instants as dates."""
        rec, act = _shown(self.field, self.recorded, stamp), _shown(self.field, self.actual, stamp)
        if self.field == "target":
            return f"the target is {act}"
        if self.field == "identity":
            return "the IDB holds no array identity for this target; it cannot be verified"
        return f"{LABELS.get(self.field, self.field)} is {act}, the IDB recorded {rec}"

    def describe(self, stamp: Callable[[float], str] | None = None) -> str:
        return f"{self.target}: {self.detail(stamp)}"

    def __str__(self) -> str:
        return self.describe()


def _shown(field: str, value: str, stamp: Callable[[float], str] | None) -> str:
    if stamp is not None and field in INSTANTS:
        try:
            return stamp(float(value))
        except ValueError:
            return value
    return value


def pair_identity(info: Any) -> Identity:
    """An XP pair's identity from its :class:`~apprm_ref.drivers.array.PairInfo`."""
    out = {"svol": info.svol or "-", "state": info.state}
    if getattr(info, "split_at", None) is not None:
        out["split_at"] = repr(float(info.split_at))
    if getattr(info, "split_generation", None) is not None:
        out["split_generation"] = str(info.split_generation)
    return out


def observe(array: Any, replica: ReplicaRecord) -> list[Identity | None]:
    """What identifies each target's content now (None: the array no longer has it)."""
    if replica.replica_type == ReplicaType.MIRROR:
        if replica.mu is None:  # no MU: no pair can be asked about
            return [None for _ in replica.targets]
        mu = replica.mu
        return [pair_identity(array.pair_info(t.source.volume, mu)) for t in replica.targets]
    found = array.target_identities([t.target.volume for t in replica.targets])
    return [found.get(t.target.volume) for t in replica.targets]


def record(drivers: Any, replica: ReplicaRecord) -> None:
    """Keep the identity the array shows now in the replica's targets (when the replica is
    made, and when this product itself re-splits it after an instant recovery)."""
    now = observe(drivers.array(replica.array), replica)
    replica.targets = [
        dataclasses.replace(t, identity=dict(i or {}))
        for t, i in zip(replica.targets, now, strict=True)
    ]


def compare(replica: ReplicaRecord, observed: list[Identity | None]) -> list[Mismatch]:
    """Every recorded identity field that differs from ``observed`` (same order as the
    targets); a target with nothing recorded cannot be verified and is a mismatch too."""
    out: list[Mismatch] = []
    for t, now in zip(replica.targets, observed, strict=True):
        name = str(t.target)
        if not t.identity:
            out.append(Mismatch(replica.id, name, "identity", "", ""))
        elif now is None:
            out.append(Mismatch(replica.id, name, "target", "present", GONE))
        else:
            out += [
                Mismatch(replica.id, name, k, v, now.get(k, UNKNOWN))
                for k, v in sorted(t.identity.items())
                if now.get(k, UNKNOWN) != v
            ]
    return out


def mismatches(arrays: Mapping[str, Any], replica: ReplicaRecord) -> list[Mismatch]:
    """The replica's mismatches against its array (``arrays``: array name -> driver)."""
    return compare(replica, observe(arrays[replica.array], replica))


def _stamp(drivers: Any) -> Callable[[float], str] | None:
    """Instants as the lab's dates when the drivers know the epoch (raw seconds otherwise)."""
    epoch = getattr(drivers, "epoch_seconds", None)
    if not callable(epoch):
        return None
    return lambda seconds: f"{epoch(seconds):%Y-%m-%d %H:%M:%S}"


def verify(drivers: Any, replica: ReplicaRecord) -> None:
    """Refuse (before anything changes) a replica whose array side no longer matches."""
    found = compare(replica, observe(drivers.array(replica.array), replica))
    if found:
        what = "; ".join(m.describe(_stamp(drivers)) for m in found)
        raise RecoveryError(
            f"replica {replica.id} no longer matches the array ({what}): its content is not "
            "what was backed up; restore refused, nothing was changed",
            code="REPLICA_IDENTITY",
        )
