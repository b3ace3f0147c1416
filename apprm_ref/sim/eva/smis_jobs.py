"""SMI-S Job Control for the EVA door: ``CIM_ConcreteJob`` instances, their associations and
the ``CIM_Error`` a failed job returns from ``GetError`` (WIRE-I2).

A job either watches a background copy (snapclone unsharing, copy-back) or records a
request the array refused after the door had checked the parameters. JobState values (2
New .. 12 Query Pending; 7 Completed, 8 Terminated, 9 Killed, 10 Exception),
OperationalStatus (2 OK, 6 Error, 17 Completed) and the rule that a failed job carries a
non-zero ``ErrorCode`` with ``ErrorDescription`` follow protocols.md 1.6 and the
CIM_ConcreteJob reference (MicrosoftDocs/win32 ``desktop-src/iSCSITarg/cim-concretejob.md``).
``CIM_Error`` (DMTF DSP0223 / CIM_Error class): ErrorType 4 Software Error, PerceivedSeverity
5 Major, CIMStatusCode 1 CIM_ERR_FAILED; ``MessageID`` is the array's refusal code
(``errors.py``; our stable names, **(inferred)**), OwningEntity ``HPEVA``.
ElementEffects of CIM_AffectedJobElement: 4 Element Integrity, 5 Create.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pywbem import CIMDateTime, CIMInstance, CIMInstanceName, Uint16, Uint32

if TYPE_CHECKING:
    from apprm_ref.sim.eva.smis import EvaSmisDoor

JOB_RUNNING, JOB_COMPLETED, JOB_EXCEPTION = 4, 7, 10
STATUS_OK, STATUS_ERROR, STATUS_COMPLETED = 2, 6, 17
EFFECT_INTEGRITY, EFFECT_CREATE = 4, 5
KEEP_FINISHED_S = 300.0  # TimeBeforeRemoval of a finished job **(inferred)**


@dataclass
class JobRecord:
    """What one job watches: a vdisk's background copy, or a refusal (``error``)."""

    method: str
    submitted: float
    volume: str = ""
    kind: str = ""  # "normalize" | "copy-back" | "" (refused request)
    done_at: float = 0.0
    error: tuple[int, str, str] | None = None  # (SMI-S rc, EVA code, message)
    affected: list[tuple[str, int]] = field(default_factory=list)  # (vdisk id, effect)


def job_state(door: EvaSmisDoor, rec: JobRecord) -> tuple[int, int, tuple[int, str, str] | None]:
    """(JobState, PercentComplete, error) of a job now."""
    if rec.error is not None:
        return JOB_EXCEPTION, 0, rec.error
    v = door.backend.vdisks.get(rec.volume)
    if v is not None and v.copy is not None and v.copy.kind == rec.kind:
        return JOB_RUNNING, int(100 * v.copy.fraction(door.world.now())), None
    if v is None and rec.kind == "normalize" and door.world.now() < rec.done_at:
        msg = f"snapclone {rec.volume} was deleted before unsharing completed"
        return JOB_EXCEPTION, 0, (4, "", msg)
    return JOB_COMPLETED, 100, None


def finished_at(door: EvaSmisDoor, rec: JobRecord) -> float:
    return rec.submitted if rec.error is not None else min(rec.done_at, door.world.now())


def job_instances(door: EvaSmisDoor, job_id: str, rec: JobRecord) -> list[CIMInstance]:
    """The job, CIM_OwningJobElement from its service, CIM_AffectedJobElement per element."""
    state, pct, err = job_state(door, rec)
    epoch = door.world.clock.epoch
    status = [STATUS_OK] if state == JOB_RUNNING else [STATUS_OK, STATUS_COMPLETED]
    if err is not None:
        status = [STATUS_ERROR, STATUS_COMPLETED]
    path = door.job_path(job_id)
    job = _inst(
        path,
        ElementName=rec.method,
        Name=rec.kind or rec.method,
        JobState=Uint16(state),
        PercentComplete=Uint16(pct),
        OperationalStatus=[Uint16(s) for s in status],
        ErrorCode=Uint16(err[0] if err else 0),
        ErrorDescription=err[2] if err else "",
        DeleteOnCompletion=False,
        TimeSubmitted=CIMDateTime(epoch + timedelta(seconds=rec.submitted)),
        TimeBeforeRemoval=CIMDateTime(timedelta(seconds=KEEP_FINISHED_S)),
        LocalOrUtcTime=Uint16(2),  # UTC
    )
    service = door.service_path("HPEVA_ReplicationService")
    out = [job, _link("CIM_OwningJobElement", OwningElement=service, OwnedElement=path)]
    for vid, effect in rec.affected:
        if vid in door.backend.vdisks:
            link = _link("CIM_AffectedJobElement", AffectedElement=door.vol_path(vid))
            link.path.keybindings["AffectingElement"] = path
            link["AffectingElement"] = path
            link["ElementEffects"] = [Uint16(effect)]
            out.append(link)
    return out


def cim_error(job_id: str, err: tuple[int, str, str]) -> CIMInstance:
    """The embedded CIM_Error a failed job returns from GetError."""
    rc, code, message = err
    return CIMInstance(
        "CIM_Error",
        properties={
            "ErrorType": Uint16(4),
            "OwningEntity": "HPEVA",
            "MessageID": code or f"SMIS_RC_{rc}",
            "Message": message,
            "MessageArguments": [job_id],
            "PerceivedSeverity": Uint16(5),
            "ProbableCause": Uint16(0),
            "ErrorSource": job_id,
            "ErrorSourceFormat": Uint16(0),
            "CIMStatusCode": Uint32(1),
            "CIMStatusCodeDescription": "CIM_ERR_FAILED",
        },
    )


def _inst(path: CIMInstanceName, **props: Any) -> CIMInstance:
    return CIMInstance(path.classname, properties={**path.keybindings, **props}, path=path)


def _link(cls: str, **refs: Any) -> CIMInstance:
    ns = next(iter(refs.values())).namespace
    return _inst(CIMInstanceName(cls, dict(refs), namespace=ns))
