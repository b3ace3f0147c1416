"""Replication methods of the EVA door: SMI-S 1.4+ Replication Services
(``CreateElementReplica``, ``CreateListReplica``, ``ModifyReplicaSynchronization``) and the
SMI-S 1.1-1.3 Copy Services methods of the storage configuration service
(``CreateReplica``, ``ModifySynchronization``), each mapped onto the EVA backend's rules.

Parameters and value maps: protocols.md 1.3 A-C and the DMTF method references
(MicrosoftDocs/win32 ``desktop-src/iSCSITarg/cim-replicationservice-*.md``). SyncType 7
Snapshot / 8 Clone (6 Mirror: EVA mirrorclones are not modelled, Not Supported). A
``CIM_ReplicationSettingData`` embedded instance is read: ``ThinProvisioningPolicy`` 4
"Copy full source to thin target" makes a vsnap (demand allocated), 5 "Provisioning of
target same as source" (the default) a fully allocated snapshot (values as CoprHD's SMI-S
client uses them, CoprHD ``SmisConstants.PROVISIONING_TARGET_SAME_AS_SOURCE = 5``);
``DesiredCopyMethodology`` 2 / 6 Copy-On-Write (snapshot) / 3 Full-Copy (clone);
``TargetElementSupplier`` 3 Create new / 4 Provider decides; ``AutoDelete`` on a modify
drops what the operation leaves behind (the replica after Restore, the old source after
Failover) **(inferred mapping)**. Anything else set is refused with 1 Not Supported.

Operations (ModifyReplicaSynchronization / legacy ModifySynchronization): Detach (8 / 2)
and Dissolve (9) end a normalized snapclone's association, the target survives as an
independent vdisk (arrays.md 2.3); Failover (10) is the switch of disks; Restore from
Replica (15 / 5) the copy-back; Return To ResourcePool (19, snapshots only, as the
standard says) deletes a snapshot. Fracture, Resync and the rest are refused with 1 Not
Supported: an EVA snapshot or snapclone cannot be fractured or resynchronized in place.
Parameter errors return 5 Invalid Parameter; array refusals become failed jobs (smis.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywbem import CIMInstance, CIMInstanceName

from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.eva.smis_jobs import EFFECT_CREATE, EFFECT_INTEGRITY

if TYPE_CHECKING:
    from apprm_ref.sim.eva.models import Vdisk
    from apprm_ref.sim.eva.smis import EvaSmisDoor

Result = tuple[int, dict[str, Any]]
RC_OK, RC_NOT_SUPPORTED, RC_INVALID, RC_JOB = 0, 1, 5, 4096  # protocols.md 1.4
SYNC_MIRROR, SYNC_SNAPSHOT, SYNC_CLONE = 6, 7, 8
MODE_SYNC, MODE_ASYNC = 2, 3
OP_DETACH, OP_DISSOLVE, OP_FAILOVER, OP_RESTORE, OP_RETURN_TO_POOL = 8, 9, 10, 15, 19
LEGACY_DETACH, LEGACY_RESTORE = 2, 5
COPY_UNSYNC_ASSOC, COPY_UNSYNC_UNASSOC = 4, 5
THIN_FULL_TO_THIN, THIN_SAME_AS_SOURCE = 4, 5
# supported operations per SyncType (GetSupportedOperations, smis_config)
OPERATIONS = {
    SYNC_SNAPSHOT: (OP_RESTORE, OP_RETURN_TO_POOL),
    SYNC_CLONE: (OP_DETACH, OP_DISSOLVE, OP_FAILOVER, OP_RESTORE),
}
MODES = {SYNC_SNAPSHOT: MODE_SYNC, SYNC_CLONE: MODE_ASYNC}
_RSD_ALLOWED = {
    "DesiredCopyMethodology": (None, 0, 2, 3, 6),
    "TargetElementSupplier": (None, 0, 3, 4),
    "ThinProvisioningPolicy": (None, 0, THIN_FULL_TO_THIN, THIN_SAME_AS_SOURCE),
    "ConsistentPointInTime": (None, True, False),
    "CopyPriority": (None, 0),
    "AutoDelete": (None, True, False),
}


class Refused(Exception):  # noqa: N818 - a return value, not an error
    """A standard return value (1 Not Supported, 5 Invalid Parameter) without a job."""

    def __init__(self, rc: int, why: str) -> None:
        super().__init__(why)
        self.rc = rc


def settings(args: dict[str, Any]) -> dict[str, Any]:
    """The non-null properties of the ReplicationSettingData embedded instance."""
    rsd = args.get("ReplicationSettingData")
    if rsd is None:
        return {}
    if not isinstance(rsd, CIMInstance) or not rsd.classname.lower().endswith(
        "replicationsettingdata"
    ):
        raise Refused(RC_INVALID, "ReplicationSettingData is not a CIM_ReplicationSettingData")
    out = {}
    for name, prop in rsd.properties.items():
        if prop.value is None or name in ("InstanceID", "ElementName", "Caption", "Description"):
            continue
        allowed = _RSD_ALLOWED.get(name)
        value = prop.value if isinstance(prop.value, bool) else int(prop.value)
        if allowed is None or value not in allowed:
            raise Refused(RC_NOT_SUPPORTED, f"ReplicationSettingData.{name}={value}")
        out[name] = value
    return out


def _vraid(door: EvaSmisDoor, goal: Any) -> str | None:
    if goal is None:
        return None
    iid = str(goal.keybindings.get("InstanceID", "")) if isinstance(goal, CIMInstanceName) else ""
    prefix = f"HPEVA:{door.backend.name}:"
    if not iid.startswith(prefix) or iid.count(":") != 3:
        raise Refused(
            RC_INVALID, f"TargetSettingGoal {goal} is not a storage setting of this array"
        )
    return iid.rsplit(":", 1)[-1]


def _pool(door: EvaSmisDoor, pool: Any) -> str | None:
    if pool is None:
        return None
    iid = str(pool.keybindings.get("InstanceID", "")) if isinstance(pool, CIMInstanceName) else ""
    return iid.split(":", 2)[-1]


def _kind(sync: int, mode: Any, rsd: dict[str, Any]) -> VdiskKind:
    if sync == SYNC_MIRROR:
        raise Refused(RC_NOT_SUPPORTED, "mirrors (mirrorclones) are not supported")
    if sync not in MODES:
        raise Refused(RC_INVALID, f"SyncType {sync}")
    if mode is not None and int(mode) != MODES[sync]:
        raise Refused(RC_NOT_SUPPORTED, f"Mode {mode} for SyncType {sync}")
    if rsd.get("TargetElementSupplier") == 2 or rsd.get("AutoDelete"):
        raise Refused(RC_NOT_SUPPORTED, "the EVA creates new targets only")
    method = rsd.get("DesiredCopyMethodology")
    if method not in (None, 0, 2, 6 if sync == SYNC_SNAPSHOT else 3):
        raise Refused(RC_NOT_SUPPORTED, f"DesiredCopyMethodology {method}")
    thin = rsd.get("ThinProvisioningPolicy") == THIN_FULL_TO_THIN
    if sync == SYNC_CLONE:
        if thin:
            raise Refused(RC_NOT_SUPPORTED, "a snapclone is fully allocated")
        return VdiskKind.SNAPCLONE
    return VdiskKind.VSNAP if thin else VdiskKind.SNAPSHOT


def _common(args: dict[str, Any]) -> dict[str, Any]:
    for name in ("SourceAccessPoint", "TargetAccessPoint", "WaitForCopyState"):
        if args.get(name) is not None:
            raise Refused(RC_NOT_SUPPORTED, f"{name} is not supported (local replication only)")
    return settings(args)


def _created(door: EvaSmisDoor, made: list[Vdisk], method: str, out: dict[str, Any]) -> Result:
    """0 when nothing copies in the background, else 4096 with a job that ends when the
    last snapclone has unshared (the targets exist and are usable at once)."""
    clones = [t for t in made if t.kind == VdiskKind.SNAPCLONE and t.copy is not None]
    if not clones:
        return RC_OK, out
    last = max(clones, key=lambda t: (t.copy.done_at, t.id))  # type: ignore[union-attr]
    affected = [(t.id, EFFECT_CREATE) for t in made]
    out["Job"] = door.new_job(
        method,
        volume=last.id,
        kind="normalize",
        done_at=last.copy.done_at,
        affected=affected,  # type: ignore[union-attr]
    )
    return RC_JOB, out


def create_element_replica(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    rsd = _common(args)
    if args.get("SourceElement") is None or args.get("SyncType") is None:
        raise Refused(RC_INVALID, "SourceElement and SyncType are required")
    if args.get("TargetElement") is not None:
        raise Refused(RC_NOT_SUPPORTED, "the EVA creates its own targets")
    kind = _kind(int(args["SyncType"]), args.get("Mode"), rsd)
    spec = TargetSpec(
        door.vid_of(args["SourceElement"]),
        kind,
        args.get("ElementName") or "",
        _vraid(door, args.get("TargetSettingGoal")),  # type: ignore[arg-type]
        _pool(door, args.get("TargetPool")),
    )
    [t] = door.backend.create_targets([spec])
    out = {"TargetElement": door.vol_path(t.id), "Synchronization": door.sync_path(t)}
    return _created(door, [t], "CreateElementReplica", out)


def create_list_replica(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Several replicas of one SyncType at one point in time, all or nothing (SMI-S 1.5)."""
    rsd = _common(args)
    sources = list(args.get("SourceElements") or [])
    names = args.get("ElementNames")
    if not sources or args.get("SyncType") is None:
        raise Refused(RC_INVALID, "SourceElements and SyncType are required")
    if names is not None and len(names) != len(sources):
        raise Refused(RC_INVALID, "ElementNames and SourceElements differ in length")
    if args.get("TargetElements") is not None:
        raise Refused(RC_NOT_SUPPORTED, "the EVA creates its own targets")
    kind = _kind(int(args["SyncType"]), args.get("Mode"), rsd)
    vraid = _vraid(door, args.get("TargetSettingGoal"))
    pool = _pool(door, args.get("TargetPool"))
    specs = [
        TargetSpec(door.vid_or_dev(s), kind, (names[i] if names else "") or "", vraid, pool)  # type: ignore[arg-type]
        for i, s in enumerate(sources)
    ]
    made = door.backend.create_targets(specs)
    out = {
        "TargetElements": [door.vol_path(t.id) for t in made],
        "Synchronizations": [door.sync_path(t) for t in made],
    }
    return _created(door, made, "CreateListReplica", out)


