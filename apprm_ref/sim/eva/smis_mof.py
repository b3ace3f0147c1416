"""CIM schema (MOF) the EVA SMI-S door serves in ``root/eva``: the DMTF classes, properties,
methods and parameters of SMI-S 1.x Array / Block Services / Replication Services / Job
Control that the door implements, with the ``HPEVA_`` subclasses of HP's provider.

Hand-written subset of the DMTF CIM schema (2.2x-2.4x): class names, key properties,
inheritance (``CIM_StorageSynchronized : CIM_Synchronized``, ``CIM_HostedService :
CIM_HostedDependency : CIM_Dependency``, ``CIM_SystemDevice`` / ``CIM_HostedStoragePool :
CIM_SystemComponent : CIM_Component``) and method signatures follow the DMTF MOF as
published in the Microsoft iSCSI Target CIM reference (github.com/MicrosoftDocs/win32,
``desktop-src/iSCSITarg/cim-*.md``: CIM_ReplicationService, CIM_ReplicationServiceCapabilities
with GetSupportedOperations / GetSupportedGroupOperations / GetDefaultReplicationSettingData,
CIM_StorageConfigurationService, CIM_StoragePool.GetSupportedSizeRange, CIM_ConcreteJob),
CIM_ReplicationSettingData properties as in the DMTF 2.34 class (OpenPegasus provider
headers, brunolauze/openpegasus-providers ``UNIX_ReplicationSettingData.h``) and
protocols.md 1.2-1.6.

Vendor names: the door publishes a vendor class only as HP's CIMOM names it and a vendor
property only where a public source shows HP's CIMOM serving it; everything else is DMTF
standard. The list below is every ``HPEVA_`` name of this MOF and every property an
``HPEVA_`` class adds; ``tests/unit/sim/eva/test_eva_smis_vendor_names.py`` checks the MOF
and the served instances against it. Sources: protocols.md 1.1 (names seen on HP's EVA
CIMOM); the Zenoss community HPEVAMon ZenPack (github.com/epuzanov/ZenPacks.community.HPEVAMon,
WBEM modelers that query HP's ``root/eva``).

Cited vendor names:

- ``HPEVA_StorageSystem``: HPEVAMon ``HPEVADeviceMap`` ("maps HPEVA_StorageSystem class").
- ``HPEVA_StorageVolume``: protocols.md 1.1; HPEVAMon ``HPEVA_StorageVolume.py``.
- ``HPEVA_StorageVolume.DiskGroupID``, ``HPEVA_StorageVolume.VDiskType``,
  ``HPEVA_StorageVolume.RaidType``: protocols.md 1.1 ("HPEVA_StorageVolume properties seen").
- ``HPEVA_StoragePool``: HPEVAMon ``HPEVAStoragePoolMap`` (``SELECT * FROM HPEVA_StoragePool``,
  the EVA disk groups).
- ``HPEVA_OrderedMemberOfCollection``: protocols.md 1.1 (DR group membership); a
  ``CIM_OrderedMemberOfCollection`` whose ``AssignedSequence`` is DMTF's (1 = first; 0 would
  mean "don't care").
- ``HPEVA_ConsistencySet`` and its ``HPEVA_ConsistencySet.ParticipationType``,
  ``HPEVA_ConsistencySet.RemoteCellName``, ``HPEVA_ConsistencySet.WriteMode``,
  ``HPEVA_ConsistencySet.AsyncType``, ``HPEVA_ConsistencySet.SuspendMode``,
  ``HPEVA_ConsistencySet.FailSafe``, ``HPEVA_ConsistencySet.HostAccessMode``,
  ``HPEVA_ConsistencySet.drmlogdiskgroupid``: HPEVAMon ``HPEVAConsistencySetMap.py`` (below).
- ``HPEVA_ConsistencySet.OperationalStatus``: the standard CIM property, rated on this class
  by HPEVAMon's ``objects/objects.xml`` template; its values per state are **(inferred)**.
- ``HPEVA_ConcreteJob``, ``HPEVA_ReplicationService``, ``HPEVA_ReplicationServiceCapabilities``,
  ``HPEVA_StorageConfigurationService``, ``HPEVA_ControllerConfigurationService``: class names
  only, HP's prefix on the standard class (protocols.md 1.1 "EVA class prefix ``HPEVA_``";
  HP's SVSP SMI-S provider names its services the same way, ``HPSVSP_StorageConfigurationService``,
  SMI-S User Guide 5697-0209); the exact names are **(inferred)**, they add no property and a
  standard client finds them by the ``CIM_`` class.

A copy's end is not among them: SMI-S has no completion time, and a client learns that a
background copy (snapclone unsharing, copy-back) is finished from the standard
``CIM_StorageSynchronized.SyncState`` (15 Copy In Progress, 10 Restore In Progress; 14
Frozen "all blocks copied ... the copy engine is stopped" once done), ``CopyState`` and
``PercentSynced`` (DMTF CIM_StorageSynchronized, schemas.dmtf.org/wbem/cim-html/2.31.0+;
SMI-S 1.6 Part 3 Block Devices, Replication Services profile; HP's SVSP SMI-S User Guide,
Replication Services Profile tables: ``PercentSynced`` "Percent of completion"), polling as
SMI-S clients poll jobs.

A Continuous Access DR group is HP's ``HPEVA_ConsistencySet`` (a
``CIM_SystemSpecificCollection``; members by ``HPEVA_OrderedMemberOfCollection``) with the
properties ``InstanceID``, ``ElementName``, ``ParticipationType`` (the group's role on this
array), ``RemoteCellName`` (the other array), ``WriteMode``, ``AsyncType``, ``SuspendMode``,
``FailSafe``, ``HostAccessMode``, ``drmlogdiskgroupid``: cited from the HPEVAMon ZenPack,
whose modeler ``HPEVA_ConsistencySetMap.py`` (later
``modeler/plugins/community/cim/HPEVAConsistencySetMap.py``) reads exactly those properties
of that class in ``root/eva``, whose component ``HPEVAConsistencySet.py`` models it as a DR
group, and whose monitoring template for ``HPEVA_ConsistencySet`` (``objects/objects.xml``)
rates the group on the standard CIM ``OperationalStatus`` scale (0 Unknown, 2 OK, 3
Degraded, 6 Error; there computed from the group's link state). The door serves the group
state as a standard ``OperationalStatus`` array; that property on this class and which
values stand for which Continuous Access state are **(inferred)**: normal [2], warning [3],
error [6], unknown [0], logging [3, 13] (Degraded, Lost Communication), failsafe [6, 10]
(Error, Stopped) (``DR_OPERATIONAL_STATUS`` in ``smis_instances.py``).
"""

