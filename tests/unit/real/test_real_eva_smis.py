"""The real EVA SMI-S driver (``eva-smis``) against the simulator's SMI-S door.

Differential tests run the same operations through ``EvaDriver`` (protocol door) and
``EvaSmisDriver`` (pywbem over ``pywbem_mock``) on two identical worlds and require the
same answers, the same refusal codes, the same inventory and the same world state.
"""

from __future__ import annotations

import pytest
from pywbem import CIMInstance, CIMInstanceName, ConnectionError, Uint16

from apprm_ref.conformance.eva_differential import Twin, dev, to_vids, vid
from apprm_ref.conformance.eva_subjects import smis_driver
from apprm_ref.drivers.array import ReplicaRequest as Req
from apprm_ref.drivers.array import SnapshotArray
from apprm_ref.drivers.copy_poll import COPY_POLL_SECONDS
from apprm_ref.drivers.registry import factory
from apprm_ref.errors import EvaError
from apprm_ref.real import eva_smis_parse as parse
from apprm_ref.real.eva_smis import EvaSmisDriver
from apprm_ref.sim.eva.smis import EvaSmisDoor
from apprm_ref.types import ReplicaType as T

SRC, REDO, ARCH = "vd0001", "vd0002", "vd0003"


@pytest.fixture
def twin() -> Twin:
    return Twin()


def refused(twin: Twin, method: str, *args, code: str, **kwargs) -> None:  # type: ignore[no-untyped-def]
    """Both drivers refuse with ``code`` (``Twin.do`` checks they agree and nothing moved)."""
    got = twin.do(method, *args, **kwargs)
    assert isinstance(got, EvaError) and got.code == code, got


def test_registered_and_is_a_snapshot_array(twin: Twin) -> None:
    assert factory("eva-smis") is EvaSmisDriver
    assert isinstance(twin.smis, SnapshotArray)
    assert twin.smis.name == "eva1"


def test_inventory_is_the_same_at_start(twin: Twin) -> None:
    sim, smis = twin.inventory()
    assert len(sim) == 3 and smis == sim
    assert smis[0].presented_to == ("hostA",) and smis[0].wwn.startswith("600508b4")
    assert twin.smis.volume_info(dev(SRC)).details["luns"] == "hostA=1"
    assert vid(twin.smis.volume_by_wwn(sim[1].wwn).ref.volume) == REDO


@pytest.mark.rule("ARR-I2", "ARR-I4", "ARR-I8")
def test_differential_replica_life_cycle(twin: Twin) -> None:
    """Snapshots, refusals, presentation, deletes: same answers, same refusals."""
    twin.do("create_replicas", [Req(SRC, T.SNAPSHOT, name="s1")])
    twin.do("create_replicas", [Req(SRC, T.SNAPSHOT)])
    twin.do("create_replicas", [Req(REDO, T.VSNAP, raid="vraid5")])
    refused(twin, "create_replicas", [Req(SRC, T.VSNAP)], code="EVA_SNAPSHOT_MISMATCH")
    refused(twin, "create_replicas", [Req(SRC, T.SNAPCLONE)], code="EVA_HAS_SNAPSHOTS")
    refused(
        twin, "create_replicas", [Req(SRC, T.SNAPSHOT, pool="dg2")], code="EVA_DIFFERENT_DISK_GROUP"
    )
    refused(
        twin, "create_replicas", [Req(ARCH, T.SNAPSHOT, raid="vraid1")], code="EVA_VRAID_TOO_HIGH"
    )
    refused(twin, "create_replicas", [Req("vd0004", T.SNAPSHOT)], code="EVA_SOURCE_IS_SNAPSHOT")
    refused(twin, "create_replicas", [Req(SRC, T.MIRROR)], code="EVA_INVALID_PARAMETER")
    refused(twin, "create_replicas", [Req(SRC, T.SNAPSHOT, name="s1")], code="EVA_NAME_IN_USE")
    twin.do("present", "vd0004", "hostB")
    twin.do("present", "vd0005", "hostB", lun=7)
    refused(twin, "present", "vd0006", "hostB", lun=7, code="EVA_LUN_IN_USE")
    refused(twin, "present", "vd0004", "hostB", code="EVA_ALREADY_PRESENTED")
    refused(twin, "delete_volume", "vd0004", code="EVA_VDISK_PRESENTED")
    refused(twin, "unpresent", "vd0006", "hostB", code="EVA_NOT_PRESENTED")
    twin.do("unpresent", "vd0004", "hostB")
    twin.do("delete_volume", "vd0004")
    refused(twin, "delete_volume", "vd0004", code="EVA_NO_SUCH_OBJECT")
    refused(twin, "volume_info", "vd0004", code="EVA_NO_SUCH_OBJECT")
    twin.do("targets_of", SRC)
    twin.do("volume_info", "vd0005")
    twin.do("snapshot_limit", SRC)
    twin.do("dr_group_state", SRC)
    for _ in range(twin.sim.snapshot_limit(REDO) - 1):
        twin.do("create_replicas", [Req(REDO, T.VSNAP, raid="vraid5")])
    refused(twin, "create_replicas", [Req(REDO, T.VSNAP, raid="vraid5")], code="EVA_SNAPSHOT_LIMIT")


