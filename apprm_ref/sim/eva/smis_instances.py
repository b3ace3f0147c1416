"""The CIM instances of the EVA door's ``root/eva`` namespace, built from the backend.

Array profile: the array (``HPEVA_StorageSystem``) and its ``CIM_PhysicalPackage``
(Model) by ``CIM_SystemPackaging``; services by ``CIM_HostedService``. Block Services: disk
groups as ``CIM_StoragePool`` by ``CIM_HostedStoragePool``, each with
``CIM_StorageCapabilities`` and one predefined ``CIM_StorageSetting`` per Vraid
(``CIM_StorageSettingsAssociatedToCapabilities``); vdisks as ``CIM_StorageVolume`` by
``CIM_SystemDevice``, ``CIM_AllocatedFromStoragePool`` and ``CIM_ElementSettingData``.
Replication Services: ``CIM_StorageSynchronized`` per replica. Masking: one
``CIM_SCSIProtocolController`` per host with ``CIM_ProtocolControllerForUnit``.

Value maps (DMTF CIM_StorageExtent / CIM_StorageVolume / CIM_StorageSynchronized,
protocols.md 1.5): NameFormat 2 VPD83NAA6, NameNamespace 2 VPD83Type3; OperationalStatus
2 OK, 6 Error, 7 Non-Recoverable Error, 16 Supporting Entity in Error; SyncType 7 Snapshot,
8 Clone; Mode 2 Synchronous (copy-on-write before the host write completes), 3
Asynchronous (background unsharing); CopyType 4 UnSyncAssoc, 5 UnSyncUnAssoc; CopyState
3 Unsynchronized, 4 Synchronized, 5 Broken; SyncState 10/11/12/14/15; ProgressStatus 2
Completed, 6 Synchronizing, 8 Restoring; CopyMethodology 6 Copy-On-Write, 3 Full-Copy;
UndiscoveredElement 2 SystemElement (an invalid snapshot's lost source). Vraid as
(DataRedundancy, PackageRedundancy): Vraid0 (1, 0), Vraid1 (2, 1), Vraid5 (1, 1), Vraid6 (1, 2).
A vsnap is ``ThinlyProvisioned`` (demand allocated, SMI-S Thin Provisioning).
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from pywbem import CIMDateTime, CIMInstance, CIMInstanceName, CIMProperty, Uint16, Uint64

from apprm_ref.sim.eva.models import DrState, Vdisk, VdiskKind, VdiskState, object_id

if TYPE_CHECKING:
    from apprm_ref.sim.eva.smis import EvaSmisDoor

BLOCK = 512
REDUNDANCY = {"vraid0": (1, 0), "vraid1": (2, 1), "vraid5": (1, 1), "vraid6": (1, 2)}
SERVICES = (
    "HPEVA_ReplicationService",
    "HPEVA_StorageConfigurationService",
    "HPEVA_ControllerConfigurationService",
)


def inst(path: CIMInstanceName, **props: Any) -> CIMInstance:
    """An instance of ``path``'s class; an empty array property is a uint16 array."""
    values = {
        k: CIMProperty(k, [], type="uint16") if isinstance(v, list) and not v else v
        for k, v in props.items()
    }
    return CIMInstance(path.classname, properties={**path.keybindings, **values}, path=path)


def link(door: EvaSmisDoor, cls: str, **refs: CIMInstanceName) -> CIMInstanceName:
    return CIMInstanceName(cls, dict(refs), namespace=door.namespace)


def system_instances(door: EvaSmisDoor) -> list[CIMInstance]:
    b, sys_path = door.backend, door.system_path()
    pkg = CIMInstanceName(
        "CIM_PhysicalPackage",
        {"Tag": door.system_name, "CreationClassName": "CIM_PhysicalPackage"},
        namespace=door.namespace,
    )
    out = [
        inst(sys_path, ElementName=b.name, NameFormat="WWN", Dedicated=[Uint16(3)]),
        inst(pkg, Manufacturer="HP", Model=b.model, SerialNumber=door.system_name),
        inst(link(door, "CIM_SystemPackaging", Antecedent=pkg, Dependent=sys_path)),
    ]
    for cls in SERVICES:
        out.append(inst(door.service_path(cls), ElementName=cls, EnabledState=Uint16(2)))
        out.append(
            inst(
                link(
                    door, "CIM_HostedService", Antecedent=sys_path, Dependent=door.service_path(cls)
                )
            )
        )
    return out


