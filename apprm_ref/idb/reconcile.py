"""Reconciliation of the ZDB database with what the arrays report (``apprm replicas check``).

The product's ``omnidbxp -check`` / ``omnidbsmis`` answer one question: do the replicas the
IDB tracks still exist on the arrays, and do the arrays hold replica targets nobody tracks
(orphans, the leak ``ARR-I14`` forbids)? And does each active replica's content still
match what the IDB recorded of it on the array (REL-I6, :mod:`apprm_ref.core.identity`)?
Findings are returned, never repaired here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from apprm_ref.core import identity
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.errors import ApprmError

# XP S-VOLs kept in sync waiting for the next split are not replicas yet: in PAIR, in the
# initial copy, or resyncing back to PAIR (COPY(PD)/COPY(RS) as the array names them, COPY as
# pairdisplay does). A reverse resync (COPY(RS-R)) restores from a replica: still one.
NOT_A_REPLICA_STATES = ("PAIR", "COPY", "COPY(PD)", "COPY(RS)", "SMPL")

MISSING = "missing"  # IDB tracks a target the array does not have
ORPHAN = "orphan"  # the array holds a target the IDB does not track
WRONG_SOURCE = "wrong-source"  # the target exists but belongs to another source
UNREACHABLE = "unreachable"  # the IDB names an array no driver serves, or listing failed
CHANGED = "identity-changed"  # the target's content is no longer the one recorded (REL-I6)


class _Volumes(Protocol):
    def list_volumes(self) -> list[Any]: ...


@dataclass(frozen=True, order=True)
class Finding:
    kind: str
    array: str
    volume: str
    replica_id: str = ""
    detail: str = ""

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    def __str__(self) -> str:
        rid = f" (replica {self.replica_id})" if self.replica_id else ""
        return f"{self.kind}: {self.array}:{self.volume}{rid} {self.detail}".rstrip()


LIVE = ReplicaStatus.LIVE


def reconcile(
    replicas: Iterable[ReplicaRecord],
    arrays: Mapping[str, _Volumes],
    *,
    ignore_states: tuple[str, ...] = NOT_A_REPLICA_STATES,
    stamp: Callable[[float], str] | None = None,
) -> list[Finding]:
    """Compare live IDB replicas with every array's volumes; sorted findings."""
    live = [r for r in replicas if r.status in LIVE]
    findings: list[Finding] = []
    reported: dict[str, dict[str, Any]] = {}
    for name in sorted(arrays):
        try:
            reported[name] = {v.ref.volume: v for v in arrays[name].list_volumes()}
        except ApprmError as exc:
            findings.append(Finding(UNREACHABLE, name, "*", detail=f"listing failed: {exc}"))
    known: set[tuple[str, str]] = set()
    for rec in live:
        flagged: list[Finding] = []
        for t in rec.targets:
            known.add((t.target.array, t.target.volume))
            flagged.extend(_check_target(rec, t, reported, arrays))
        findings.extend(flagged)
        if rec.status == ReplicaStatus.ACTIVE and rec.array in reported:
            seen = {(f.array, f.volume) for f in flagged}  # one finding per target is enough
            more = identity_findings(rec, arrays, stamp)
            findings.extend(f for f in more if (f.array, f.volume) not in seen)
    for name in sorted(reported):
        for vol_id in sorted(reported[name]):
            info = reported[name][vol_id]
            if getattr(info, "role", "source") != "target" or (name, vol_id) in known:
                continue
            if getattr(info, "state", "") in ignore_states:
                continue
            src = getattr(info, "source", None)
            findings.append(Finding(ORPHAN, name, vol_id, detail=f"target of {src}" if src else ""))
    return sorted(set(findings))


def _check_target(rec, t, reported, arrays) -> list[Finding]:  # type: ignore[no-untyped-def]
    array, vol = t.target.array, t.target.volume
    if array not in arrays:
        return [Finding(UNREACHABLE, array, vol, rec.id, "no driver for this array")]
    if array not in reported:
        return []  # listing failed: already reported once for the array
    info = reported[array].get(vol)
    if info is None and rec.status == ReplicaStatus.PURGE:
        return []  # a purge-list replica may be part-deleted already (its purge ends it)
    if info is None:
        return [Finding(MISSING, array, vol, rec.id, f"target of {t.source} not on the array")]
    src = getattr(info, "source", None)
    if src is not None and src != t.source:
        return [
            Finding(
                WRONG_SOURCE, array, vol, rec.id, f"array says source {src}, IDB says {t.source}"
            )
        ]
    return []


def identity_findings(
    rec: ReplicaRecord, arrays: Mapping[str, Any], stamp: Callable[[float], str] | None = None
) -> list[Finding]:
    """One finding per target field that no longer matches what the IDB recorded."""
    try:
        found = identity.mismatches(arrays, rec)
    except ApprmError as exc:
        return [Finding(UNREACHABLE, rec.array, "*", rec.id, f"identity not readable: {exc}")]
    out = []
    for m in found:
        array, _, volume = m.target.partition(":")
        out.append(Finding(CHANGED, array, volume, rec.id, m.detail(stamp)))
    return out