@pytest.mark.rule("ARR-I2")
def test_differential_snapclones_copy_back_and_switch(twin: Twin) -> None:
    twin.do("create_replicas", [Req(ARCH, T.SNAPCLONE, raid="vraid1", pool="dg1")])
    clone = "vd0004"
    refused(twin, "create_replicas", [Req(ARCH, T.SNAPSHOT)], code="EVA_CLONE_IN_PROGRESS")
    refused(twin, "create_replicas", [Req(clone, T.SNAPSHOT)], code="EVA_SOURCE_NORMALIZING")
    refused(twin, "delete_volume", ARCH, code="EVA_UNSHARING")
    refused(twin, "restore_switch", ARCH, clone, code="EVA_RESTORE_NOT_ALLOWED")
    sim, smis = twin.copy_states(clone)
    assert sim.copying and smis.copying and abs(smis.fraction - sim.fraction) < 0.01
    assert smis.done_at is None  # SMI-S has no completion time: the client polls
    ended = twin.wait_copy(clone)
    assert sim.done_at <= ended < sim.done_at + COPY_POLL_SECONDS  # within one poll
    assert not twin.sim.copy_state(clone).copying and not twin.smis.copy_state(dev(clone)).copying
    for world in (twin.wa, twin.wb):
        world.array("eva1").block_write(ARCH, {0: "corrupt"})
    twin.do("restore_copy_back", clone, ARCH, keep=False)
    refused(twin, "restore_copy_back", clone, ARCH, code="EVA_RESTORE_IN_PROGRESS")
    sim, smis = twin.copy_states(ARCH)
    assert smis.copying and smis.done_at is None and sim.done_at is not None
    assert not twin.smis.copy_state(dev(clone)).copying  # the replica is read, not written
    ended = twin.wait_copy(ARCH)
    assert sim.done_at <= ended < sim.done_at + COPY_POLL_SECONDS
    assert not twin.sim.copy_state(ARCH).copying
    refused(twin, "volume_info", clone, code="EVA_NO_SUCH_OBJECT")  # dropped at the end
    twin.do("create_replicas", [Req(SRC, T.SNAPCLONE), Req(ARCH, T.SNAPCLONE, name="c2")])
    twin.advance(3600)
    twin.do("restore_switch", SRC, "vd0005", retain_source=True)
    refused(twin, "restore_switch", ARCH, "vd0005", code="EVA_NOT_A_REPLICA")
    twin.do("restore_switch", ARCH, "vd0006")