def setting_path(door: EvaSmisDoor, group: str, vraid: str) -> CIMInstanceName:
    iid = f"HPEVA:{door.backend.name}:{group}:{vraid}"
    return CIMInstanceName("CIM_StorageSetting", {"InstanceID": iid}, namespace=door.namespace)


def pool_path(door: EvaSmisDoor, group: str) -> CIMInstanceName:
    iid = f"HPEVA:{door.backend.name}:{group}"
    return CIMInstanceName("HPEVA_StoragePool", {"InstanceID": iid}, namespace=door.namespace)


def pool_instances(door: EvaSmisDoor, name: str) -> list[CIMInstance]:
    b, g = door.backend, door.backend.disk_groups[name]
    path = pool_path(door, name)
    caps = CIMInstanceName(
        "CIM_StorageCapabilities",
        {"InstanceID": f"HPEVA:{b.name}:{name}:caps"},
        namespace=door.namespace,
    )
    out = [
        inst(
            path,
            ElementName=name,
            PoolID=name,
            Primordial=False,
            Usage=Uint16(2),  # Unrestricted
            TotalManagedSpace=Uint64(g.capacity_extents * g.extent_bytes),
            RemainingManagedSpace=Uint64(b.free_raw(name) * g.extent_bytes),
            OperationalStatus=[Uint16(2)],
        ),
        inst(
            link(
                door, "CIM_HostedStoragePool", GroupComponent=door.system_path(), PartComponent=path
            )
        ),
        inst(
            caps,
            ElementName=f"{name} capabilities",
            DataRedundancyMax=Uint16(2),
            DataRedundancyMin=Uint16(1),
            DataRedundancyDefault=Uint16(1),
            PackageRedundancyMax=Uint16(2),
            PackageRedundancyMin=Uint16(0),
            PackageRedundancyDefault=Uint16(1),
        ),
        inst(link(door, "CIM_ElementCapabilities", ManagedElement=path, Capabilities=caps)),
    ]
    for vraid, (data, package) in REDUNDANCY.items():
        setting = setting_path(door, name, vraid)
        out.append(
            inst(
                setting,
                ElementName=vraid.capitalize(),
                DataRedundancyGoal=Uint16(data),
                DataRedundancyMin=Uint16(data),
                DataRedundancyMax=Uint16(data),
                PackageRedundancyGoal=Uint16(package),
                PackageRedundancyMin=Uint16(package),
                PackageRedundancyMax=Uint16(package),
                NoSinglePointOfFailure=package > 0,
            )
        )
        assoc = link(
            door, "CIM_StorageSettingsAssociatedToCapabilities", Antecedent=caps, Dependent=setting
        )
        out.append(inst(assoc, DefaultSetting=vraid == "vraid5"))
    return out


def _status(v: Vdisk) -> list[Uint16]:
    if v.state == VdiskState.FAILED:
        return [Uint16(6)]
    if v.state == VdiskState.INVALID:
        return [Uint16(7), Uint16(16)]
    return [Uint16(2)]


def volume_instances(door: EvaSmisDoor, v: Vdisk) -> list[CIMInstance]:
    vol = door.vol_path(v.id)
    data, package = REDUNDANCY[v.vraid.value]
    blocks = v.size_bytes // BLOCK
    out = [
        inst(
            vol,
            ElementName=v.name,
            Name=v.wwn,
            NameFormat=Uint16(2),
            NameNamespace=Uint16(2),
            BlockSize=Uint64(BLOCK),
            NumberOfBlocks=Uint64(blocks),
            ConsumableBlocks=Uint64(blocks),
            DataRedundancy=Uint16(data),
            PackageRedundancy=Uint16(package),
            NoSinglePointOfFailure=package > 0,
            IsBasedOnUnderlyingRedundancy=True,
            Primordial=False,
            ThinlyProvisioned=v.kind == VdiskKind.VSNAP,
            OperationalStatus=_status(v),
            EnabledState=Uint16(2),
            DiskGroupID=v.disk_group,
            VDiskType=v.kind.value,
            RaidType=v.vraid.value.upper(),
        ),
        inst(link(door, "CIM_SystemDevice", GroupComponent=door.system_path(), PartComponent=vol)),
        inst(
            link(
                door,
                "CIM_AllocatedFromStoragePool",
                Antecedent=pool_path(door, v.disk_group),
                Dependent=vol,
            ),
            SpaceConsumed=Uint64(
                v.allocated_raw() * door.backend.disk_groups[v.disk_group].extent_bytes
            ),
        ),
        inst(
            link(
                door,
                "CIM_ElementSettingData",
                ManagedElement=vol,
                SettingData=setting_path(door, v.disk_group, v.vraid.value),
            ),
            IsDefault=Uint16(2),
            IsCurrent=Uint16(1),
        ),
    ]
    for host, lun in sorted(v.presentations.items()):
        pcfu = link(
            door, "CIM_ProtocolControllerForUnit", Antecedent=door.view_path(host), Dependent=vol
        )
        out.append(inst(pcfu, DeviceNumber=f"{lun:04X}", DeviceAccess=Uint16(2)))
    if v.source is not None:
        out.append(sync_instance(door, v))
    return out


