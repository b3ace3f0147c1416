"""The requester's call order (VC-I1), one creation in flight per host (VC-I2), volumes in a
set (VC-I3). Sources: vss-and-core.md §3.1 and §17; learn.microsoft.com
windows/win32/api/vsbackup/nn-vsbackup-ivssbackupcomponents."""

from __future__ import annotations

import pytest
from vsslab import APP_ID, make_world, service

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.creation import run
from apprm_ref.sim.vss.eva_provider import EVA_PROVIDER_ID
from apprm_ref.sim.vss.models import BackupType
from apprm_ref.sim.vss.requester import BackupComponents, Phase
from apprm_ref.sim.vss.xp_provider import XP_PROVIDER_ID


def _ready(world, *volumes: str) -> BackupComponents:
    req = BackupComponents(service(world))
    req.initialize_for_backup()
    req.set_backup_state(True, False, BackupType.FULL)
    req.gather_writer_metadata()
    req.add_component(APP_ID, "SIMHOST", "appdb")
    req.start_snapshot_set()
    for v in volumes:
        req.add_to_snapshot_set(v)
    return req


@pytest.mark.rule("VC-I1")
def test_the_documented_order_creates_the_set() -> None:
    world = make_world()
    req = _ready(world, "E:", "F:")
    req.prepare_for_backup()
    job = run(req.do_snapshot_set())
    job.result()
    req.set_backup_succeeded(APP_ID, "SIMHOST", "appdb", True)
    req.backup_complete()
    assert req.phase == Phase.COMPLETED
    assert len(service(world).shadows) == 2


CALLS = {
    "SetBackupState": lambda r: r.set_backup_state(True),
    "GatherWriterMetadata": lambda r: r.gather_writer_metadata(),
    "StartSnapshotSet": lambda r: r.start_snapshot_set(),
    "AddToSnapshotSet": lambda r: r.add_to_snapshot_set("E:"),
    "PrepareForBackup": lambda r: r.prepare_for_backup(),
    "DoSnapshotSet": lambda r: r.do_snapshot_set(),
    "SetBackupSucceeded": lambda r: r.set_backup_succeeded(APP_ID, "SIMHOST", "appdb", True),
    "BackupComplete": lambda r: r.backup_complete(),
}
# the calls that are legal in each phase; every other one is VSS_E_BAD_STATE
LEGAL = {
    Phase.INITIALIZED: {"SetBackupState"},
    Phase.GATHERED: {"StartSnapshotSet"},
    Phase.SET_STARTED: {"AddToSnapshotSet", "PrepareForBackup"},
}


@pytest.mark.rule("VC-I1")
@pytest.mark.parametrize("phase", sorted(LEGAL, key=lambda p: p.value))
def test_an_out_of_order_call_is_bad_state_and_changes_nothing(phase: Phase) -> None:
    world = make_world()
    req = BackupComponents(service(world))
    req.initialize_for_backup()
    if phase != Phase.INITIALIZED:
        req.set_backup_state(True)
        req.gather_writer_metadata()
    if phase == Phase.SET_STARTED:
        req.start_snapshot_set()
    for name, call in CALLS.items():
        if name in LEGAL[phase] or (name == "PrepareForBackup" and not req.volumes):
            continue
        before = (req.phase, len(req.volumes), service(world).creating)
        with pytest.raises(VssError) as exc:
            call(req)
        assert exc.value.code == "VSS_E_BAD_STATE", name
        assert "0x80042301" in str(exc.value)
        assert (req.phase, len(req.volumes), service(world).creating) == before


@pytest.mark.rule("VC-I1")
def test_backup_complete_before_do_snapshot_set_is_refused() -> None:
    req = _ready(make_world(), "E:")
    req.prepare_for_backup()
    with pytest.raises(VssError, match="BackupComplete is out of order"):
        req.backup_complete()


@pytest.mark.rule("VC-I2")
def test_a_second_set_waits_until_the_first_creation_ends() -> None:
    world = make_world()
    first = _ready(world, "E:", "F:")
    second = BackupComponents(service(world))
    second.initialize_for_backup()
    second.set_backup_state(False)
    second.gather_writer_metadata()
    with pytest.raises(VssError) as exc:
        second.start_snapshot_set()
    assert exc.value.code == "VSS_E_SNAPSHOT_SET_IN_PROGRESS"
    first.prepare_for_backup()
    run(first.do_snapshot_set()).result()
    assert second.start_snapshot_set()  # the first creation has ended


@pytest.mark.rule("VC-I2")
def test_an_aborted_creation_frees_the_host() -> None:
    world = make_world()
    first = _ready(world, "E:")
    first.prepare_for_backup()
    first.abort_backup()
    other = _ready(world, "F:")
    assert other.set_id != first.set_id


@pytest.mark.rule("VC-I3")
def test_a_volume_goes_into_a_set_once() -> None:
    req = _ready(make_world(), "E:")
    with pytest.raises(VssError) as exc:
        req.add_to_snapshot_set("e:\\")
    assert exc.value.code == "VSS_E_OBJECT_ALREADY_EXISTS"
    assert len(req.volumes) == 1


@pytest.mark.rule("VC-I3")
def test_a_provider_takes_only_volumes_whose_luns_it_supports() -> None:
    req = _ready(make_world())
    with pytest.raises(VssError) as exc:
        req.add_to_snapshot_set("G:", EVA_PROVIDER_ID)  # an XP LDEV
    assert exc.value.code == "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER"
    req.add_to_snapshot_set("G:", XP_PROVIDER_ID)
    req.add_to_snapshot_set("E:")  # no provider named: the one that supports it
    assert [v.provider.provider_id for v in req.volumes] == [XP_PROVIDER_ID, EVA_PROVIDER_ID]
    with pytest.raises(VssError) as exc:
        req.add_to_snapshot_set("H:")
    assert exc.value.code == "VSS_E_OBJECT_NOT_FOUND"