from __future__ import annotations

NAMESPACE = "root/eva"

QUALIFIERS = """
Qualifier Key : boolean = false, Scope(property, reference), Flavor(DisableOverride, ToSubclass);
Qualifier In : boolean = true, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Out : boolean = false, Scope(parameter), Flavor(DisableOverride, ToSubclass);
Qualifier Association : boolean = false, Scope(association), Flavor(DisableOverride, ToSubclass);
Qualifier Description : string = null, Scope(any), Flavor(EnableOverride, ToSubclass, Translatable);
Qualifier Override : string = null, Scope(property, reference, method), Flavor(EnableOverride, Restricted);
Qualifier EmbeddedInstance : string = null, Scope(property, method, parameter);
Qualifier ValueMap : string[], Scope(property, method, parameter);
Qualifier Values : string[], Scope(property, method, parameter), Flavor(EnableOverride, ToSubclass, Translatable);
Qualifier Static : boolean = false, Scope(property, method), Flavor(DisableOverride, ToSubclass);
"""

_ELEMENTS = """
class CIM_ManagedElement {
    string InstanceID; string Caption; string Description; string ElementName;
};
class CIM_SettingData : CIM_ManagedElement { [Key, Override("InstanceID")] string InstanceID; };
class CIM_StorageSetting : CIM_SettingData {
    uint16 DataRedundancyMax; uint16 DataRedundancyMin; uint16 DataRedundancyGoal;
    uint16 PackageRedundancyMax; uint16 PackageRedundancyMin; uint16 PackageRedundancyGoal;
    boolean NoSinglePointOfFailure; uint64 ExtentStripeLength;
};
class CIM_ReplicationSettingData : CIM_SettingData {
    uint16 DesiredCopyMethodology; uint16 TargetElementSupplier; uint16 ThinProvisioningPolicy;
    boolean ConsistentPointInTime; uint16 CopyPriority; boolean AutoDelete;
};
class CIM_ManagedSystemElement : CIM_ManagedElement {
    string Name; uint16 OperationalStatus[]; string StatusDescriptions[];
};
class CIM_LogicalElement : CIM_ManagedSystemElement { };
class CIM_EnabledLogicalElement : CIM_LogicalElement { uint16 EnabledState; };
class CIM_System : CIM_EnabledLogicalElement {
    [Key] string CreationClassName;
    [Key, Override("Name")] string Name;
    string NameFormat;
};
class CIM_ComputerSystem : CIM_System {
    uint16 Dedicated[]; string OtherIdentifyingInfo[]; string IdentifyingDescriptions[];
};
class HPEVA_StorageSystem : CIM_ComputerSystem { };
class CIM_PhysicalElement : CIM_ManagedSystemElement {
    [Key] string Tag; [Key] string CreationClassName;
    string Manufacturer; string Model; string SerialNumber;
};
class CIM_PhysicalPackage : CIM_PhysicalElement { };
class CIM_LogicalDevice : CIM_EnabledLogicalElement {
    [Key] string SystemCreationClassName; [Key] string SystemName;
    [Key] string CreationClassName; [Key] string DeviceID;
};
class CIM_StorageExtent : CIM_LogicalDevice {
    uint64 BlockSize; uint64 NumberOfBlocks; uint64 ConsumableBlocks;
    uint16 NameFormat; uint16 NameNamespace; uint16 DataRedundancy; uint16 PackageRedundancy;
    boolean NoSinglePointOfFailure; boolean IsBasedOnUnderlyingRedundancy;
    uint64 ExtentStripeLength; boolean Primordial; uint16 ExtentStatus[];
};
class CIM_StorageVolume : CIM_StorageExtent { boolean ThinlyProvisioned; };
class HPEVA_StorageVolume : CIM_StorageVolume {
    string DiskGroupID; string VDiskType; string RaidType;
};
class CIM_ProtocolController : CIM_LogicalDevice { };
class CIM_SCSIProtocolController : CIM_ProtocolController { };
class CIM_ResourcePool : CIM_LogicalElement {
    [Key, Override("InstanceID")] string InstanceID; string PoolID; boolean Primordial;
};
class CIM_StoragePool : CIM_ResourcePool {
    uint64 TotalManagedSpace; uint64 RemainingManagedSpace; uint16 Usage;
    uint32 GetSupportedSizeRange(
        [In] uint16 ElementType,
        [In, EmbeddedInstance("CIM_StorageSetting")] string Goal,
        [In(false), Out] uint64 MinimumVolumeSize,
        [In(false), Out] uint64 MaximumVolumeSize,
        [In(false), Out] uint64 VolumeSizeDivisor);
};
class HPEVA_StoragePool : CIM_StoragePool { };
class CIM_Collection : CIM_ManagedElement { };
class CIM_SystemSpecificCollection : CIM_Collection {
    [Key, Override("InstanceID")] string InstanceID;
};
class HPEVA_ConsistencySet : CIM_SystemSpecificCollection {
    string ParticipationType; string RemoteCellName; string WriteMode; string AsyncType;
    string SuspendMode; string FailSafe; string HostAccessMode; string drmlogdiskgroupid;
    uint16 OperationalStatus[];
};
class CIM_Capabilities : CIM_ManagedElement { [Key, Override("InstanceID")] string InstanceID; };
class CIM_StorageCapabilities : CIM_Capabilities {
    uint16 DataRedundancyMax; uint16 DataRedundancyMin; uint16 DataRedundancyDefault;
    uint16 PackageRedundancyMax; uint16 PackageRedundancyMin; uint16 PackageRedundancyDefault;
};
class CIM_StorageConfigurationCapabilities : CIM_Capabilities {
    uint16 SupportedStoragePoolFeatures[]; uint16 SupportedStorageElementTypes[];
    uint16 SupportedStorageElementFeatures[]; uint16 SupportedSynchronousActions[];
    uint16 SupportedAsynchronousActions[];
};
"""

