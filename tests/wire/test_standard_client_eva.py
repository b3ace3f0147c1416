"""A client written from the SNIA SMI-S / DMTF CIM specifications alone, against the EVA
SMI-S door: it knows the Interop namespace, the registered profiles, the standard classes,
associations, capabilities, methods and value maps, and nothing of this project
(WIRE-I1, WIRE-I2).

Sources: SMI-S 1.x Profile Registration (CIM_RegisteredProfile, RegisteredOrganization 11
SNIA, CIM_ElementConformsToProfile), Array / Block Services (CIM_HostedService,
CIM_HostedStoragePool, CIM_SystemDevice, CIM_AllocatedFromStoragePool,
CreateOrModifyElementFromStoragePool, ReturnElementsToStoragePool,
CIM_StoragePool.GetSupportedSizeRange), Replication Services (CIM_ReplicationService,
CIM_ReplicationServiceCapabilities.SupportedReplicationTypes / GetSupportedOperations /
GetDefaultReplicationSettingData, CreateElementReplica, ModifyReplicaSynchronization,
CIM_StorageSynchronized : CIM_Synchronized), Copy Services (CreateReplica CopyType,
ModifySynchronization), Job Control (CIM_ConcreteJob JobState, ErrorCode, GetError ->
CIM_Error, CIM_AffectedJobElement); DMTF method references as published in
github.com/MicrosoftDocs/win32 desktop-src/iSCSITarg/cim-*.md; protocols.md section 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pywbem import CIMInstance, CIMInstanceName, Uint16, Uint64, WBEMServer

from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.smis import EvaSmisDoor
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World

pytestmark = pytest.mark.rule("WIRE-I1")

# value maps used by the client (DMTF CIM schema)
SNIA = 11
SYNC_SNAPSHOT, SYNC_CLONE = 7, 8
SNAPSHOT_TYPES, CLONE_TYPES = {6, 7}, {10, 11}  # Sync/Async Snapshot Local, Clone Local
OP_DETACH, OP_FRACTURE, OP_RESYNC = 8, 12, 14
THIN_FULL_TO_THIN = 4  # ThinProvisioningPolicy "Copy full source to thin target"
JOB_FINISHED = {7, 8, 9, 10}
JOB_COMPLETED, STATUS_OK, STATUS_ERROR = 7, 2, 6
RC_OK, RC_NOT_SUPPORTED, RC_JOB = 0, 1, 4096
ELEMENT_STORAGE_VOLUME = 2
COPY_UNSYNC_ASSOC, LEGACY_DETACH = 4, 2


@dataclass
class Array:
    """What a standard client discovers: the array and its services, pools and caps."""

    conn: object
    system: CIMInstanceName
    replication: CIMInstanceName
    configuration: CIMInstanceName
    caps: CIMInstance
    pool: CIMInstanceName


def discover(conn) -> Array:  # type: ignore[no-untyped-def]
    """Interop namespace -> SNIA Array profile -> system -> services, pools, capabilities."""
    server = WBEMServer(conn)
    [profile] = server.get_selected_profiles("SNIA", "Array")
    [system] = conn.AssociatorNames(profile.path, AssocClass="CIM_ElementConformsToProfile")
    [rs] = conn.AssociatorNames(
        system, AssocClass="CIM_HostedService", ResultClass="CIM_ReplicationService"
    )
    [scs] = conn.AssociatorNames(
        system, AssocClass="CIM_HostedService", ResultClass="CIM_StorageConfigurationService"
    )
    [caps] = conn.Associators(
        rs, AssocClass="CIM_ElementCapabilities", ResultClass="CIM_ReplicationServiceCapabilities"
    )
    [pool] = conn.AssociatorNames(system, AssocClass="CIM_HostedStoragePool")
    return Array(conn, system, rs, scs, caps, pool)


def volumes(a: Array) -> dict[str, CIMInstance]:
    found = a.conn.Associators(
        a.system, AssocClass="CIM_SystemDevice", ResultClass="CIM_StorageVolume"
    )  # type: ignore[attr-defined]
    return {str(v["ElementName"]): v for v in found}


def poll(a: Array, job: CIMInstanceName, world: World) -> CIMInstance:
    for _ in range(1000):
        inst = a.conn.GetInstance(job)  # type: ignore[attr-defined]
        if inst["JobState"] in JOB_FINISHED:
            return inst
        world.advance(30.0)
    raise AssertionError("job never finished")


@pytest.fixture
def world() -> World:
    w = World(3)
    eva = w.add_array(EvaBackend("eva1"))
    eva.add_disk_group("dg1", 400 * GIB)
    eva.create_vdisk("data", 4 * GIB, "dg1", "vraid5")
    eva.create_vdisk("logs", 2 * GIB, "dg1", "vraid1")
    return w


@pytest.fixture
def array(world: World) -> Array:
    return discover(EvaSmisDoor(world, "eva1").conn)


def test_capabilities_advertise_snapshots_and_clones(array: Array) -> None:
    types = set(array.caps["SupportedReplicationTypes"])
    assert types & SNAPSHOT_TYPES and types & CLONE_TYPES
    [clone_type] = types & CLONE_TYPES
    rc, out = array.conn.InvokeMethod(
        "GetSupportedOperations", array.caps.path, ReplicationType=Uint16(clone_type)
    )  # type: ignore[attr-defined]
    assert rc == RC_OK and OP_DETACH in out["SupportedOperations"]
    assert OP_FRACTURE not in out["SupportedOperations"]


def test_snapshot_clone_job_and_return_to_pool(array: Array, world: World) -> None:
    conn, vols = array.conn, volumes(array)
    [snap_type] = set(array.caps["SupportedReplicationTypes"]) & SNAPSHOT_TYPES
    rc, out = conn.InvokeMethod(
        "GetDefaultReplicationSettingData", array.caps.path, ReplicationType=Uint16(snap_type)
    )  # type: ignore[attr-defined]
    rsd = out["DefaultInstance"]
    rsd["ThinProvisioningPolicy"] = Uint16(THIN_FULL_TO_THIN)
    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateElementReplica",
        array.replication,
        ElementName="snap",
        SyncType=Uint16(SYNC_SNAPSHOT),
        SourceElement=vols["logs"].path,
        ReplicationSettingData=rsd,
    )
    assert rc == RC_OK
    snap = conn.GetInstance(out["TargetElement"])  # type: ignore[attr-defined]
    assert snap["ThinlyProvisioned"] is True
    [sync] = conn.References(snap.path, ResultClass="CIM_Synchronized", Role="SyncedElement")  # type: ignore[attr-defined]
    assert sync["SyncType"] == SYNC_SNAPSHOT and sync["SystemElement"] == vols["logs"].path

    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateElementReplica",
        array.replication,
        ElementName="clone",
        SyncType=Uint16(SYNC_CLONE),
        SourceElement=vols["data"].path,
    )
    assert rc == RC_JOB
    job = poll(array, out["Job"], world)
    assert job["JobState"] == JOB_COMPLETED and STATUS_OK in job["OperationalStatus"]
    assert job["ErrorCode"] == 0
    [made] = conn.AssociatorNames(job.path, AssocClass="CIM_AffectedJobElement")  # type: ignore[attr-defined]
    assert made.keybindings == out["TargetElement"].keybindings and "clone" in volumes(array)

    rc, _ = conn.InvokeMethod(  # type: ignore[attr-defined]
        "ReturnElementsToStoragePool", array.configuration, TheElements=[snap.path, made]
    )
    assert rc == RC_OK and sorted(volumes(array)) == ["data", "logs"]


@pytest.mark.rule("WIRE-I2")
def test_a_refused_clone_is_a_failed_job_with_a_cim_error(array: Array, world: World) -> None:
    conn, vols = array.conn, volumes(array)
    rc, _ = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateElementReplica",
        array.replication,
        SyncType=Uint16(SYNC_SNAPSHOT),
        SourceElement=vols["data"].path,
    )
    assert rc == RC_OK
    before = sorted(volumes(array))
    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateElementReplica",
        array.replication,
        SyncType=Uint16(SYNC_CLONE),
        SourceElement=vols["data"].path,
    )
    assert rc == RC_JOB
    job = poll(array, out["Job"], world)
    assert (
        job["JobState"] in JOB_FINISHED - {JOB_COMPLETED}
        and STATUS_ERROR in job["OperationalStatus"]
    )
    assert job["ErrorCode"] != 0 and job["ErrorDescription"]
    rc, err = conn.InvokeMethod("GetError", job.path)  # type: ignore[attr-defined]
    error = err["Error"]
    assert rc == RC_OK and error.classname == "CIM_Error"
    assert (
        error["MessageID"] == "EVA_HAS_SNAPSHOTS"
        and error["Message"]
        and error["CIMStatusCode"] == 1
    )
    assert sorted(volumes(array)) == before, "a failed job changed nothing"


@pytest.mark.rule("WIRE-I2")
def test_a_snapclone_deleted_while_unsharing_fails_its_job(array: Array, world: World) -> None:
    conn, vols = array.conn, volumes(array)
    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateElementReplica",
        array.replication,
        SyncType=Uint16(SYNC_CLONE),
        SourceElement=vols["data"].path,
    )
    assert rc == RC_JOB
    rc, _ = conn.InvokeMethod(
        "ReturnToStoragePool", array.configuration, TheElement=out["TargetElement"]
    )  # type: ignore[attr-defined]
    assert rc == RC_OK
    job = conn.GetInstance(out["Job"])  # type: ignore[attr-defined]
    assert job["JobState"] in JOB_FINISHED - {JOB_COMPLETED} and job["ErrorCode"] != 0
    _, err = conn.InvokeMethod("GetError", job.path)  # type: ignore[attr-defined]
    assert "deleted" in err["Error"]["Message"]


def test_block_services_create_a_volume_in_the_pool(array: Array) -> None:
    conn = array.conn
    rc, out = conn.InvokeMethod(
        "GetSupportedSizeRange", array.pool, ElementType=Uint16(ELEMENT_STORAGE_VOLUME)
    )  # type: ignore[attr-defined]
    assert (
        rc == RC_OK
        and out["MinimumVolumeSize"] <= out["VolumeSizeDivisor"] <= out["MaximumVolumeSize"]
    )
    want = 3 * GIB + 1
    rc, made = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateOrModifyElementFromStoragePool",
        array.configuration,
        ElementName="new",
        ElementType=Uint16(ELEMENT_STORAGE_VOLUME),
        Size=Uint64(want),
        InPool=array.pool,
    )
    assert rc == RC_OK and made["Size"] >= want and made["Size"] % out["VolumeSizeDivisor"] == 0
    vol = conn.GetInstance(made["TheElement"])  # type: ignore[attr-defined]
    assert vol["BlockSize"] * vol["NumberOfBlocks"] == made["Size"]
    [pool] = conn.AssociatorNames(vol.path, AssocClass="CIM_AllocatedFromStoragePool")  # type: ignore[attr-defined]
    assert pool == array.pool


def test_detach_a_finished_clone_and_refuse_fracture(array: Array, world: World) -> None:
    conn, vols = array.conn, volumes(array)
    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateReplica",
        array.configuration,
        ElementName="copy",
        SourceElement=vols["data"].path,
        CopyType=Uint16(5),
    )
    assert rc == RC_JOB and poll(array, out["Job"], world)["JobState"] == JOB_COMPLETED
    [sync] = conn.References(out["TargetElement"], ResultClass="CIM_StorageSynchronized")  # type: ignore[attr-defined]
    rc, _ = conn.InvokeMethod(
        "ModifyReplicaSynchronization",
        array.replication,
        Operation=Uint16(OP_FRACTURE),
        Synchronization=sync.path,
    )  # type: ignore[attr-defined]
    assert rc == RC_NOT_SUPPORTED
    assert conn.References(out["TargetElement"], ResultClass="CIM_StorageSynchronized")  # type: ignore[attr-defined]
    rc, _ = conn.InvokeMethod(
        "ModifyReplicaSynchronization",
        array.replication,
        Operation=Uint16(OP_DETACH),
        Synchronization=sync.path,
    )  # type: ignore[attr-defined]
    assert rc == RC_OK
    assert conn.References(out["TargetElement"], ResultClass="CIM_StorageSynchronized") == []  # type: ignore[attr-defined]
    assert "copy" in volumes(array)


def test_legacy_copy_services_snapshot_and_detach_refusal(array: Array) -> None:
    conn, vols = array.conn, volumes(array)
    rc, out = conn.InvokeMethod(  # type: ignore[attr-defined]
        "CreateReplica",
        array.configuration,
        SourceElement=vols["logs"].path,
        CopyType=Uint16(COPY_UNSYNC_ASSOC),
    )
    assert rc == RC_OK
    [sync] = conn.References(out["TargetElement"], ResultClass="CIM_StorageSynchronized")  # type: ignore[attr-defined]
    assert sync["CopyType"] == COPY_UNSYNC_ASSOC
    rc, out = conn.InvokeMethod(
        "ModifySynchronization",
        array.configuration,
        Operation=Uint16(LEGACY_DETACH),
        Synchronization=sync.path,
    )  # type: ignore[attr-defined]
    assert rc == RC_JOB  # a snapshot depends on its source: the array refuses the detach
    job = conn.GetInstance(out["Job"])  # type: ignore[attr-defined]
    assert job["ErrorCode"] != 0 and conn.References(
        sync["SyncedElement"], ResultClass="CIM_StorageSynchronized"
    )  # type: ignore[attr-defined]


def test_a_dr_group_is_an_hpeva_consistency_set_with_operational_status(world: World) -> None:
    """A Continuous Access DR group is HP's ``HPEVA_ConsistencySet`` in ``root/eva``, found
    from a member volume by ``HPEVA_OrderedMemberOfCollection`` (a CIM_MemberOfCollection),
    with the properties HP's CIMOM shows: ``InstanceID``, ``ElementName``,
    ``ParticipationType``, ``RemoteCellName`` (Zenoss community HPEVAMon ZenPack,
    github.com/epuzanov/ZenPacks.community.HPEVAMon: modeler ``HPEVA_ConsistencySetMap.py``
    / ``modeler/plugins/community/cim/HPEVAConsistencySetMap.py``, component
    ``HPEVAConsistencySet.py``), its state on the standard CIM ``OperationalStatus`` value map
    (2 OK, 3 Degraded, 6 Error, 10 Stopped, 13 Lost Communication; the ZenPack's
    ``HPEVA_ConsistencySet`` template in ``objects/objects.xml`` rates it on that scale)."""
    eva = world.array("eva1")
    data = next(v.id for v in eva.vdisks.values() if v.name == "data")
    eva.add_dr_group("DRG1", [data], role="source", remote_array="eva2")
    a = discover(EvaSmisDoor(world, "eva1").conn)
    vol = volumes(a)["data"]
    [group] = a.conn.Associators(  # type: ignore[attr-defined]
        vol.path, AssocClass="CIM_MemberOfCollection", ResultClass="HPEVA_ConsistencySet"
    )
    assert group.classname == "HPEVA_ConsistencySet" and group["ElementName"] == "DRG1"
    assert group["ParticipationType"] == "source" and group["RemoteCellName"] == "eva2"
    assert list(group["OperationalStatus"]) == [STATUS_OK]
    [member] = a.conn.References(group.path, ResultClass="HPEVA_OrderedMemberOfCollection")  # type: ignore[attr-defined]
    assert member["Member"] == vol.path
    assert "logs" not in {
        str(v["ElementName"])
        for v in a.conn.Associators(group.path, AssocClass="CIM_MemberOfCollection")  # type: ignore[attr-defined]
    }
    eva.set_dr_state("DRG1", "logging")
    group = a.conn.GetInstance(group.path)  # type: ignore[attr-defined]
    assert set(group["OperationalStatus"]) == {3, 13}  # Degraded, Lost Communication
    eva.set_dr_state("DRG1", "error")
    assert list(a.conn.GetInstance(group.path)["OperationalStatus"]) == [STATUS_ERROR]  # type: ignore[attr-defined]