@pytest.mark.rule("ARR-I2")
def test_batches_are_all_or_nothing_on_both(twin: Twin) -> None:
    twin.do("create_replicas", [Req(REDO, T.SNAPSHOT)])
    refused(
        twin,
        "create_replicas",
        [Req(SRC, T.SNAPCLONE), Req(REDO, T.SNAPCLONE)],
        code="EVA_HAS_SNAPSHOTS",
    )
    refused(
        twin,
        "create_replicas",
        [Req(SRC, T.VSNAP), Req(REDO, T.VSNAP)],
        code="EVA_SNAPSHOT_MISMATCH",
    )
    twin.do("create_replicas", [Req(SRC, T.SNAPCLONE), Req(ARCH, T.SNAPCLONE)])
    twin.do("create_replicas", [])


def test_a_mixed_batch_is_refused_over_smis(twin: Twin) -> None:
    """One CreateListReplica carries one SyncType, one TargetSettingGoal and one pool: a
    batch mixing kinds cannot be made at one instant, so the driver refuses it whole."""
    before = twin.wb.digest()
    with pytest.raises(EvaError) as exc:
        twin.smis.create_replicas([Req(dev(SRC), T.SNAPCLONE), Req(dev(REDO), T.SNAPSHOT)])
    assert exc.value.code == "EVA_INVALID_PARAMETER" and twin.wb.digest() == before


def test_dr_group_state_follows_the_group(twin: Twin) -> None:
    """CA EVA DR groups through HP's HPEVA_ConsistencySet (state as OperationalStatus) /
    HPEVA_OrderedMemberOfCollection: every state reads back as the simulator's."""
    twin.do("dr_group_state", SRC)
    for world in (twin.wa, twin.wb):
        world.array("eva1").add_dr_group("DRG1", [SRC, ARCH], remote_array="eva2")
    twin.do("dr_group_state", ARCH)
    twin.do("dr_group_state", REDO)
    for world in (twin.wa, twin.wb):
        world.array("eva1").set_dr_state("DRG1", "logging")
    assert twin.do("dr_group_state", SRC) == "logging"
    for state in ("normal", "warning", "error", "unknown", "failsafe"):
        for world in (twin.wa, twin.wb):
            world.array("eva1").set_dr_state("DRG1", state)
        assert twin.do("dr_group_state", ARCH) == state
    refused(twin, "dr_group_state", "vd0099", code="EVA_NO_SUCH_OBJECT")


def test_targets_of_lists_oldest_first(twin: Twin) -> None:
    for _ in range(3):
        twin.do("create_replicas", [Req(SRC, T.SNAPSHOT)])
        twin.advance(10.0)
    assert [vid(t.ref.volume) for t in twin.smis.targets_of(dev(SRC))] == [
        "vd0004",
        "vd0005",
        "vd0006",
    ]


def test_deleting_a_source_invalidates_its_snapshots(twin: Twin) -> None:
    """E13: both report the orphaned snapshot invalid, still naming its source (SMI-S: the
    CIM_StorageSynchronized stays, Broken, with UndiscoveredElement = SystemElement)."""
    twin.do("create_replicas", [Req(REDO, T.SNAPSHOT)])
    twin.do("delete_volume", REDO)
    info = twin.smis.volume_info(dev("vd0004"))
    assert info.state == "invalid" and vid(info.source.volume) == REDO
    refused(twin, "targets_of", REDO, code="EVA_NO_SUCH_OBJECT")
    refused(twin, "create_replicas", [Req("vd0004", T.SNAPSHOT)], code="EVA_SOURCE_IS_SNAPSHOT")


# --- error mapping -----------------------------------------------------------------------


@pytest.fixture
def smis(twin: Twin) -> EvaSmisDriver:
    return twin.smis


def _wire(twin: Twin, method: str, **params):  # type: ignore[no-untyped-def]
    """The raw method answer of the door (what the driver maps)."""
    door_conn = twin.smis.conn
    return door_conn.InvokeMethod(method, twin.smis._service("CIM_ReplicationService"), **params)


def _source(twin: Twin, v: str) -> CIMInstanceName:
    return twin.smis._vol_path(dev(v))


