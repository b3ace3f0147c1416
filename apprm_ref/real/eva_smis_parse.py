"""What the EVA SMI-S driver reads back from the provider: return codes and HPEVA error
out-parameters turned into :class:`~apprm_ref.errors.EvaError`, CIM instances turned into
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
# gives no HPEVA_ErrorCode out-parameter (a provider without our vendor extension).
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

TYPE_OF_VDISK = {
    "snapshot": ReplicaType.SNAPSHOT,
    "vsnap": ReplicaType.VSNAP,
    "snapclone": ReplicaType.SNAPCLONE,
}
# ReplicaType -> (SyncType, HPEVA_SnapshotType)
SYNC_OF_TYPE = {
    ReplicaType.SNAPSHOT: (SYNC_SNAPSHOT, "standard"),
    ReplicaType.VSNAP: (SYNC_SNAPSHOT, "vsnap"),
    ReplicaType.SNAPCLONE: (SYNC_CLONE, None),
}


# --- errors ---------------------------------------------------------------------------


def raise_for(method: str, rc: int, out: Mapping[str, Any]) -> None:
    """Raise the EvaError a method's return value means (0 and 4096 pass): the EVA code
    from ``HPEVA_ErrorCode`` when the provider gives one, else the SMI-S return code name."""
    rc = int(rc)
    if rc in (RC_OK, RC_JOB):
        return
    vendor = out.get("HPEVA_ErrorCode") if out is not None else None
    code = vendor or RC_NAMES.get(rc, f"SMIS_RC_{rc}")
    raise EvaError(f"{method} returned {rc} ({RC_NAMES.get(rc, 'vendor specific')})", code=code)


def cim_error(exc: pywbem.Error, what: str, *, missing: str | None = None) -> EvaError:
    """EvaError for a CIM-level failure; ``missing`` is the code when the object is absent."""
    if isinstance(exc, pywbem.CIMError):
        if missing and exc.status_code == pywbem.CIM_ERR_NOT_FOUND:
            return EvaError(f"{what}: not found", code=missing)
        return EvaError(f"{what}: {exc.status_description}", code=exc.status_code_name)
    return EvaError(f"{what}: {exc}", code="SMIS_CONNECTION")


def job_error(job: pywbem.CIMInstance) -> EvaError | None:
    """None when a finished job succeeded, else the error it reports."""
    state = int(job["JobState"] or 0)
    status = [int(s) for s in job.get("OperationalStatus") or []]
    if state == JOB_COMPLETED and STATUS_ERROR not in status:
        return None
    code = job.get("ErrorCode")
    desc = job.get("ErrorDescription") or f"job ended in state {state}"
    return EvaError(f"job {job.path.keybindings.get('InstanceID')}: {desc}", code=_job_code(code))


def _job_code(code: Any) -> str:
    if code is None or code == 0:
        return "SMIS_JOB_FAILED"
    return str(code) if isinstance(code, str) else f"SMIS_JOB_{int(code)}"


# --- inventory --------------------------------------------------------------------------


def dev_of(path: pywbem.CIMInstanceName | None) -> str | None:
    return None if path is None else str(path.keybindings.get("DeviceID"))


def volume_info(
    array: str,
    inst: pywbem.CIMInstance,
    source: str | None,
    luns: Mapping[str, int],
) -> VolumeInfo:
    """VolumeInfo of one ``HPEVA_StorageVolume`` (its source from CIM_StorageSynchronized,
    or ``HPEVA_ParentDeviceID`` once that association is gone with the source; its
    presentations from CIM_ProtocolControllerForUnit)."""
    kind = str(inst.get("VDiskType") or "original").lower()
    rtype = TYPE_OF_VDISK.get(kind)
    source = source or (str(inst.get("HPEVA_ParentDeviceID") or "") if rtype else None)
    return VolumeInfo(
        ref=VolumeRef(array, str(inst["DeviceID"])),
        wwn=str(inst["Name"]).lower(),
        size_bytes=int(inst["BlockSize"]) * int(inst["NumberOfBlocks"]),
        pool=str(inst.get("DiskGroupID") or ""),
        raid=str(inst.get("RaidType") or "").lower(),
        role="source" if rtype is None else "target",
        replica_type=rtype,
        source=VolumeRef(array, source) if source else None,
        presented_to=tuple(sorted(luns)),
        state=_state(inst),
        details={
            "name": str(inst.get("ElementName") or ""),
            "luns": ",".join(f"{h}={n}" for h, n in sorted(luns.items())),
            "device_id": str(inst["DeviceID"]),
        },
    )


def _state(inst: pywbem.CIMInstance) -> str:
    """The EVA state (``EVAState``), or OK/error from OperationalStatus without it."""
    if inst.get("EVAState"):
        return str(inst["EVAState"])
    status = [int(s) for s in inst.get("OperationalStatus") or []]
    return "available" if 2 in status else "failed"


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


def copy_state(dev: str, syncs: Iterable[pywbem.CIMInstance], now: float) -> CopyState:
    """Background copy of ``dev``: a snapclone normalizing (it is the SyncedElement in Copy
    In Progress) or a source under copy-back (SystemElement in Restore In Progress)."""
    for s in syncs:
        state = int(s.get("SyncState") or 0)
        target = dev_of(s["SyncedElement"]) == dev and state == SYNC_STATE_COPYING
        source = dev_of(s["SystemElement"]) == dev and state == SYNC_STATE_RESTORING
        if target or source:
            left = s.get("HPEVA_TimeRemaining")
            done_at = now + left.timedelta.total_seconds() if left is not None else None
            return CopyState(True, done_at, int(s.get("PercentSynced") or 0) / 100.0)
    return CopyState(False, None, 1.0)


# --- capabilities -----------------------------------------------------------------------

# Features the SMI-S Replication Services profile gives when the provider does not
# advertise CIM_ReplicationServiceCapabilities.
PROFILE_FEATURES = frozenset({"snapshot", "snapclone", "copy-back", "present"})


def capabilities(
    system: pywbem.CIMInstance,
    caps: pywbem.CIMInstance | None,
    *,
    masking: bool,
    dr_groups: bool = False,
) -> Capabilities:
    """Capabilities from what the provider advertises (``dr_groups``: it serves CA EVA DR
    groups)."""
    model = str(system.get("Model") or "")
    if caps is None:
        return Capabilities("snapshot-array", vendor="HP", model=model, features=PROFILE_FEATURES)
    syncs = {int(v) for v in caps.get("SupportedSynchronizationType") or []}
    ops = {int(v) for v in caps.get("SupportedModifyOperations") or []}
    snaps = {str(v).lower() for v in caps.get("HPEVA_SnapshotTypes") or []}
    features = set()
    if SYNC_SNAPSHOT in syncs:
        features.add("snapshot")
        if "vsnap" in snaps:
            features.add("vsnap")
    if SYNC_CLONE in syncs:
        features.add("snapclone")
    if OP_FAILOVER in ops:
        features.update({"switch", "retain-source"})
    if OP_RESTORE in ops:
        features.add("copy-back")
    if masking:
        features.add("present")
    if dr_groups:
        features.add("ca-eva")
    return Capabilities(
        "snapshot-array",
        vendor="HP",
        model=model,
        features=frozenset(features),
        limits=_limits(caps),
    )


LIMITS = {
    "max_vdisks": "HPEVA_MaxVdisks",
    "max_snapshots_per_source": "HPEVA_MaxSnapshotsPerSource",
    "min_snapshots_per_source": "HPEVA_MinSnapshotsPerSource",
    "max_vdisk_bytes": "HPEVA_MaxVdiskBytes",
}


def _limits(caps: pywbem.CIMInstance) -> dict[str, int]:
    values = {k: caps.get(prop) for k, prop in LIMITS.items()}
    return {k: int(v) for k, v in values.items() if v is not None}
