"""What the EVA SMI-S driver reads back from the provider: return codes and failed jobs'
CIM_Error turned into :class:`~apprm_ref.errors.EvaError`, CIM instances turned into
:class:`~apprm_ref.drivers.array.VolumeInfo`, provider capabilities into
:class:`~apprm_ref.drivers.capabilities.Capabilities`.

Kept apart from the driver so the parsing is testable on plain ``CIMInstance`` values and
the driver module stays about calls. Nothing here imports the simulator.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pywbem

from apprm_ref.drivers.array import CopyState, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.eva_limits import SNAPSHOT_LIMITS, snapshot_limit  # noqa: F401
from apprm_ref.errors import EvaError
from apprm_ref.types import ReplicaType, VolumeRef

RC_OK, RC_JOB = 0, 4096
# protocols.md 1.4 (common) and 1.3 E (ExposePaths): code names used when the provider
# names of the SMI-S return values of a refusal that carries no job.
RC_NAMES = {
    1: "SMIS_NOT_SUPPORTED",
    2: "SMIS_UNKNOWN",
    3: "SMIS_TIMEOUT",
    4: "SMIS_FAILED",
    5: "SMIS_INVALID_PARAMETER",
    6: "SMIS_IN_USE",
    4097: "SMIS_INVALID_LUN_ID",
    4098: "SMIS_INVALID_INITIATOR",
    4099: "SMIS_INVALID_TARGET_PORT",
    4100: "SMIS_INVALID_PERMISSION",
    4101: "SMIS_ALREADY_EXPOSED",
    4102: "SMIS_LUN_IN_USE",
    4103: "SMIS_MAX_MAP_COUNT",
}
SYNC_MIRROR, SYNC_SNAPSHOT, SYNC_CLONE = 6, 7, 8
OP_FAILOVER, OP_RESTORE, OP_RETURN_TO_POOL = 10, 15, 19
SYNC_STATE_RESTORING, SYNC_STATE_COPYING = 10, 15  # Restore In Progress / Copy In Progress
JOB_DONE_STATES = frozenset({7, 8, 9, 10})  # Completed, Terminated, Killed, Exception
JOB_COMPLETED, STATUS_ERROR = 7, 6

# ReplicaType -> (SyncType, Mode, ReplicationSettingData.ThinProvisioningPolicy):
# 4 "Copy full source to thin target" (a vsnap), 5 "Provisioning of target same as source"
SYNC_OF_TYPE = {
    ReplicaType.SNAPSHOT: (SYNC_SNAPSHOT, 2, 5),
    ReplicaType.VSNAP: (SYNC_SNAPSHOT, 2, 4),
    ReplicaType.SNAPCLONE: (SYNC_CLONE, 3, 5),
}


def replication_settings(thin: int | None = None, *, auto_delete: bool | None = None) -> Any:
    """An embedded CIM_ReplicationSettingData with the given standard properties."""
    props: dict[str, Any] = {}
    if thin is not None:
        props["ThinProvisioningPolicy"] = pywbem.Uint16(thin)
    if auto_delete is not None:
        props["AutoDelete"] = bool(auto_delete)
    return pywbem.CIMInstance("CIM_ReplicationSettingData", properties=props)


# --- errors ---------------------------------------------------------------------------


def raise_for(method: str, rc: int, out: Mapping[str, Any]) -> None:
    """Raise the EvaError a method's return value means (0 and 4096 pass), named after the
    SMI-S return value (1 Not Supported, 5 Invalid Parameter, ...)."""
    rc = int(rc)
    if rc in (RC_OK, RC_JOB):
        return
    code = RC_NAMES.get(rc, f"SMIS_RC_{rc}")
    raise EvaError(f"{method} returned {rc} ({RC_NAMES.get(rc, 'vendor specific')})", code=code)


def cim_error(exc: pywbem.Error, what: str, *, missing: str | None = None) -> EvaError:
    """EvaError for a CIM-level failure; ``missing`` is the code when the object is absent."""
    if isinstance(exc, pywbem.CIMError):
        if missing and exc.status_code == pywbem.CIM_ERR_NOT_FOUND:
            return EvaError(f"{what}: not found", code=missing)
        return EvaError(f"{what}: {exc.status_description}", code=exc.status_code_name)
    return EvaError(f"{what}: {exc}", code="SMIS_CONNECTION")


def job_error(job: pywbem.CIMInstance, error: Any = None) -> EvaError | None:
    """None when a finished job succeeded, else the error it reports: the ``MessageID`` of
    the CIM_Error from GetError (the array's code), else ``SMIS_JOB_<ErrorCode>``."""
    state = int(job["JobState"] or 0)
    status = [int(s) for s in job.get("OperationalStatus") or []]
    if state == JOB_COMPLETED and STATUS_ERROR not in status:
        return None
    code = job.get("ErrorCode")
    desc = job.get("ErrorDescription") or f"job ended in state {state}"
    if isinstance(error, pywbem.CIMInstance) and error.get("MessageID"):
        name = str(error["MessageID"])
        if not name.startswith("SMIS_RC_"):
            return EvaError(f"job {job.path.keybindings.get('InstanceID')}: {desc}", code=name)
    return EvaError(f"job {job.path.keybindings.get('InstanceID')}: {desc}", code=_job_code(code))


def _job_code(code: Any) -> str:
    if code is None or code == 0:
        return "SMIS_JOB_FAILED"
    return RC_NAMES.get(int(code), f"SMIS_JOB_{int(code)}")


# --- inventory --------------------------------------------------------------------------


def dev_of(path: pywbem.CIMInstanceName | None) -> str | None:
    return None if path is None else str(path.keybindings.get("DeviceID"))


# Vraid as (DataRedundancy, PackageRedundancy) of CIM_StorageExtent (EVA Vraid0: striping,
# Vraid1: mirroring, Vraid5: single parity, Vraid6: double parity)
VRAID_OF = {(1, 0): "vraid0", (2, 1): "vraid1", (1, 1): "vraid5", (1, 2): "vraid6"}
REDUNDANCY_OF = {v: k for k, v in VRAID_OF.items()}
STATUS_OK, STATUS_NON_RECOVERABLE = 2, 7
COPY_UNSYNCHRONIZED, PROGRESS_SYNCHRONIZING = 3, 6


def raid(inst: pywbem.CIMInstance) -> str:
    key = (int(inst.get("DataRedundancy") or 0), int(inst.get("PackageRedundancy") or 0))
    return VRAID_OF.get(key, "")


def replica_type(inst: pywbem.CIMInstance, sync: pywbem.CIMInstance | None) -> ReplicaType | None:
    """From the CIM_StorageSynchronized where the volume is the SyncedElement: SyncType 8
    Clone = snapclone, 7 Snapshot = snapshot, or vsnap when ThinlyProvisioned."""
    if sync is None:
        return None
    if int(sync.get("SyncType") or 0) == SYNC_CLONE:
        return ReplicaType.SNAPCLONE
    return ReplicaType.VSNAP if inst.get("ThinlyProvisioned") else ReplicaType.SNAPSHOT


def _state(inst: pywbem.CIMInstance, rtype: ReplicaType | None, sync: Any) -> str:
    status = [int(s) for s in inst.get("OperationalStatus") or []]
    if STATUS_OK not in status:
        return "invalid" if STATUS_NON_RECOVERABLE in status else "failed"
    if rtype != ReplicaType.SNAPCLONE:
        return "available"
    copying = int(sync.get("CopyState") or 0) == COPY_UNSYNCHRONIZED and (
        int(sync.get("ProgressStatus") or 0) == PROGRESS_SYNCHRONIZING
    )
    return "normalizing" if copying else "normalized"


def volume_info(
    array: str,
    inst: pywbem.CIMInstance,
    sync: pywbem.CIMInstance | None,
    pool: str,
    luns: Mapping[str, int],
) -> VolumeInfo:
    """VolumeInfo of one CIM_StorageVolume; ``sync`` is its CIM_StorageSynchronized as
    SyncedElement (None for an original), ``pool`` its CIM_AllocatedFromStoragePool pool."""
    rtype = replica_type(inst, sync)
    source = dev_of(sync["SystemElement"]) if sync is not None else None
    return VolumeInfo(
        ref=VolumeRef(array, str(inst["DeviceID"])),
        wwn=str(inst["Name"]).lower(),
        size_bytes=int(inst["BlockSize"]) * int(inst["NumberOfBlocks"]),
        pool=pool,
        raid=raid(inst),
        role="source" if rtype is None else "target",
        replica_type=rtype,
        source=VolumeRef(array, source) if source else None,
        presented_to=tuple(sorted(luns)),
        state=_state(inst, rtype, sync),
        details={
            "name": str(inst.get("ElementName") or ""),
            "luns": ",".join(f"{h}={n}" for h, n in sorted(luns.items())),
            "device_id": str(inst["DeviceID"]),
        },
    )


def presentations(
    refs: Iterable[pywbem.CIMInstance], views: Mapping[str, str]
) -> dict[str, dict[str, int]]:
    """DeviceID -> {host: LUN} from CIM_ProtocolControllerForUnit instances; ``views`` maps
    a protocol controller's DeviceID to its host (ElementName)."""
    out: dict[str, dict[str, int]] = {}
    for ref in refs:
        host = views.get(str(ref["Antecedent"].keybindings.get("DeviceID")))
        dev = dev_of(ref["Dependent"])
        if host is None or dev is None:
            continue
        out.setdefault(dev, {})[host] = int(str(ref["DeviceNumber"]), 16)
    return out


def by_establishment(syncs: Iterable[pywbem.CIMInstance]) -> list[str]:
    """Target DeviceIDs of ``syncs``, oldest first (WhenEstablished, then DeviceID)."""
    keyed = []
    for s in syncs:
        when = s.get("WhenEstablished")
        stamp = when.datetime.timestamp() if when is not None and when.datetime else 0.0
        keyed.append((stamp, str(dev_of(s["SyncedElement"]))))
    return [d for _, d in sorted(keyed)]


def copy_state(dev: str, syncs: Iterable[pywbem.CIMInstance], job: Any) -> CopyState:
    """Background copy of ``dev`` from standard properties alone: a snapclone normalizing
    (the SyncedElement of a ``CIM_StorageSynchronized`` in SyncState 15 Copy In Progress)
    or a source under copy-back (SystemElement in 10 Restore In Progress); progress is
    ``PercentSynced``, else the copy's job's ``PercentComplete``. SMI-S gives no completion
    time (DMTF CIM_StorageSynchronized; SMI-S Replication Services), so ``done_at`` is None
    and a caller polls until ``copying`` is false (``drivers/copy_poll.py``)."""
    for s in syncs:
        state = int(s.get("SyncState") or 0)
        target = dev_of(s["SyncedElement"]) == dev and state == SYNC_STATE_COPYING
        source = dev_of(s["SystemElement"]) == dev and state == SYNC_STATE_RESTORING
        if target or source:
            return CopyState(True, None, _percent(s.get("PercentSynced"), job) / 100.0)
    return CopyState(False, None, 1.0)


def _percent(synced: Any, job: Any) -> int:
    if synced is not None:
        return int(synced)
    done = job.get("PercentComplete") if job is not None else None
    return int(done) if done is not None else 0


# --- Continuous Access DR groups -------------------------------------------------------

# HP's HPEVA_ConsistencySet OperationalStatus -> DR group state (docs/eva.md; the class is
# cited from the Zenoss HPEVAMon ZenPack, the meaning of each status array is inferred).
DR_STATES: dict[tuple[int, ...], str] = {
    (2,): "normal",
    (3,): "warning",
    (6,): "error",
    (0,): "unknown",
    (3, 13): "logging",
    (6, 10): "failsafe",
}
OS_OK, OS_DEGRADED, OS_ERROR, OS_STOPPED, OS_LOST_COMMUNICATION = 2, 3, 6, 10, 13


def dr_group_state(group: pywbem.CIMInstance) -> str:
    """DR group state from an ``HPEVA_ConsistencySet``'s standard ``OperationalStatus``: an
    array listed in ``DR_STATES`` by its meaning; any other array is judged by its worst
    value, so only a plain OK or Degraded group counts as consistent (normal / warning)."""
    status = tuple(int(v) for v in group.get("OperationalStatus") or ())
    if status in DR_STATES:
        return DR_STATES[status]
    values = set(status)
    if values & {OS_ERROR, OS_STOPPED}:
        return "error"
    if OS_LOST_COMMUNICATION in values:
        return "logging"
    if values and values <= {OS_OK, OS_DEGRADED}:
        return "warning" if OS_DEGRADED in values else "normal"
    return "unknown"


# --- capabilities -----------------------------------------------------------------------

# Features the SMI-S Replication Services profile gives when the provider does not
# advertise CIM_ReplicationServiceCapabilities.
PROFILE_FEATURES = frozenset({"snapshot", "snapclone", "copy-back", "present"})


REPLICATION_SNAPSHOT, REPLICATION_CLONE = 6, 11  # Synchronous Snapshot / Asynchronous Clone Local
OP_DETACH = 8


def capabilities(
    model: str,
    caps: pywbem.CIMInstance | None,
    clone_ops: set[int],
    *,
    masking: bool,
    max_vdisk_bytes: int | None = None,
    dr_groups: bool = False,
) -> Capabilities:
    """Capabilities from CIM_ReplicationServiceCapabilities: SupportedReplicationTypes and
    GetSupportedOperations of the clone type (``clone_ops``)."""
    if caps is None:
        return Capabilities("snapshot-array", vendor="HP", model=model, features=PROFILE_FEATURES)
    types = {int(v) for v in caps.get("SupportedReplicationTypes") or []}
    features = set()
    if types & {REPLICATION_SNAPSHOT, 7}:
        features.update({"snapshot", "vsnap"})
    if types & {10, REPLICATION_CLONE}:
        features.add("snapclone")
    if OP_FAILOVER in clone_ops:
        features.update({"switch", "retain-source"})
    if OP_RESTORE in clone_ops:
        features.add("copy-back")
    if masking:
        features.add("present")
    if dr_groups:
        features.add("ca-eva")
    limits = {
        "max_snapshots_per_source": SNAPSHOT_LIMITS[0][1],
        "min_snapshots_per_source": SNAPSHOT_LIMITS[-1][1],
    }
    if max_vdisk_bytes:
        limits["max_vdisk_bytes"] = max_vdisk_bytes
    return Capabilities(
        "snapshot-array", vendor="HP", model=model, features=frozenset(features), limits=limits
    )
