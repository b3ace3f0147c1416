"""Capabilities, Block Services, masking and job methods of the EVA door.

``CIM_ReplicationServiceCapabilities`` (MicrosoftDocs/win32
``desktop-src/iSCSITarg/cim-replicationservicecapabilities*.md``): SupportedReplicationTypes
6 Synchronous Snapshot Local (copy-on-write before the host write completes) and 11
Asynchronous Clone Local (background unsharing); SupportedStorageObjects 2 StorageVolume;
Synchronous/AsynchronousActions 2 CreateElementReplica, 5 ModifyReplicaSynchronization, 19
CreateListReplica; GetSupportedOperations per ReplicationType (smis_methods.OPERATIONS),
GetSupportedGroupOperations (none: the EVA has no replication groups),
GetDefaultReplicationSettingData. ``CIM_StorageConfigurationCapabilities``:
SupportedStorageElementTypes 2 StorageVolume; SupportedSynchronousActions 5 Storage Element
Creation, 6 Storage Element Return, 8 Replica Creation, 9 Replica Modification;
SupportedAsynchronousActions 8, 9. Block Services methods (SMI-S 1.x Block Services,
protocols.md 1.3 D): CreateOrModifyElementFromStoragePool (ElementType 2; the Size is
rounded up to the disk group's allocation unit and returned; 4097 Size Not Supported),
ReturnToStoragePool, ReturnElementsToStoragePool (Options 2 Continue on nonexistent
element), CIM_StoragePool.GetSupportedSizeRange (0 OK, 3 Invalid Element Type).
Masking: ExposePaths / HidePaths (protocols.md 1.3 E). CIM_ConcreteJob.GetError.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pywbem import CIMInstance, CIMInstanceName, CIMParameter, Uint16, Uint64

from apprm_ref.sim.eva.errors import refuse
from apprm_ref.sim.eva.smis_instances import inst, link
from apprm_ref.sim.eva.smis_jobs import cim_error, job_state
from apprm_ref.sim.eva.smis_methods import (
    OPERATIONS,
    RC_INVALID,
    RC_NOT_SUPPORTED,
    RC_OK,
    Refused,
    Result,
    _vraid,
)

if TYPE_CHECKING:
    from apprm_ref.sim.eva.smis import EvaSmisDoor

REPLICATION_TYPES = {6: 7, 11: 8}  # ReplicationType -> SyncType
ELEMENT_VOLUME, RC_SIZE_NOT_SUPPORTED, RC_INVALID_ELEMENT_TYPE = 2, 4097, 3
DEFAULT_RSD = {7: (6, 3, 5, True), 8: (3, 3, 5, True)}  # methodology, supplier, thin, PIT


def capability_instances(door: EvaSmisDoor) -> list[CIMInstance]:
    name = door.backend.name
    rep = CIMInstanceName(
        "HPEVA_ReplicationServiceCapabilities",
        {"InstanceID": f"HPEVA:{name}:replication"},
        namespace=door.namespace,
    )
    cfg = CIMInstanceName(
        "CIM_StorageConfigurationCapabilities",
        {"InstanceID": f"HPEVA:{name}:configuration"},
        namespace=door.namespace,
    )
    actions = [Uint16(2), Uint16(5), Uint16(19)]
    return [
        inst(
            rep,
            ElementName="replication",
            SupportedReplicationTypes=[Uint16(t) for t in REPLICATION_TYPES],
            SupportedStorageObjects=[Uint16(2)],
            SupportedSynchronousActions=actions,
            SupportedAsynchronousActions=actions,
        ),
        inst(
            link(
                door,
                "CIM_ElementCapabilities",
                ManagedElement=door.service_path("HPEVA_ReplicationService"),
                Capabilities=rep,
            )
        ),
        inst(
            cfg,
            ElementName="configuration",
            SupportedStoragePoolFeatures=[],
            SupportedStorageElementTypes=[Uint16(ELEMENT_VOLUME)],
            SupportedStorageElementFeatures=[],
            SupportedSynchronousActions=[Uint16(a) for a in (5, 6, 8, 9)],
            SupportedAsynchronousActions=[Uint16(8), Uint16(9)],
        ),
        inst(
            link(
                door,
                "CIM_ElementCapabilities",
                ManagedElement=door.service_path("HPEVA_StorageConfigurationService"),
                Capabilities=cfg,
            )
        ),
    ]


def _sync_type(args: dict[str, Any]) -> int | None:
    rtype = args.get("ReplicationType")
    if rtype is None or not 2 <= int(rtype) <= 13:
        raise Refused(RC_INVALID, f"ReplicationType {rtype}")
    return REPLICATION_TYPES.get(int(rtype))


def get_supported_operations(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    sync = _sync_type(args)
    if sync is None:
        return RC_NOT_SUPPORTED, {}
    return RC_OK, {"SupportedOperations": [Uint16(op) for op in OPERATIONS[sync]]}


def get_supported_group_operations(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    if _sync_type(args) is None:
        return RC_NOT_SUPPORTED, {}
    return RC_OK, [CIMParameter("SupportedGroupOperations", "uint16", value=[], is_array=True)]


def get_default_replication_setting_data(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    sync = _sync_type(args)
    if sync is None:
        return RC_NOT_SUPPORTED, {}
    method, supplier, thin, pit = DEFAULT_RSD[sync]
    rsd = CIMInstance(
        "CIM_ReplicationSettingData",
        properties={
            "InstanceID": f"HPEVA:{door.backend.name}:rsd:{sync}",
            "DesiredCopyMethodology": Uint16(method),
            "TargetElementSupplier": Uint16(supplier),
            "ThinProvisioningPolicy": Uint16(thin),
            "ConsistentPointInTime": pit,
        },
    )
    return RC_OK, {"DefaultInstance": rsd}


def _group_of(door: EvaSmisDoor, pool: Any) -> str:
    if not isinstance(pool, CIMInstanceName):
        raise Refused(RC_INVALID, "a storage pool reference is required")
    return str(pool.keybindings.get("InstanceID", "")).split(":", 2)[-1]


def get_supported_size_range(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    if args.get("ElementType") is None or int(args["ElementType"]) != ELEMENT_VOLUME:
        return RC_INVALID_ELEMENT_TYPE, {}
    group = door.backend.disk_group(_group_of(door, args["__target__"]))
    return RC_OK, {
        "MinimumVolumeSize": Uint64(group.extent_bytes),
        "MaximumVolumeSize": Uint64(door.backend.max_vdisk_bytes),
        "VolumeSizeDivisor": Uint64(group.extent_bytes),
    }


def create_or_modify_element(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """A new ordinary vdisk (modifying an existing element is not supported)."""
    if args.get("TheElement") is not None:
        raise Refused(RC_NOT_SUPPORTED, "modifying (expanding) a vdisk is not supported")
    etype = args.get("ElementType")
    if etype is not None and int(etype) != ELEMENT_VOLUME:
        raise Refused(RC_NOT_SUPPORTED, f"ElementType {etype}")
    if args.get("Size") is None or not args.get("ElementName"):
        raise Refused(RC_INVALID, "ElementName and Size are required")
    b = door.backend
    group = b.disk_group(_group_of(door, args.get("InPool")))
    unit = group.extent_bytes
    size = -(-int(args["Size"]) // unit) * unit
    if not 0 < size <= b.max_vdisk_bytes:
        raise Refused(RC_SIZE_NOT_SUPPORTED, f"size {args['Size']}")
    vraid = _vraid(door, args.get("Goal")) or "vraid5"
    v = b.create_vdisk(str(args["ElementName"]), size, group.name, vraid)
    return RC_OK, {"TheElement": door.vol_path(v.id), "Size": Uint64(size)}


def return_to_storage_pool(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    door.backend.delete_vdisk(door.vid_of(args.get("TheElement")))
    return RC_OK, {}


def return_elements_to_storage_pool(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Delete each element in order. Unknown and presented elements are refused before
    anything is deleted (Options 2: unknown ones are skipped)."""
    option = args.get("Options")
    if option is not None and int(option) != 2:
        raise Refused(RC_NOT_SUPPORTED, f"Options {option}")
    elements = list(args.get("TheElements") or [])
    if not elements:
        raise Refused(RC_INVALID, "TheElements is required")
    known = set(door._by_device)
    devs = [e.keybindings.get("DeviceID") for e in elements]
    if option is None:
        for e, dev in zip(elements, devs, strict=True):
            if dev not in known:
                door.vid_of(e)
    vids = [door.vid_of(e) for e, dev in zip(elements, devs, strict=True) if dev in known]
    for vid in vids:
        if door.backend.vdisk(vid).presentations:
            refuse("EVA_VDISK_PRESENTED", f"{vid} is presented; unpresent it first")
    for vid in vids:
        door.backend.delete_vdisk(vid)
    return RC_OK, {}


