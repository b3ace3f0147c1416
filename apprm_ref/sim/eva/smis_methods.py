"""Extrinsic SMI-S methods of the EVA door: each decodes its parameters, calls the backend
and encodes the answer (return value, out-parameters). Refusals propagate as EvaError and
become the SMI-S return value of ``errors.CODES`` plus ``HPEVA_ErrorCode``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec

if TYPE_CHECKING:
    from apprm_ref.sim.eva.smis import EvaSmisDoor

Result = tuple[int, dict[str, Any]]

RC_OK, RC_NOT_SUPPORTED, RC_JOB = 0, 1, 4096  # protocols.md 1.4
SYNC_SNAPSHOT, SYNC_CLONE = 7, 8  # SyncType (1.3 A)
OP_FAILOVER, OP_RESTORE, OP_RETURN_TO_POOL = 10, 15, 19  # Operation (1.3 B)
SUPPORTED_OPERATIONS = (OP_FAILOVER, OP_RESTORE, OP_RETURN_TO_POOL)


def create_spec(door: EvaSmisDoor, args: dict[str, Any], *, strict: bool = True) -> TargetSpec:
    """TargetSpec from CreateElementReplica parameters (``strict``: refuse an unknown
    source here; else the backend refuses it in batch order)."""
    sync = int(args.get("SyncType") or 0)
    element = args.get("SourceElement")
    source = door.vid_of(element) if strict else door.vid_or_dev(element)
    if sync == SYNC_CLONE:
        kind = VdiskKind.SNAPCLONE
    elif sync == SYNC_SNAPSHOT:
        alloc = (args.get("HPEVA_SnapshotType") or "standard").lower()
        if alloc not in ("standard", "vsnap"):
            refuse("EVA_INVALID_PARAMETER", f"HPEVA_SnapshotType {alloc!r}")
        kind = VdiskKind.VSNAP if alloc == "vsnap" else VdiskKind.SNAPSHOT
    else:
        refuse("EVA_INVALID_PARAMETER", f"SyncType {sync} is not supported by the EVA")
    pool = args.get("TargetPool")
    group = None
    if pool is not None:
        group = str(pool.keybindings.get("InstanceID", "")).split(":", 1)[-1]
    vraid = args.get("HPEVA_Vraid") or None
    return TargetSpec(source, kind, args.get("ElementName") or "", vraid, group)  # type: ignore[arg-type]


def create_element_replica(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Snapshot (SyncType 7: standard or vsnap) returns 0; snapclone (8) returns 4096 with
    a job that completes when unsharing ends. The target exists (and is usable) at once."""
    if args.get("TargetElement") is not None:
        refuse(
            "EVA_INVALID_PARAMETER", "the EVA creates its own targets; TargetElement must be NULL"
        )
    [t] = door.backend.create_targets([create_spec(door, args)])
    out: dict[str, Any] = {
        "TargetElement": door.vol_path(t.id),
        "Synchronization": door.sync_path(t),
    }
    if t.kind == VdiskKind.SNAPCLONE and t.copy is not None:
        out["Job"] = door.new_job(t.id, "normalize", t.copy.done_at)
        return RC_JOB, out
    return RC_OK, out


def _nth(values: Any, i: int, n: int, what: str) -> Any:
    """Element ``i`` of an optional per-element array of length ``n`` (None if absent)."""
    if values is None:
        return None
    if len(values) != n:
        refuse("EVA_INVALID_PARAMETER", f"{what} and SourceElements differ in length")
    return values[i]


