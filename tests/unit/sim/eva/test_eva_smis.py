"""The EVA SMI-S door through pywbem's own client API (what a pywbem-based driver calls)."""

from __future__ import annotations

import pytest
from eva_helpers import SNAP, make
from pywbem import CIMError, CIMInstance, Uint16

from apprm_ref.sim.eva.driver import EvaDriver
from apprm_ref.sim.eva.smis import EvaSmisDoor
from apprm_ref.sim.storage import GIB


@pytest.fixture
def door(world, eva, src):  # type: ignore[no-untyped-def]
    return EvaSmisDoor(world, "eva1")


def service(conn, cls):  # type: ignore[no-untyped-def]
    [path] = conn.EnumerateInstanceNames(cls)
    return path


def volume(conn, name):  # type: ignore[no-untyped-def]
    [v] = [v for v in conn.EnumerateInstances("CIM_StorageVolume") if v["ElementName"] == name]
    return v


def test_inventory(door, eva, src):
    c = door.conn
    [system] = c.EnumerateInstances("CIM_ComputerSystem")
    assert system.classname == "HPEVA_StorageSystem" and system["ElementName"] == "eva1"
    pools = {p["ElementName"]: p for p in c.EnumerateInstances("CIM_StoragePool")}
    assert sorted(pools) == ["dg1", "dg2"]
    assert pools["dg1"]["RemainingManagedSpace"] == eva.free_raw("dg1") * GIB // 1024
    v = volume(c, "ora_data")
    assert v.classname == "HPEVA_StorageVolume" and v["Name"] == src.wwn
    assert len(v["DeviceID"]) == 40 and v["NumberOfBlocks"] * v["BlockSize"] == src.size_bytes


def refusal(c, rc, out):  # type: ignore[no-untyped-def]
    """(ErrorCode, CIM_Error MessageID) of a request the array refused: a 4096 whose job
    ended in Exception (WIRE-I2)."""
    assert rc == 4096
    job = c.GetInstance(out["Job"])
    assert (job["JobState"], list(job["OperationalStatus"])) == (10, [6, 17])
    _, err = c.InvokeMethod("GetError", job.path)
    return job["ErrorCode"], err["Error"]["MessageID"]


def rsd(**props):  # type: ignore[no-untyped-def]
    return CIMInstance("CIM_ReplicationSettingData", properties=props)


@pytest.mark.rule("ARR-I6", "ARR-P3")
def test_create_snapshot_and_vsnap_return_0(door, eva, src):
    c = door.conn
    rs = service(c, "CIM_ReplicationService")
    rc, out = c.InvokeMethod(
        "CreateElementReplica",
        rs,
        ElementName="snap1",
        SyncType=Uint16(7),
        SourceElement=volume(c, "ora_data").path,
        ReplicationSettingData=rsd(ThinProvisioningPolicy=Uint16(4)),
    )
    assert rc == 0
    tgt = c.GetInstance(out["TargetElement"])
    assert (tgt["ElementName"], tgt["VDiskType"], tgt["ThinlyProvisioned"]) == (
        "snap1",
        "vsnap",
        True,
    )
    sync = c.GetInstance(out["Synchronization"])
    assert (sync["SyncType"], sync["CopyType"], sync["SyncState"], sync["CopyState"]) == (
        7,
        4,
        11,
        4,
    )
    refs = c.References(volume(c, "ora_data").path, ResultClass="CIM_Synchronized")
    assert [r.path.keybindings for r in refs] == [out["Synchronization"].keybindings]
    eva.block_write(src.id, {1: "changed"})
    assert eva.block_read(door.vid_of(out["TargetElement"]), 1) == "old-1"


@pytest.mark.rule("ARR-I2", "ARR-P7", "WIRE-I2")
def test_snapclone_job_4096_and_refusals_as_failed_jobs(door, world, eva, src):
    c = door.conn
    rs = service(c, "CIM_ReplicationService")
    src_path = volume(c, "ora_data").path
    rc, out = c.InvokeMethod("CreateElementReplica", rs, SyncType=Uint16(8), SourceElement=src_path)
    assert rc == 4096
    job = c.GetInstance(out["Job"])
    assert (job["JobState"], job["PercentComplete"]) == (4, 0)
    before = world.digest()
    rc2, out2 = c.InvokeMethod(
        "CreateElementReplica", rs, SyncType=Uint16(7), SourceElement=src_path
    )
    assert refusal(c, rc2, out2) == (6, "EVA_CLONE_IN_PROGRESS")
    assert world.digest() == before
    assert c.GetInstance(out["Synchronization"])["CopyState"] == 3
    world.advance(60)
    job = c.GetInstance(out["Job"])
    assert (job["JobState"], job["PercentComplete"], list(job["OperationalStatus"])) == (
        7,
        100,
        [2, 17],
    )
    assert c.GetInstance(out["Synchronization"])["CopyState"] == 4
    rc3, _ = c.InvokeMethod("CreateElementReplica", rs, SyncType=Uint16(7), SourceElement=src_path)
    assert rc3 == 0


