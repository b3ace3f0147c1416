"""What both front doors print: the JSON shape of a session, a replica and a
specification, as ``apprm … --json`` and the REST API give them (one definition, so the two
cannot drift). ``schema_version`` changes only when a shape changes incompatibly."""

from __future__ import annotations

from typing import Any

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.front.lab import Lab
from apprm_ref.types import Severity

SCHEMA_VERSION = 1


def session_dict(lab: Lab, s: Any, *, level: Severity = Severity.NORMAL) -> dict[str, Any]:
    return {
        "id": s.id,
        "type": s.type.value,
        "spec": s.spec,
        "status": s.status.value,
        "started_at": lab.iso(s.started),
        "finished_at": lab.iso(s.finished),
        "replica_id": s.replica_id,
        "restored_from": s.restored_from,
        "backup_mode_seconds": s.backup_mode_seconds,
        "metrics": dict(sorted(s.metrics.items())),
        "objects": [
            {"name": o.name, "kind": o.kind, "status": o.status, "detail": o.detail}
            for o in s.objects
        ],
        "messages": [
            {
                "logged_at": lab.iso(m.at),
                "severity": m.severity.label,
                "origin": m.origin,
                "code": m.code,
                "object": m.obj,
                "text": m.text,
            }
            for m in s.messages_at_least(level)
        ],
    }


def identity_problems(lab: Lab, r: Any, arrays: dict[str, Any]) -> list[str]:
    """Why an active replica's array side no longer matches the IDB (REL-I6); [] if it does.
    Asked of the replica's own array for its own targets only."""
    from apprm_ref.core import identity
    from apprm_ref.errors import ApprmError

    if r.status != ReplicaStatus.ACTIVE:
        return []
    if r.array not in arrays:
        return [f"no driver for array {r.array}"]
    try:
        return [m.describe(lab.stamp) for m in identity.mismatches(arrays, r)]
    except ApprmError as exc:
        return [f"identity not readable: {exc}"]


def replica_dict(lab: Lab, r: Any, arrays: dict[str, Any] | None = None) -> dict[str, Any]:
    problems = identity_problems(lab, r, lab.drivers().arrays if arrays is None else arrays)
    return {
        "id": r.id,
        "spec": r.spec,
        "session_id": r.session_id,
        "array": r.array,
        "created_at": lab.iso(r.created_at),
        "type": r.replica_type.value,
        "tracked": r.tracked,
        "ir_capable": bool(r.tracked and r.status == ReplicaStatus.ACTIVE and not problems),
        "identity_problems": problems,
        "status": r.status,
        "sequence": r.sequence,
        "mu": r.mu,
        "targets": [
            {
                "source": str(t.source),
                "target": str(t.target),
                "type": t.replica_type.value,
                "details": dict(sorted(t.details.items())),
                "identity": dict(sorted(t.identity.items())),  # as recorded (REL-I6)
            }
            for t in r.targets
        ],
        "layout": [
            {
                "host": m.host,
                "vg": m.vg,
                "lv": m.lv,
                "mount_point": m.mount_point,
                "volumes": [str(v) for v in m.volumes],
            }
            for m in r.layout
        ],
        "details": r.details,
    }


def spec_row(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "type": spec.type,
        "application_system": spec.application_system,
        "backup_system": spec.backup_system,
        "array": spec.array,
        "objects": list(spec.objects),
    }