_ASSOCIATIONS = """
[Association] class CIM_Dependency {
    [Key] CIM_ManagedElement REF Antecedent; [Key] CIM_ManagedElement REF Dependent;
};
[Association] class CIM_HostedDependency : CIM_Dependency { };
[Association] class CIM_HostedService : CIM_HostedDependency {
    [Key, Override("Antecedent")] CIM_System REF Antecedent;
    [Key, Override("Dependent")] CIM_Service REF Dependent;
};
[Association] class CIM_Component {
    [Key] CIM_ManagedElement REF GroupComponent; [Key] CIM_ManagedElement REF PartComponent;
};
[Association] class CIM_SystemComponent : CIM_Component { };
[Association] class CIM_SystemDevice : CIM_SystemComponent {
    [Key, Override("GroupComponent")] CIM_System REF GroupComponent;
    [Key, Override("PartComponent")] CIM_LogicalDevice REF PartComponent;
};
[Association] class CIM_HostedStoragePool : CIM_SystemComponent {
    [Key, Override("GroupComponent")] CIM_System REF GroupComponent;
    [Key, Override("PartComponent")] CIM_StoragePool REF PartComponent;
};
[Association] class CIM_SystemPackaging : CIM_Dependency {
    [Key, Override("Antecedent")] CIM_PhysicalElement REF Antecedent;
    [Key, Override("Dependent")] CIM_System REF Dependent;
};
[Association] class CIM_AllocatedFromStoragePool : CIM_Dependency {
    [Key, Override("Antecedent")] CIM_StoragePool REF Antecedent;
    [Key, Override("Dependent")] CIM_LogicalElement REF Dependent;
    uint64 SpaceConsumed;
};
[Association] class CIM_ElementSettingData {
    [Key] CIM_ManagedElement REF ManagedElement; [Key] CIM_SettingData REF SettingData;
    uint16 IsDefault; uint16 IsCurrent;
};
[Association] class CIM_ElementCapabilities {
    [Key] CIM_ManagedElement REF ManagedElement; [Key] CIM_Capabilities REF Capabilities;
};
[Association] class CIM_StorageSettingsAssociatedToCapabilities : CIM_Dependency {
    [Key, Override("Antecedent")] CIM_StorageCapabilities REF Antecedent;
    [Key, Override("Dependent")] CIM_StorageSetting REF Dependent;
    boolean DefaultSetting;
};
[Association] class CIM_ProtocolControllerForDevice : CIM_Dependency {
    [Key, Override("Antecedent")] CIM_ProtocolController REF Antecedent;
    [Key, Override("Dependent")] CIM_LogicalDevice REF Dependent;
    string DeviceNumber; uint16 DeviceAccess;
};
[Association] class CIM_ProtocolControllerForUnit : CIM_ProtocolControllerForDevice { };
[Association] class CIM_MemberOfCollection {
    [Key] CIM_Collection REF Collection; [Key] CIM_ManagedElement REF Member;
};
[Association] class CIM_OrderedMemberOfCollection : CIM_MemberOfCollection {
    uint64 AssignedSequence;
};
[Association] class HPEVA_OrderedMemberOfCollection : CIM_OrderedMemberOfCollection { };
[Association] class CIM_AffectedJobElement {
    [Key] CIM_ManagedElement REF AffectedElement; [Key] CIM_Job REF AffectingElement;
    uint16 ElementEffects[];
};
[Association] class CIM_OwningJobElement {
    [Key] CIM_ManagedElement REF OwningElement; [Key] CIM_Job REF OwnedElement;
};
[Association] class CIM_ElementConformsToProfile {
    [Key] CIM_RegisteredProfile REF ConformantStandard; [Key] CIM_ManagedElement REF ManagedElement;
};
"""

