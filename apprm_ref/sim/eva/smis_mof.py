"""Minimal CIM schema (MOF) the EVA SMI-S door serves in ``root/eva``.

Hand-written subset of the DMTF classes of protocols.md 1.2 with the ``HPEVA_`` subclasses
the HP provider used (1.1). Method signatures follow protocols.md 1.3; parameters named
``HPEVA_*`` are our vendor extensions **(inferred)**: snapshot allocation (standard/vsnap)
and Vraid on CreateElementReplica, keep/retain options on ModifyReplicaSynchronization,
and ``HPEVA_ErrorCode`` out-parameters carrying the EVA refusal code. Added for the real
driver (``real/eva_smis.py``): ``CreateListReplica`` (SMI-S 1.5 Replication Services: several
replicas at one point in time, all or nothing) with per-element ``HPEVA_*`` arrays,
``CIM_ReplicationServiceCapabilities`` with ``HPEVA_*`` limits, and
``HPEVA_TimeRemaining`` (an interval) on ``CIM_StorageSynchronized`` so a driver can tell
when a background copy ends, and CA EVA DR groups (``HPEVA_DRGroup`` with ``HPEVA_State``,
members by ``HPEVA_OrderedMemberOfCollection``, protocols.md 1.1), and
``HPEVA_ParentDeviceID`` on a volume: the source it was taken from, still known when the
source is gone and its ``CIM_StorageSynchronized`` with it (an invalid snapshot, E13)
**(inferred vendor extensions)**.
"""

from __future__ import annotations

NAMESPACE = "root/eva"

QUALIFIERS = """
Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier In : boolean = true, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Out : boolean = false, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any), Flavor(EnableOverride, ToSubclass, Translatable);
"""