def create_list_replica(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Several replicas at one point in time, all or nothing (SMI-S 1.5 CreateListReplica).
    Per element: ``HPEVA_SyncTypes`` (default ``SyncType``), ``HPEVA_SnapshotTypes``,
    ``HPEVA_Vraids``, ``HPEVA_PoolIDs`` ("" = the source's disk group) **(inferred)**.
    Returns 4096 with the job of the last snapclone to normalize, else 0."""
    sources = list(args.get("SourceElements") or [])
    if not sources or args.get("TargetElements") is not None:
        refuse("EVA_INVALID_PARAMETER", "SourceElements required, TargetElements must be NULL")
    n, specs = len(sources), []
    names = args.get("ElementNames")
    for i, source in enumerate(sources):
        pool = _nth(args.get("HPEVA_PoolIDs"), i, n, "HPEVA_PoolIDs")
        sync = _nth(args.get("HPEVA_SyncTypes"), i, n, "HPEVA_SyncTypes")
        one = {
            "SourceElement": source,
            "SyncType": args.get("SyncType") if sync is None else sync,
            "ElementName": _nth(names, i, n, "ElementNames"),
            "HPEVA_SnapshotType": _nth(args.get("HPEVA_SnapshotTypes"), i, n, "SnapshotTypes"),
            "HPEVA_Vraid": _nth(args.get("HPEVA_Vraids"), i, n, "HPEVA_Vraids"),
            "TargetPool": args.get("TargetPool"),
        }
        spec = create_spec(door, one, strict=False)
        specs.append(replace(spec, disk_group=pool or spec.disk_group))
    made = door.backend.create_targets(specs)
    out: dict[str, Any] = {
        "TargetElements": [door.vol_path(t.id) for t in made],
        "Synchronizations": [door.sync_path(t) for t in made],
    }
    clones = [t for t in made if t.kind == VdiskKind.SNAPCLONE and t.copy is not None]
    if not clones:
        return RC_OK, out
    jobs = [door.new_job(t.id, "normalize", t.copy.done_at) for t in clones]  # type: ignore[union-attr]
    last = max(range(len(clones)), key=lambda k: (clones[k].copy.done_at, k))  # type: ignore[union-attr]
    out["Job"] = jobs[last]
    return RC_JOB, out


def modify_replica_synchronization(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """15 Restore from Replica = copy-back (4096, job on the source's copy); 10 Failover =
    switch of disks (0); 19 Return To ResourcePool = delete the replica (0) **(inferred
    mapping of the EVA IR methods onto SMI-S operations)**."""
    sync = args.get("Synchronization")
    if sync is None:
        refuse("EVA_INVALID_PARAMETER", "Synchronization is required")
    source = door.vid_of(sync.keybindings.get("SystemElement"))
    target = door.vid_of(sync.keybindings.get("SyncedElement"))
    op = int(args.get("Operation") or 0)
    b = door.backend
    if op == OP_RESTORE:
        keep = args.get("HPEVA_KeepReplica")
        b.restore_copy_back(target, source, keep=True if keep is None else bool(keep))
        copy = b.vdisks[source].copy
        return RC_JOB, {"Job": door.new_job(source, "copy-back", copy.done_at if copy else 0.0)}
    if op == OP_FAILOVER:
        recovered = b.restore_switch(
            source, target, retain_source=bool(args.get("HPEVA_RetainSource"))
        )
        return RC_OK, {"HPEVA_RecoveredElement": door.vol_path(recovered)}
    if op == OP_RETURN_TO_POOL:
        b.delete_vdisk(target)
        return RC_OK, {}
    return RC_NOT_SUPPORTED, {}


def return_to_storage_pool(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    door.backend.delete_vdisk(door.vid_of(args.get("TheElement")))
    return 0, {}


def _paths(door: EvaSmisDoor, args: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Volume ids from LUNames (volume Names = WWNs) and hosts from InitiatorPortIDs (the
    simulator names a host's initiator by the host's name **(inferred)**)."""
    names, hosts = list(args.get("LUNames") or []), list(args.get("InitiatorPortIDs") or [])
    if not names or not hosts:
        refuse("EVA_INVALID_PARAMETER", "LUNames and InitiatorPortIDs are required")
    return [door.backend.by_wwn(n).id for n in names], hosts


def expose_paths(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Present each volume to each initiator; all or nothing."""
    vids, hosts = _paths(door, args)
    numbers = args.get("DeviceNumbers")
    if numbers is not None and len(numbers) != len(vids):
        refuse("EVA_INVALID_PARAMETER", "DeviceNumbers and LUNames differ in length")
    accesses = args.get("DeviceAccesses")
    if accesses is not None and len(accesses) != len(vids):
        refuse("EVA_INVALID_PARAMETER", "DeviceAccesses and LUNames differ in length")
    done: list[tuple[str, str]] = []
    try:
        for i, vid in enumerate(vids):
            lun = int(numbers[i], 16) if numbers is not None else None
            for host in hosts:
                door.backend.present(vid, host, lun)
                done.append((vid, host))
    except Exception:
        for vid, host in reversed(done):
            door.backend.unpresent(vid, host)
        raise
    return 0, {}


def hide_paths(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    vids, hosts = _paths(door, args)
    for vid in vids:
        for host in hosts:
            if host not in door.backend.vdisk(vid).presentations:
                refuse("EVA_NOT_PRESENTED", f"{vid} is not presented to {host}")
    for vid in vids:
        for host in hosts:
            door.backend.unpresent(vid, host)
    return 0, {}


HANDLERS: dict[str, Callable[[EvaSmisDoor, dict[str, Any]], Result]] = {
    "createelementreplica": create_element_replica,
    "createlistreplica": create_list_replica,
    "modifyreplicasynchronization": modify_replica_synchronization,
    "returntostoragepool": return_to_storage_pool,
    "exposepaths": expose_paths,
    "hidepaths": hide_paths,
}
