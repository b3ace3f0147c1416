"""After an EVA switch of disks, the IDB follows what the array did (``arrays.md`` §2.7).

A switch makes each snapclone target the new source, keeping its id (ARR-P5), and the array
repoints every other snapclone of the old source to it. The IDB must say the same: other
snapclone replicas of a switched source are repointed, and the switch is written to the
IDB *before* the array runs it (``SWITCHING``), confirmed after (``SWITCHED``). When the
IDB refuses a write after the array changed, the next session of the spec (and the
operator's repair) settles it from what the array shows: :func:`repoint_pending`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.errors import ApprmError
from apprm_ref.types import ReplicaType, VolumeRef

SWITCHING = "switching"  # written ahead: source -> the target that is to replace it
SWITCHED = "switched"  # confirmed: source -> the recovered volume

Moves = dict[VolumeRef, VolumeRef]


def switched(replica: ReplicaRecord, moved: Moves) -> None:
    """Record the switches the array confirmed (the planned ones are no longer needed)."""
    replica.details[SWITCHED] = {str(k): str(v) for k, v in sorted(moved.items())}
    replica.details.pop(SWITCHING, None)


def keep_unswitched(replica: ReplicaRecord, moved: Moves) -> None:
    """A partial switch: the switched targets are sources now; the others stay on the
    array, tracked on the purge list until ``replicas purge`` deletes them."""
    replica.targets = [x for x in replica.targets if x.source not in moved]
    replica.status, replica.tracked = ReplicaStatus.PURGE, False


def _moves(raw: dict[str, str]) -> Moves:
    return {
        VolumeRef(*k.partition(":")[::2]): VolumeRef(*v.partition(":")[::2])
        for k, v in sorted(raw.items())
    }


def _done(array: Any, moved: Moves) -> Moves:
    """The switches the array shows done: the recovered volume is no replica target."""
    info = array.volumes_info([v.volume for v in moved.values()])
    return {
        k: v
        for k, v in moved.items()
        if v.volume in info and getattr(info[v.volume], "role", "source") != "target"
    }


def repoint_pending(repo: Any, spec: str, array: Callable[[str], Any]) -> list[str]:
    """Settle every switch of ``spec`` the IDB did not take in full; the ids of the
    replicas written. Idempotent; every EVA session and the repair run it, and the array
    is asked only when a replica still waits for a repoint or for its IR's final write.

    Every session runs this, and the replicas a spec ever recorded grow with its history,
    so it asks the IDB only for the replicas with a switch on record (in list order):
    only they can have anything to settle."""
    done: list[str] = []
    for rep in repo.replicas_with_details(spec, (SWITCHING, SWITCHED)):
        planned = rep.details.get(SWITCHING)
        if planned and rep.status == ReplicaStatus.CONSUMED:
            done += _settle(repo, rep, _done(array(rep.array), _moves(planned)))
            continue
        moved = _moves(rep.details.get(SWITCHED, {}))
        if moved and followers(repo, rep, moved):
            moved = _done(array(rep.array), moved)
            done += repoint(repo, rep, moved) if moved else []
    return done


def _settle(repo: Any, rep: ReplicaRecord, moved: Moves) -> list[str]:
    """The IR's final write was refused after its write-ahead: what the array switched
    decides. Nothing: the replica is restorable as before. All: it is consumed. Some: the
    rest of it goes to the purge list. The other replicas follow what was switched."""
    if not moved:
        rep.status = ReplicaStatus.ACTIVE
        rep.details.pop(SWITCHING, None)
    else:
        if len(moved) < len(rep.targets):
            keep_unswitched(rep, moved)
        switched(rep, moved)
    repo.update_replica(rep)
    return [rep.id, *repoint(repo, rep, moved)]


def followers(repo: Any, replica: ReplicaRecord, moved: Moves) -> list[ReplicaRecord]:
    """The other snapclone replicas still on the array with a target on a switched source."""
    return [
        rep
        for rep in repo.list_replicas(spec=replica.spec)
        if rep.id != replica.id
        and rep.status in ReplicaStatus.LIVE
        and rep.replica_type == ReplicaType.SNAPCLONE
        and any(t.source in moved for t in rep.targets)
    ]


def repoint(
    repo: Any,
    replica: ReplicaRecord,
    moved: Moves,
    refused: Callable[[ReplicaRecord, ApprmError], None] | None = None,
) -> list[str]:
    """Other snapclone replicas of a switched source now belong to the recovered volume;
    a write the IDB refuses goes to ``refused`` (else it raises).

    Every replica still on the array follows, invalid ones too: the array repoints every
    snapclone that is no longer unsharing, one whose normalization failed included (it
    shares no space with the source, ``docs/faults.md`` ``eva.normalize_fail``), so an
    invalid replica the IDB left on the old source would disagree with the array
    (wrong-source) until it is deleted."""
    done = []
    for rep in followers(repo, replica, moved):
        rep.targets = [
            dataclasses.replace(t, source=moved.get(t.source, t.source)) for t in rep.targets
        ]
        try:
            repo.update_replica(rep)
        except ApprmError as exc:
            if refused is None:
                raise
            refused(rep, exc)
            continue
        done.append(rep.id)
    return done