def _pair(door: EvaSmisDoor, args: dict[str, Any]) -> tuple[str, str]:
    sync = args.get("Synchronization")
    if not isinstance(sync, CIMInstanceName):
        raise Refused(RC_INVALID, "Synchronization is required")
    keys = sync.keybindings
    return door.vid_of(keys.get("SystemElement")), door.vid_of(keys.get("SyncedElement"))


def modify(door: EvaSmisDoor, op: int, source: str, target: str, rsd: dict[str, Any]) -> Result:
    """One operation on the replica pair; 1 Not Supported where the EVA cannot do it."""
    b = door.backend
    supported = {o for ops in OPERATIONS.values() for o in ops}
    clone = b.vdisk(target).kind == VdiskKind.SNAPCLONE
    if op not in supported or (op == OP_RETURN_TO_POOL and clone):
        raise Refused(RC_NOT_SUPPORTED, f"operation {op}")
    if op in (OP_DETACH, OP_DISSOLVE):
        b.detach_clone(source, target)
        return RC_OK, {}
    if op == OP_FAILOVER:
        b.restore_switch(source, target, retain_source=not rsd.get("AutoDelete"))
        return RC_OK, {}
    if op == OP_RETURN_TO_POOL:
        if b.vdisk(target).source != source:
            refuse("EVA_NOT_A_REPLICA", f"{target} is not a replica of {source}")
        b.delete_vdisk(target)
        return RC_OK, {}
    done_at = b.restore_copy_back(target, source, keep=not rsd.get("AutoDelete"))
    job = door.new_job(
        "ModifyReplicaSynchronization",
        volume=source,
        kind="copy-back",
        done_at=done_at,
        affected=[(source, EFFECT_INTEGRITY)],
    )
    return RC_JOB, {"Job": job}