def _refusal(twin: Twin, rc, out):  # type: ignore[no-untyped-def]
    """(ErrorCode, CIM_Error MessageID) of a failed job (WIRE-I2)."""
    assert rc == 4096
    job = twin.smis.conn.GetInstance(out["Job"])
    _, err = twin.smis.conn.InvokeMethod("GetError", job.path)
    return job["ErrorCode"], err["Error"]["MessageID"]


@pytest.mark.rule("ARR-I2")
def test_snapclone_while_snapshots_exist_maps_rc_6(twin: Twin, smis: EvaSmisDriver) -> None:
    smis.create_replicas([Req(dev(SRC), T.SNAPSHOT)])
    rc, out = _wire(
        twin, "CreateElementReplica", SyncType=Uint16(8), SourceElement=_source(twin, SRC)
    )
    assert _refusal(twin, rc, out) == (6, "EVA_HAS_SNAPSHOTS")
    with pytest.raises(EvaError) as exc:
        smis.create_replicas([Req(dev(SRC), T.SNAPCLONE)])
    assert exc.value.code == "EVA_HAS_SNAPSHOTS"


@pytest.mark.rule("ARR-I4")
def test_snapshot_limit_maps_rc_4(twin: Twin, smis: EvaSmisDriver) -> None:
    limit = smis.snapshot_limit(dev(REDO))
    assert limit == twin.sim.snapshot_limit(REDO) == 16
    smis.create_replicas([Req(dev(REDO), T.SNAPSHOT)] * limit)
    rc, out = _wire(
        twin, "CreateElementReplica", SyncType=Uint16(7), SourceElement=_source(twin, REDO)
    )
    assert _refusal(twin, rc, out) == (4, "EVA_SNAPSHOT_LIMIT")
    with pytest.raises(EvaError) as exc:
        smis.create_replicas([Req(dev(REDO), T.SNAPSHOT)])
    assert exc.value.code == "EVA_SNAPSHOT_LIMIT"


@pytest.mark.rule("ARR-I8")
def test_delete_presented_volume_maps_rc_6(twin: Twin, smis: EvaSmisDriver) -> None:
    with pytest.raises(EvaError) as exc:
        smis.delete_volume(dev(SRC))
    assert exc.value.code == "EVA_VDISK_PRESENTED"
    assert dev(SRC) in [v.ref.volume for v in smis.list_volumes()]


@pytest.mark.rule("ARR-I2")
def test_cloning_lockout_maps_rc_6(twin: Twin, smis: EvaSmisDriver) -> None:
    smis.create_replicas([Req(dev(REDO), T.SNAPCLONE)])
    rc, out = _wire(
        twin, "CreateElementReplica", SyncType=Uint16(7), SourceElement=_source(twin, REDO)
    )
    assert _refusal(twin, rc, out) == (6, "EVA_CLONE_IN_PROGRESS")
    for rtype in (T.SNAPSHOT, T.VSNAP, T.SNAPCLONE):
        with pytest.raises(EvaError) as exc:
            smis.create_replicas([Req(dev(REDO), rtype)])
        assert exc.value.code == "EVA_CLONE_IN_PROGRESS"


@pytest.mark.rule("WIRE-I2")
def test_return_codes_and_failed_jobs_map_to_codes() -> None:
    """A return value gives its SMI-S code name; a failed job the CIM_Error MessageID, or
    its ErrorCode's name without one; a job that failed with ErrorCode 0 still fails."""
    parse.raise_for("X", 0, {})
    parse.raise_for("X", 4096, {})
    for rc, code in (
        (6, "SMIS_IN_USE"),
        (4, "SMIS_FAILED"),
        (4102, "SMIS_LUN_IN_USE"),
        (40000, "SMIS_RC_40000"),
    ):
        with pytest.raises(EvaError) as exc:
            parse.raise_for("X", rc, {})
        assert exc.value.code == code
    path = CIMInstanceName("CIM_ConcreteJob", {"InstanceID": "J1"})
    job = CIMInstance(
        "CIM_ConcreteJob", {"JobState": Uint16(10), "ErrorCode": Uint16(5)}, path=path
    )
    error = CIMInstance("CIM_Error", {"MessageID": "EVA_VRAID_TOO_HIGH"})
    assert parse.job_error(job, error).code == "EVA_VRAID_TOO_HIGH"
    assert parse.job_error(job).code == "SMIS_INVALID_PARAMETER"
    job["ErrorCode"] = Uint16(0)
    assert parse.job_error(job).code == "SMIS_JOB_FAILED"
    job["JobState"], job["OperationalStatus"] = Uint16(7), [Uint16(2), Uint16(17)]
    assert parse.job_error(job) is None