def sync_instance(door: EvaSmisDoor, t: Vdisk) -> CIMInstance:
    clone = t.kind == VdiskKind.SNAPCLONE
    src = door.backend.vdisks.get(t.source or "")
    back = src.copy if src is not None and src.copy is not None and src.copy.peer == t.id else None
    copy = t.copy or back
    pct = 100 if copy is None else int(100 * copy.fraction(door.world.now()))
    if t.state in (VdiskState.FAILED, VdiskState.INVALID):
        sync_state, copy_state, progress = 12, 5, 2  # Broken
    elif back is not None:
        sync_state, copy_state, progress = 10, 3, 8  # Restore In Progress / Restoring
    elif clone and t.normalizing:
        sync_state, copy_state, progress = 15, 3, 6  # Copy In Progress / Synchronizing
    elif clone:
        sync_state, copy_state, progress = 14, 4, 2  # Frozen / Synchronized / Completed
    else:
        sync_state, copy_state, progress = 11, 4, 2  # Idle / Synchronized (PIT valid)
    when = CIMDateTime(door.world.clock.epoch + timedelta(seconds=t.created_at))
    props: dict[str, Any] = dict(
        SyncType=Uint16(8 if clone else 7),
        Mode=Uint16(3 if clone else 2),
        CopyType=Uint16(5 if clone else 4),
        ReplicaType=Uint16(2 if clone else 3),  # Full Copy / Before Delta
        SyncState=Uint16(sync_state),
        CopyState=Uint16(copy_state),
        ProgressStatus=Uint16(progress),
        PercentSynced=Uint16(pct),
        CopyMethodology=Uint16(3 if clone else 6),
        SyncMaintained=False,
        WhenEstablished=when,
        WhenActivated=when,
    )
    if src is None:
        props["UndiscoveredElement"] = Uint16(2)
    return inst(door.sync_path(t), **props)


# Continuous Access state -> CIM OperationalStatus (smis_mof.py: the class and its properties
# are cited, this mapping is inferred). Distinct arrays, so a client can map them back.
DR_OPERATIONAL_STATUS: dict[DrState, tuple[int, ...]] = {
    DrState.NORMAL: (2,),  # OK
    DrState.WARNING: (3,),  # Degraded
    DrState.ERROR: (6,),  # Error
    DrState.UNKNOWN: (0,),  # Unknown
    DrState.LOGGING: (3, 13),  # Degraded, Lost Communication
    DrState.FAILSAFE: (6, 10),  # Error, Stopped
}


def dr_group_instances(door: EvaSmisDoor, name: str, gid: str) -> list[CIMInstance]:
    """A CA EVA DR group as HP's ``HPEVA_ConsistencySet`` (56-hex-digit InstanceID,
    protocols.md 1.1) and its ordered members."""
    g = door.backend.dr_groups[name]
    path = CIMInstanceName("HPEVA_ConsistencySet", {"InstanceID": gid}, namespace=door.namespace)
    out = [
        inst(
            path,
            ElementName=name,
            ParticipationType=g.role,
            RemoteCellName=g.remote_array,
            OperationalStatus=[Uint16(v) for v in DR_OPERATIONAL_STATUS[g.state]],
        )
    ]
    for i, vid in enumerate(g.members):
        member = link(
            door, "HPEVA_OrderedMemberOfCollection", Collection=path, Member=door.vol_path(vid)
        )
        out.append(inst(member, AssignedSequence=Uint64(i + 1)))  # DMTF: 0 is "don't care"
    return out


def device_of(door: EvaSmisDoor, vid: str) -> str:
    return object_id(door.backend.name, vid)