def modify_replica_synchronization(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    rsd = settings(args)
    if args.get("Operation") is None:
        raise Refused(RC_INVALID, "Operation is required")
    if args.get("Force") or args.get("WaitForCopyState") is not None:
        raise Refused(RC_NOT_SUPPORTED, "Force and WaitForCopyState are not supported")
    source, target = _pair(door, args)
    return modify(door, int(args["Operation"]), source, target, rsd)


def create_replica(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Legacy Copy Services: CopyType 4 UnSyncAssoc = snapshot, 5 UnSyncUnAssoc = snapclone
    (2 Async / 3 Sync maintained copies: Not Supported)."""
    copy = args.get("CopyType")
    if args.get("SourceElement") is None or copy is None:
        raise Refused(RC_INVALID, "SourceElement and CopyType are required")
    if int(copy) in (2, 3):
        raise Refused(RC_NOT_SUPPORTED, "maintained (mirror) copies are not supported")
    if int(copy) not in (COPY_UNSYNC_ASSOC, COPY_UNSYNC_UNASSOC):
        raise Refused(RC_INVALID, f"CopyType {copy}")
    kind = VdiskKind.SNAPCLONE if int(copy) == COPY_UNSYNC_UNASSOC else VdiskKind.SNAPSHOT
    spec = TargetSpec(
        door.vid_of(args["SourceElement"]),
        kind,
        args.get("ElementName") or "",
        _vraid(door, args.get("TargetSettingGoal")),  # type: ignore[arg-type]
        _pool(door, args.get("TargetPool")),
    )
    [t] = door.backend.create_targets([spec])
    return _created(door, [t], "CreateReplica", {"TargetElement": door.vol_path(t.id)})


def modify_synchronization(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Legacy numbering (protocols.md 1.3 C): 2 Detach, 5 Restore from Replica."""
    op = args.get("Operation")
    if op is None:
        raise Refused(RC_INVALID, "Operation is required")
    source, target = _pair(door, args)
    mapped = {LEGACY_DETACH: OP_DETACH, LEGACY_RESTORE: OP_RESTORE}.get(int(op))
    if mapped is None:
        raise Refused(RC_NOT_SUPPORTED, f"ModifySynchronization operation {op}")
    return modify(door, mapped, source, target, {})


REPLICATION_HANDLERS: dict[str, Callable[[EvaSmisDoor, dict[str, Any]], Result]] = {
    "createelementreplica": create_element_replica,
    "createlistreplica": create_list_replica,
    "modifyreplicasynchronization": modify_replica_synchronization,
    "createreplica": create_replica,
    "modifysynchronization": modify_synchronization,
}