CLASSES = """
class CIM_ManagedElement {
    string ElementName;
};
class CIM_ComputerSystem : CIM_ManagedElement {
    [Key] string CreationClassName;
    [Key] string Name;
};
class HPEVA_StorageSystem : CIM_ComputerSystem {
    string Model;
};
class CIM_StoragePool : CIM_ManagedElement {
    [Key] string InstanceID;
    string PoolID;
    uint64 TotalManagedSpace;
    uint64 RemainingManagedSpace;
};
class HPEVA_DiskGroup : CIM_StoragePool {
};
class CIM_StorageVolume : CIM_ManagedElement {
    [Key] string SystemCreationClassName;
    [Key] string SystemName;
    [Key] string CreationClassName;
    [Key] string DeviceID;
    string Name;
    uint16 NameFormat;
    uint64 BlockSize;
    uint64 NumberOfBlocks;
    uint16 OperationalStatus[];
};
class HPEVA_StorageVolume : CIM_StorageVolume {
    string DiskGroupID;
    string VDiskType;
    string RaidType;
    string EVAState;
    string HPEVA_ParentDeviceID;
};
class CIM_SCSIProtocolController : CIM_ManagedElement {
    [Key] string SystemCreationClassName;
    [Key] string SystemName;
    [Key] string CreationClassName;
    [Key] string DeviceID;
};
[Association]
class CIM_ProtocolControllerForUnit {
    [Key] CIM_SCSIProtocolController REF Antecedent;
    [Key] CIM_StorageVolume REF Dependent;
    string DeviceNumber;
};
[Association]
class CIM_StorageSynchronized {
    [Key] CIM_StorageVolume REF SystemElement;
    [Key] CIM_StorageVolume REF SyncedElement;
    uint16 SyncType;
    uint16 Mode;
    uint16 CopyType;
    uint16 SyncState;
    uint16 CopyState;
    uint16 ProgressStatus;
    uint16 PercentSynced;
    boolean SyncMaintained;
    datetime WhenEstablished;
    datetime HPEVA_TimeRemaining;
};
class CIM_Collection : CIM_ManagedElement {
};
class HPEVA_DRGroup : CIM_Collection {
    [Key] string InstanceID;
    string HPEVA_State;
    string HPEVA_Role;
    string HPEVA_RemoteArray;
};
[Association]
class CIM_MemberOfCollection {
    [Key] CIM_Collection REF Collection;
    [Key] CIM_ManagedElement REF Member;
};
[Association]
class HPEVA_OrderedMemberOfCollection : CIM_MemberOfCollection {
    uint64 AssignedSequence;
};
class CIM_ConcreteJob : CIM_ManagedElement {
    [Key] string InstanceID;
    uint16 JobState;
    uint16 PercentComplete;
    uint16 OperationalStatus[];
    uint16 ErrorCode;
    string ErrorDescription;
    boolean DeleteOnCompletion;
};
class HPEVA_ConcreteJob : CIM_ConcreteJob {
};
class CIM_Service : CIM_ManagedElement {
    [Key] string SystemCreationClassName;
    [Key] string SystemName;
    [Key] string CreationClassName;
    [Key] string Name;
};
class CIM_ReplicationService : CIM_Service {
    uint32 CreateElementReplica(
        [In] string ElementName,
        [In] uint16 SyncType,
        [In] uint16 Mode,
        [In] CIM_StorageVolume REF SourceElement,
        [In, Out] CIM_StorageVolume REF TargetElement,
        [In] string ReplicationSettingData,
        [In] CIM_StoragePool REF TargetPool,
        [In] uint16 WaitForCopyState,
        [In] string HPEVA_SnapshotType,
        [In] string HPEVA_Vraid,
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] CIM_StorageSynchronized REF Synchronization,
        [In(false), Out] string HPEVA_ErrorCode);
    uint32 CreateListReplica(
        [In] string ElementNames[],
        [In] uint16 SyncType,
        [In] uint16 Mode,
        [In] CIM_StorageVolume REF SourceElements[],
        [In, Out] CIM_StorageVolume REF TargetElements[],
        [In] string ReplicationSettingData,
        [In] CIM_StoragePool REF TargetPool,
        [In] uint16 WaitForCopyState,
        [In] uint16 HPEVA_SyncTypes[],
        [In] string HPEVA_SnapshotTypes[],
        [In] string HPEVA_Vraids[],
        [In] string HPEVA_PoolIDs[],
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] CIM_StorageSynchronized REF Synchronizations[],
        [In(false), Out] string HPEVA_ErrorCode);
    uint32 ModifyReplicaSynchronization(
        [In] uint16 Operation,
        [In] CIM_StorageSynchronized REF Synchronization,
        [In] boolean Force,
        [In] uint16 WaitForCopyState,
        [In] boolean HPEVA_KeepReplica,
        [In] boolean HPEVA_RetainSource,
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] CIM_StorageVolume REF HPEVA_RecoveredElement,
        [In(false), Out] string HPEVA_ErrorCode);
};
class HPEVA_ReplicationService : CIM_ReplicationService {
};
class CIM_Capabilities : CIM_ManagedElement {
    [Key] string InstanceID;
};
class CIM_ReplicationServiceCapabilities : CIM_Capabilities {
    uint16 SupportedSynchronizationType[];
    uint16 SupportedModifyOperations[];
    string HPEVA_SnapshotTypes[];
    uint32 HPEVA_MaxVdisks;
    uint64 HPEVA_MaxVdiskBytes;
    uint16 HPEVA_MaxSnapshotsPerSource;
    uint16 HPEVA_MinSnapshotsPerSource;
};
class HPEVA_ReplicationServiceCapabilities : CIM_ReplicationServiceCapabilities {
};
[Association]
class CIM_ElementCapabilities {
    [Key] CIM_ManagedElement REF ManagedElement;
    [Key] CIM_Capabilities REF Capabilities;
};
class CIM_StorageConfigurationService : CIM_Service {
    uint32 ReturnToStoragePool(
        [In] CIM_StorageVolume REF TheElement,
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] string HPEVA_ErrorCode);
};
class HPEVA_StorageConfigurationService : CIM_StorageConfigurationService {
};
class CIM_ControllerConfigurationService : CIM_Service {
    uint32 ExposePaths(
        [In] string LUNames[],
        [In] string InitiatorPortIDs[],
        [In] string TargetPortIDs[],
        [In] string DeviceNumbers[],
        [In] uint16 DeviceAccesses[],
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] string HPEVA_ErrorCode);
    uint32 HidePaths(
        [In] string LUNames[],
        [In] string InitiatorPortIDs[],
        [In] string TargetPortIDs[],
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] string HPEVA_ErrorCode);
};
class HPEVA_ControllerConfigurationService : CIM_ControllerConfigurationService {
};
"""