def test_cim_level_errors_and_standard_return_codes(door, world):
    c = door.conn
    rs = service(c, "CIM_ReplicationService")
    with pytest.raises(CIMError) as info:
        c.InvokeMethod("CreateElementReplica", rs, NoSuchParam="x")
    assert info.value.status_code == 4  # CIM_ERR_INVALID_PARAMETER
    with pytest.raises(TypeError):
        c.InvokeMethod("CreateElementReplica", rs, SyncType=7)  # typed integers are mandatory
    src = volume(c, "ora_data").path
    before = world.digest()
    cases = [
        (dict(SyncType=Uint16(6)), 1),  # Mirror: not supported (no mirrorclones)
        (dict(SyncType=Uint16(9)), 5),  # outside the value map
        (dict(SyncType=Uint16(7), Mode=Uint16(3)), 1),  # snapshots are synchronous
        (dict(SyncType=Uint16(7), ReplicationSettingData=rsd(CopyPriority=Uint16(3))), 1),
        (dict(SyncType=Uint16(8), ReplicationSettingData=rsd(ThinProvisioningPolicy=Uint16(4))), 1),
        (dict(SyncType=Uint16(7), WaitForCopyState=Uint16(4)), 1),
    ]
    for params, want in cases:
        rc, out = c.InvokeMethod("CreateElementReplica", rs, SourceElement=src, **params)
        assert (rc, dict(out)) == (want, {}), params
    assert world.digest() == before


@pytest.mark.rule("ARR-I8")
def test_expose_hide_and_return_to_pool(door, world, eva, src):
    c = door.conn
    ccs = service(c, "CIM_ControllerConfigurationService")
    scs = service(c, "CIM_StorageConfigurationService")
    snap = make(eva, src.id, SNAP)
    rc, _ = c.InvokeMethod(
        "ExposePaths",
        ccs,
        LUNames=[snap.wwn],
        InitiatorPortIDs=["bk1"],
        DeviceNumbers=["0005"],
        DeviceAccesses=[Uint16(2)],
    )
    assert rc == 0 and snap.presentations == {"bk1": 5}
    [pcfu] = c.References(door.vol_path(snap.id), ResultClass="CIM_ProtocolControllerForUnit")
    assert pcfu["DeviceNumber"] == "0005"
    before = world.digest()
    rc, out = c.InvokeMethod("ReturnToStoragePool", scs, TheElement=door.vol_path(snap.id))
    assert refusal(c, rc, out) == (6, "EVA_VDISK_PRESENTED") and world.digest() == before
    rc, _ = c.InvokeMethod(
        "ExposePaths", ccs, LUNames=[src.wwn, snap.wwn], InitiatorPortIDs=["bk2"]
    )
    assert rc == 0
    rc, out = c.InvokeMethod(
        "ExposePaths", ccs, LUNames=[src.wwn, snap.wwn], InitiatorPortIDs=["bk2"]
    )
    assert refusal(c, rc, out)[0] == 5 and src.presentations == {"bk2": 1}
    assert (
        c.InvokeMethod("HidePaths", ccs, LUNames=[snap.wwn], InitiatorPortIDs=["bk1", "bk2"])[0]
        == 0
    )
    rc, _ = c.InvokeMethod("ReturnToStoragePool", scs, TheElement=door.vol_path(snap.id))
    assert rc == 0 and snap.id not in eva.vdisks


@pytest.mark.rule("ARR-P5")
def test_restore_copy_back_and_switch_operations(door, world, eva, src):
    c = door.conn
    rs = service(c, "CIM_ReplicationService")
    src_path = volume(c, "ora_data").path
    rc, out = c.InvokeMethod("CreateElementReplica", rs, SyncType=Uint16(8), SourceElement=src_path)
    world.advance(60)
    eva.block_write(src.id, {1: "after"})
    rc, res = c.InvokeMethod(
        "ModifyReplicaSynchronization",
        rs,
        Operation=Uint16(15),
        Synchronization=out["Synchronization"],
    )
    assert rc == 4096 and eva.block_read(src.id, 1) == "old-1"
    assert c.GetInstance(res["Job"])["JobState"] == 4
    world.advance(60)
    assert c.GetInstance(res["Job"])["JobState"] == 7
    eva.present(src.id, "app1")
    rc, res = c.InvokeMethod(
        "ModifyReplicaSynchronization",
        rs,
        Operation=Uint16(10),
        Synchronization=out["Synchronization"],
        ReplicationSettingData=rsd(AutoDelete=True),
    )
    assert rc == 0
    recovered = c.GetInstance(out["TargetElement"])
    assert (recovered["Name"], recovered["ElementName"]) == (src.wwn, "ora_data")
    assert [v["ElementName"] for v in c.EnumerateInstances("CIM_StorageVolume")] == ["ora_data"]
    rc, res = c.InvokeMethod(
        "ModifyReplicaSynchronization",
        rs,
        Operation=Uint16(12),
        Synchronization=out["Synchronization"],
    )
    assert refusal(c, rc, res) == (5, "EVA_NO_SUCH_OBJECT")  # the old source is gone


def test_same_backend_as_protocol_driver(door, world, eva, src):
    drv = EvaDriver(world, "eva1")
    make(eva, src.id, SNAP)
    names = sorted(v["ElementName"] for v in door.conn.EnumerateInstances("CIM_StorageVolume"))
    assert names == sorted(i.details["name"] for i in drv.list_volumes())