JOB_MOF = """
class CIM_Error {
    uint16 ErrorType; string OtherErrorType; string OwningEntity; string MessageID; string Message;
    string MessageArguments[]; uint16 PerceivedSeverity; uint16 ProbableCause;
    string ProbableCauseDescription; string RecommendedActions[]; string ErrorSource;
    uint16 ErrorSourceFormat; uint32 CIMStatusCode; string CIMStatusCodeDescription;
};
class CIM_Job : CIM_LogicalElement {
    datetime TimeSubmitted; datetime StartTime; datetime ElapsedTime; datetime TimeBeforeRemoval;
    boolean DeleteOnCompletion; uint16 ErrorCode; string ErrorDescription;
    uint16 PercentComplete; uint16 LocalOrUtcTime;
};
class CIM_ConcreteJob : CIM_Job {
    [Key, Override("InstanceID")] string InstanceID; uint16 JobState; datetime TimeOfLastStateChange;
    uint32 GetError([In(false), Out, EmbeddedInstance("CIM_Error")] string Error);
};
class HPEVA_ConcreteJob : CIM_ConcreteJob { };
"""

_SYNC = """
[Association] class CIM_Synchronized {
    [Key] CIM_ManagedElement REF SystemElement; [Key] CIM_ManagedElement REF SyncedElement;
    boolean SyncMaintained; datetime WhenSynced;
};
[Association] class CIM_StorageSynchronized : CIM_Synchronized {
    uint16 SyncType; uint16 Mode; uint16 CopyType; uint16 ReplicaType; uint16 SyncState;
    uint16 CopyState; uint16 ProgressStatus; uint16 PercentSynced; uint16 CopyMethodology;
    uint16 UndiscoveredElement; datetime WhenEstablished; datetime WhenActivated;
};
"""