def _paths(door: EvaSmisDoor, args: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Volume ids from LUNames (volume Names = WWNs) and hosts from InitiatorPortIDs (the
    simulator names a host's initiator by the host's name **(inferred)**)."""
    if args.get("TargetPortIDs") is not None or args.get("ProtocolControllers") is not None:
        raise Refused(RC_NOT_SUPPORTED, "the door makes one view per host on every port")
    names, hosts = list(args.get("LUNames") or []), list(args.get("InitiatorPortIDs") or [])
    if not names or not hosts:
        raise Refused(RC_INVALID, "LUNames and InitiatorPortIDs are required")
    return [door.backend.by_wwn(n).id for n in names], hosts


def expose_paths(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    """Present each volume to each initiator; all or nothing."""
    vids, hosts = _paths(door, args)
    numbers, accesses = args.get("DeviceNumbers"), args.get("DeviceAccesses")
    for values in (numbers, accesses):
        if values is not None and len(values) != len(vids):
            raise Refused(RC_INVALID, "DeviceNumbers/DeviceAccesses and LUNames differ in length")
    if accesses is not None and any(int(a) != 2 for a in accesses):
        raise Refused(RC_NOT_SUPPORTED, "only Read Write (2) access")
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
    return RC_OK, {"ProtocolControllers": [door.view_path(h) for h in hosts]}


def hide_paths(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    vids, hosts = _paths(door, args)
    for vid in vids:
        for host in hosts:
            if host not in door.backend.vdisk(vid).presentations:
                refuse("EVA_NOT_PRESENTED", f"{vid} is not presented to {host}")
    for vid in vids:
        for host in hosts:
            door.backend.unpresent(vid, host)
    return RC_OK, {}


def get_error(door: EvaSmisDoor, args: dict[str, Any]) -> Result:
    job_id = str(args["__target__"].keybindings.get("InstanceID"))
    rec = door.jobs.get(job_id)
    if rec is None:
        raise Refused(RC_INVALID, f"no job {job_id}")
    _, _, err = job_state(door, rec)
    return RC_OK, {"Error": None if err is None else cim_error(job_id, err)}


CONFIG_HANDLERS: dict[str, Callable[[EvaSmisDoor, dict[str, Any]], Result]] = {
    "getsupportedoperations": get_supported_operations,
    "getsupportedgroupoperations": get_supported_group_operations,
    "getdefaultreplicationsettingdata": get_default_replication_setting_data,
    "getsupportedsizerange": get_supported_size_range,
    "createormodifyelementfromstoragepool": create_or_modify_element,
    "returntostoragepool": return_to_storage_pool,
    "returnelementstostoragepool": return_elements_to_storage_pool,
    "exposepaths": expose_paths,
    "hidepaths": hide_paths,
    "geterror": get_error,
}
