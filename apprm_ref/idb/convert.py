"""Domain value <-> ORM row conversions, so no row ever leaves the IDB package."""

from __future__ import annotations

from typing import Any

from apprm_ref.core.records import AppConfig, MountLayout, ReplicaRecord
from apprm_ref.core.session import (
    SESSION_ID_RE,
    BackupObjectRecord,
    Message,
    Session,
)
from apprm_ref.core.specs import BackupSpec
from apprm_ref.idb.models import (
    AppConfigRow,
    BackupObjectRow,
    MessageRow,
    ReplicaRow,
    SessionRow,
    SpecRow,
    TargetRow,
)
from apprm_ref.types import (
    ReplicaType,
    SessionStatus,
    SessionType,
    Severity,
    TargetVolume,
    VolumeRef,
)

# --- sessions -------------------------------------------------------------------------


def split_session_id(session_id: str) -> tuple[str, int]:
    """``"2008/03/15-3"`` or ``"R-2008/03/15-3"`` -> (``"2008/03/15"``, 3); else ("", 0)."""
    m = SESSION_ID_RE.match(session_id.strip())
    if not m:
        return "", 0
    return f"{m.group(2)}/{m.group(3)}/{m.group(4)}", int(m.group(5))


def session_children(s: Session) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Message and backup-object rows of ``s`` as parameter dicts for a bulk INSERT."""
    msgs = [
        {
            "session_id": s.id,
            "seq": i,
            "at": float(m.at),
            "severity": int(m.severity),
            "origin": m.origin,
            "text": m.text,
            "code": m.code,
            "obj": m.obj,
        }
        for i, m in enumerate(s.messages)
    ]
    objs = [
        {
            "session_id": s.id,
            "seq": i,
            "name": o.name,
            "kind": o.kind,
            "status": o.status,
            "detail": o.detail,
        }
        for i, o in enumerate(s.objects)
    ]
    return msgs, objs


def fill_session_scalars(row: SessionRow, s: Session) -> None:
    """Every column of the session row itself (not its messages and objects)."""
    row.day, row.number = split_session_id(s.id)
    row.type = s.type.value
    row.spec = s.spec
    row.started = float(s.started)
    row.status = s.status.value
    row.finished = s.finished
    row.pre_exec_failed = s.pre_exec_failed
    row.post_exec_failed = s.post_exec_failed
    row.replica_id = s.replica_id
    row.backup_mode_seconds = float(s.backup_mode_seconds)
    row.metrics = {k: s.metrics[k] for k in sorted(s.metrics)}
    row.restored_from = s.restored_from


def message_row(seq: int, m: Message) -> MessageRow:
    return MessageRow(
        seq=seq,
        at=float(m.at),
        severity=int(m.severity),
        origin=m.origin,
        text=m.text,
        code=m.code,
        obj=m.obj,
    )


def object_row(seq: int, o: BackupObjectRecord) -> BackupObjectRow:
    return BackupObjectRow(seq=seq, name=o.name, kind=o.kind, status=o.status, detail=o.detail)


def to_message(r: MessageRow) -> Message:
    return Message(r.at, Severity(r.severity), r.origin, r.text, r.code, r.obj)


def to_session(r: SessionRow) -> Session:
    return Session(
        id=r.id,
        type=SessionType(r.type),
        spec=r.spec,
        started=r.started,
        status=SessionStatus(r.status),
        finished=r.finished,
        messages=[to_message(m) for m in r.messages],
        objects=[BackupObjectRecord(o.name, o.kind, o.status, o.detail) for o in r.objects],
        pre_exec_failed=r.pre_exec_failed,
        post_exec_failed=r.post_exec_failed,
        replica_id=r.replica_id,
        backup_mode_seconds=r.backup_mode_seconds,
        metrics=dict(r.metrics or {}),
        restored_from=r.restored_from,
    )


# --- specifications -------------------------------------------------------------------


def fill_spec_row(row: SpecRow, spec: BackupSpec) -> None:
    row.type = spec.type
    row.array = spec.array
    row.application_system = spec.application_system
    row.body = spec.model_dump(mode="json")


def to_spec(r: SpecRow) -> BackupSpec:
    return BackupSpec.model_validate(r.body)


# --- replicas -------------------------------------------------------------------------


def _ref(d: dict[str, str]) -> VolumeRef:
    return VolumeRef(d["array"], d["volume"])


def layout_plain(layout: MountLayout) -> dict[str, Any]:
    return {
        "host": layout.host,
        "vg": layout.vg,
        "vg_uuid": layout.vg_uuid,
        "lv": layout.lv,
        "mount_point": layout.mount_point,
        "volumes": [{"array": v.array, "volume": v.volume} for v in layout.volumes],
    }


def to_layout(d: dict[str, Any]) -> MountLayout:
    return MountLayout(
        host=d["host"],
        vg=d["vg"],
        vg_uuid=d["vg_uuid"],
        lv=d["lv"],
        mount_point=d["mount_point"],
        volumes=tuple(_ref(v) for v in d["volumes"]),
    )


def target_row(seq: int, t: TargetVolume) -> TargetRow:
    return TargetRow(
        seq=seq,
        source_array=t.source.array,
        source_volume=t.source.volume,
        target_array=t.target.array,
        target_volume=t.target.volume,
        replica_type=t.replica_type.value,
        details={k: t.details[k] for k in sorted(t.details)},
        identity={k: t.identity[k] for k in sorted(t.identity)},
    )


def to_target(r: Any) -> TargetVolume:
    return TargetVolume(
        source=VolumeRef(r.source_array, r.source_volume),
        target=VolumeRef(r.target_array, r.target_volume),
        replica_type=ReplicaType(r.replica_type),
        details=dict(r.details or {}),
        identity=dict(r.identity or {}),
    )


def target_params(rec: ReplicaRecord) -> list[dict[str, Any]]:
    """Target rows of ``rec`` as parameter dicts for a bulk INSERT."""
    return [
        {
            "replica_id": rec.id,
            "seq": i,
            "source_array": t.source.array,
            "source_volume": t.source.volume,
            "target_array": t.target.array,
            "target_volume": t.target.volume,
            "replica_type": t.replica_type.value,
            "details": {k: t.details[k] for k in sorted(t.details)},
            "identity": {k: t.identity[k] for k in sorted(t.identity)},
        }
        for i, t in enumerate(rec.targets)
    ]


def fill_replica_scalars(row: ReplicaRow, rec: ReplicaRecord) -> None:
    """Every column of the replica row itself (not its targets)."""
    row.spec = rec.spec
    row.session_id = rec.session_id
    row.array = rec.array
    row.created_at = float(rec.created_at)
    row.replica_type = ReplicaType(rec.replica_type).value
    row.tracked = rec.tracked
    row.status = rec.status
    row.sequence = rec.sequence
    row.mu = rec.mu
    row.layout = [layout_plain(m) for m in rec.layout]
    row.details = dict(rec.details)


def to_replica(r: ReplicaRow) -> ReplicaRecord:
    return replica_from(r, r.targets)


def replica_from(r: Any, targets: Any) -> ReplicaRecord:
    """A replica from a row with the replicas table's columns (ORM row or Core row)."""
    return ReplicaRecord(
        id=r.id,
        spec=r.spec,
        session_id=r.session_id,
        array=r.array,
        created_at=r.created_at,
        replica_type=ReplicaType(r.replica_type),
        targets=[to_target(t) for t in targets],
        layout=[to_layout(m) for m in (r.layout or [])],
        tracked=r.tracked,
        status=r.status,
        sequence=r.sequence,
        mu=r.mu,
        details=dict(r.details or {}),
    )


# --- application configurations ------------------------------------------------------


def to_config(r: AppConfigRow) -> AppConfig:
    return AppConfig(kind=r.kind, name=r.name, host=r.host, data=dict(r.data or {}))