_REPLICATION = """
class CIM_Service : CIM_EnabledLogicalElement {
    [Key] string SystemCreationClassName; [Key] string SystemName;
    [Key] string CreationClassName; [Key, Override("Name")] string Name;
};
class CIM_ReplicationService : CIM_Service {
    uint32 CreateElementReplica(
        [In] string ElementName, [In] uint16 SyncType, [In] uint16 Mode,
        [In] CIM_LogicalElement REF SourceElement,
        [In, Out] CIM_LogicalElement REF TargetElement,
        [In, EmbeddedInstance("CIM_ReplicationSettingData")] string ReplicationSettingData,
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] CIM_Synchronized REF Synchronization,
        [In] CIM_SettingData REF TargetSettingGoal, [In] CIM_ResourcePool REF TargetPool,
        [In] uint16 WaitForCopyState);
    uint32 CreateListReplica(
        [In] string ElementNames[], [In] uint16 SyncType, [In] uint16 Mode,
        [In] CIM_LogicalElement REF SourceElements[],
        [In, Out] CIM_LogicalElement REF TargetElements[],
        [In, EmbeddedInstance("CIM_ReplicationSettingData")] string ReplicationSettingData,
        [In(false), Out] CIM_ConcreteJob REF Job,
        [In(false), Out] CIM_Synchronized REF Synchronizations[],
        [In] CIM_SettingData REF TargetSettingGoal, [In] CIM_ResourcePool REF TargetPool,
        [In] uint16 WaitForCopyState);
    uint32 ModifyReplicaSynchronization(
        [In] uint16 Operation, [In] CIM_Synchronized REF Synchronization,
        [In, EmbeddedInstance("CIM_ReplicationSettingData")] string ReplicationSettingData,
        [In(false), Out] CIM_ConcreteJob REF Job, [In] boolean Force,
        [In] uint16 WaitForCopyState);
};
class HPEVA_ReplicationService : CIM_ReplicationService { };
class CIM_ReplicationServiceCapabilities : CIM_Capabilities {
    uint16 SupportedReplicationTypes[]; uint16 SupportedStorageObjects[];
    uint16 SupportedAsynchronousActions[]; uint16 SupportedSynchronousActions[];
    uint32 GetSupportedOperations([In] uint16 ReplicationType,
        [In(false), Out] uint16 SupportedOperations[]);
    uint32 GetSupportedGroupOperations([In] uint16 ReplicationType,
        [In(false), Out] uint16 SupportedGroupOperations[]);
    uint32 GetDefaultReplicationSettingData([In] uint16 ReplicationType,
        [In(false), Out, EmbeddedInstance("CIM_ReplicationSettingData")] string DefaultInstance);
};
class HPEVA_ReplicationServiceCapabilities : CIM_ReplicationServiceCapabilities { };
class CIM_StorageConfigurationService : CIM_Service {
    uint32 CreateOrModifyElementFromStoragePool(
        [In] string ElementName, [In] uint16 ElementType,
        [In(false), Out] CIM_ConcreteJob REF Job, [In] CIM_ManagedElement REF Goal,
        [In, Out] uint64 Size, [In] CIM_StoragePool REF InPool,
        [In, Out] CIM_LogicalElement REF TheElement);
    uint32 ReturnToStoragePool(
        [In(false), Out] CIM_ConcreteJob REF Job, [In] CIM_LogicalElement REF TheElement);
    uint32 ReturnElementsToStoragePool(
        [In] CIM_ManagedElement REF TheElements[], [In(false), Out] CIM_ConcreteJob REF Job,
        [In] uint16 Options);
    uint32 CreateReplica(
        [In] string ElementName, [In(false), Out] CIM_ConcreteJob REF Job,
        [In] CIM_LogicalElement REF SourceElement,
        [In(false), Out] CIM_LogicalElement REF TargetElement,
        [In] CIM_StorageSetting REF TargetSettingGoal, [In] CIM_StoragePool REF TargetPool,
        [In] uint16 CopyType);
    uint32 ModifySynchronization(
        [In] uint16 Operation, [In(false), Out] CIM_ConcreteJob REF Job,
        [In] CIM_StorageSynchronized REF Synchronization);
};
class HPEVA_StorageConfigurationService : CIM_StorageConfigurationService { };
class CIM_ControllerConfigurationService : CIM_Service {
    uint32 ExposePaths(
        [In(false), Out] CIM_ConcreteJob REF Job, [In] string LUNames[],
        [In] string InitiatorPortIDs[], [In] string TargetPortIDs[], [In] string DeviceNumbers[],
        [In] uint16 DeviceAccesses[], [In, Out] CIM_SCSIProtocolController REF ProtocolControllers[]);
    uint32 HidePaths(
        [In(false), Out] CIM_ConcreteJob REF Job, [In] string LUNames[],
        [In] string InitiatorPortIDs[], [In] string TargetPortIDs[],
        [In, Out] CIM_SCSIProtocolController REF ProtocolControllers[]);
};
class HPEVA_ControllerConfigurationService : CIM_ControllerConfigurationService { };
"""

REGISTERED_PROFILE_MOF = """
class CIM_RegisteredProfile : CIM_ManagedElement {
    [Key, Override("InstanceID")] string InstanceID;
    [ValueMap {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14",
        "15", "16", "17", "18", "19", "20", "21"},
     Values {"Other", "DMTF", "CompTIA", "Consortium for Service Innovation", "FAST", "GGF",
        "INTAP", "itSMF", "NAC", "Northwest Energy Efficiency Alliance", "SNIA", "TM Forum",
        "The Open Group", "ANSI", "IEEE", "IETF", "INCITS", "ISO", "W3C", "OGF",
        "The Green Grid"}]
    uint16 RegisteredOrganization;
    string OtherRegisteredOrganization; string RegisteredName; string RegisteredVersion;
    [ValueMap {"1", "2", "3"}, Values {"Other", "Not Advertised", "SLP"}]
    uint16 AdvertiseTypes[];
};
class CIM_RegisteredSubProfile : CIM_RegisteredProfile { };
"""

CLASSES = _ELEMENTS + REGISTERED_PROFILE_MOF + JOB_MOF + _SYNC + _REPLICATION + _ASSOCIATIONS