def test_transport_errors_become_eva_errors(smis: EvaSmisDriver, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def down(*_a, **_k):  # type: ignore[no-untyped-def]
        raise ConnectionError("connection refused")

    monkeypatch.setattr(smis.conn, "GetInstance", down)
    with pytest.raises(EvaError) as exc:
        smis.volume_info(dev(SRC))
    assert exc.value.code == "SMIS_CONNECTION"


# --- jobs, capabilities, discovery ---------------------------------------------------------


def test_job_polling_until_the_snapclone_normalizes(twin: Twin) -> None:
    rc, out = _wire(
        twin, "CreateElementReplica", SyncType=Uint16(8), SourceElement=_source(twin, ARCH)
    )
    assert rc == 4096
    quiet = EvaSmisDriver(twin.smis.conn, now=twin.wb.now)  # no poll: cannot wait
    with pytest.raises(EvaError) as exc:
        quiet.wait_job(out["Job"])
    assert exc.value.code == "SMIS_TIMEOUT"
    twin.smis.poll_interval = 60.0
    twin.smis.wait_job(out["Job"])
    target = twin.smis.volume_info(out["TargetElement"]["DeviceID"])
    assert target.state == "normalized" and twin.wb.now() > 0


def test_a_terminated_job_is_an_error(twin: Twin) -> None:
    rc, out = _wire(
        twin, "CreateElementReplica", SyncType=Uint16(8), SourceElement=_source(twin, ARCH)
    )
    twin.smis.delete_volume(out["TargetElement"]["DeviceID"])  # ends the copy early
    with pytest.raises(EvaError) as exc:
        twin.smis.wait_job(out["Job"])
    assert exc.value.code == "SMIS_FAILED"  # ErrorCode 4 Failed, never 0


def test_capabilities_come_from_the_provider(twin: Twin) -> None:
    sim, smis = twin.sim.capabilities(), twin.smis.capabilities()
    assert smis.kind == sim.kind == "snapshot-array" and smis.model == sim.model
    assert smis.features == sim.features
    assert smis.limits.items() <= sim.limits.items()  # max_vdisks: no standard property
    bare = parse.capabilities("EVA4400", None, set(), masking=True)
    assert bare.features == parse.PROFILE_FEATURES and bare.model == "EVA4400"


def test_discovery_picks_the_named_system(twin: Twin) -> None:
    door = EvaSmisDoor(twin.wb, "eva1")
    assert EvaSmisDriver(door.conn, now=twin.wb.now, system_name="eva1").name == "eva1"
    with pytest.raises(EvaError) as exc:
        EvaSmisDriver(door.conn, now=twin.wb.now, system_name="eva9")
    assert exc.value.code == "EVA_NO_SUCH_OBJECT"


def test_done_at_is_the_clock_now(twin: Twin) -> None:
    twin.advance(123.5)
    op = twin.smis.create_replicas([Req(dev(SRC), T.SNAPSHOT)])
    assert op.done_at == 123.5
    assert twin.smis.present(op.result[0].target.volume, "hostC").done_at == 123.5


def test_driver_over_a_fresh_door_sees_existing_state(twin: Twin) -> None:
    """The driver keeps no state: a new door and driver on the same world agree."""
    twin.smis.create_replicas([Req(dev(SRC), T.SNAPSHOT)])
    again = smis_driver(twin.wb, "eva1")
    assert again.list_volumes() == twin.smis.list_volumes()


def test_connect_builds_a_wbem_connection(twin: Twin, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """``connect`` opens pywbem.WBEMConnection (looked up at call time) with the settings."""
    seen = {}

    def fake(url, **kwargs):  # type: ignore[no-untyped-def]
        seen.update(kwargs, url=url)
        return twin.smis.conn

    monkeypatch.setattr("pywbem.WBEMConnection", fake)
    drv = EvaSmisDriver.connect(
        "https://cv:5989", user="admin", password="pw", now=twin.wb.now, no_verification=True
    )
    assert drv.name == "eva1" and seen["url"] == "https://cv:5989"
    assert seen["creds"] == ("admin", "pw") and seen["default_namespace"] == "root/eva"


def test_injected_array_faults_carry_the_same_code(twin: Twin) -> None:
    """A fault at an EVA fault site reaches the SMI-S driver as the same EvaError code
    (a failed job whose CIM_Error MessageID is the code)."""
    from apprm_ref.sim.faults import FaultRule

    for world in (twin.wa, twin.wb):
        world.fault_plan.arm(FaultRule("eva.create", code="EVA_CONTROLLER_TIMEOUT"))
        world.fault_plan.arm(FaultRule("eva.present", code="EVA_PORT_DOWN"))
    refused(twin, "create_replicas", [Req(SRC, T.SNAPSHOT)], code="EVA_CONTROLLER_TIMEOUT")
    refused(twin, "present", REDO, "hostB", code="EVA_PORT_DOWN")
    twin.do("create_replicas", [Req(SRC, T.SNAPSHOT)])  # each rule fires once


def test_volumes_info_answers_only_for_the_volumes_asked(twin: Twin) -> None:
    twin.do("create_replicas", [Req(SRC, T.SNAPSHOT, name="s1")])
    want = twin.sim.volumes_info([SRC, "vd0099", "vd0004"])
    got = twin.smis.volumes_info([dev(SRC), dev("vd0099"), dev("vd0004")])
    assert list(want) == [SRC, "vd0004"]
    assert {vid(k): to_vids(v) for k, v in got.items()} == want


@pytest.mark.rule("WIRE-P1")
def test_differential_detach_and_create_volume(twin: Twin) -> None:
    """SMI-S Detach and CreateOrModifyElementFromStoragePool through the real driver give
    what the backend's detach and create_vdisk give in-process."""
    twin.do("create_replicas", [Req(ARCH, T.SNAPCLONE)])
    refused(twin, "detach", ARCH, "vd0004", code="EVA_SOURCE_NORMALIZING")
    twin.advance(3600)
    refused(twin, "detach", SRC, "vd0004", code="EVA_NOT_A_REPLICA")
    twin.do("detach", ARCH, "vd0004")
    info = twin.smis.volume_info(dev("vd0004"))
    assert (info.role, info.source, info.state) == ("source", None, "available")
    twin.do("create_replicas", [Req(ARCH, T.SNAPSHOT)])  # no clone in progress any more
    assert twin.do("create_volume", "new1", 2 * 1024**3, "dg2", "vraid1") == "vd0006"
    refused(twin, "create_volume", "new1", 1024**3, "dg2", code="EVA_NAME_IN_USE")
    refused(twin, "create_volume", "new2", 1024**3, "dg9", code="EVA_NO_SUCH_OBJECT")
    assert twin.smis.volume_info(dev("vd0006")).raid == "vraid1"


def test_an_unlisted_operational_status_is_judged_by_its_worst_value() -> None:
    """A provider's OperationalStatus array outside the door's mapping: only OK / Degraded
    alone count as consistent (drivers/array.py DR_GROUP_ZDB_STATES)."""

    def state(*values: int) -> str:
        status = {"OperationalStatus": [Uint16(v) for v in values]} if values else {}
        group = CIMInstance("HPEVA_ConsistencySet", status)
        return parse.dr_group_state(group)

    assert [state(2), state(2, 3), state(3, 6), state(2, 13), state(), state(5)] == [
        "normal",
        "warning",
        "error",
        "logging",
        "unknown",
        "unknown",
    ]
