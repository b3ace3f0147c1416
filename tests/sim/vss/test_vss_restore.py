"""Restore through VSS: the call order, statuses before PostRestore (VC-I10) and each
restore method honoured (VC-P8). Sources: vss-and-core.md §4.1-4.2; learn.microsoft.com
…/vswriter/ne-vswriter-vss_restoremethod_enum, …/vss/setting-vss-restore-methods,
…/vswriter/ne-vswriter-vss_file_restore_status."""

from __future__ import annotations

import pytest
from vsslab import APP_ID, app_writer, make_world, prepared, service

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.creation import run
from apprm_ref.sim.vss.models import FileRestoreStatus, FileSpec, RestoreMethod
from apprm_ref.sim.vss.restore import RestoreComponents

FILES = ("E:\\app\\data.mdf", "F:\\app\\data.ldf")


def _saved_backup(world):
    saved = {p: world.hosts.read_file("win1", p) for p in FILES}
    req = prepared(world, "E:", "F:")
    run(req.do_snapshot_set()).result()
    req.set_backup_succeeded(APP_ID, "SIMHOST", "appdb", True)
    req.backup_complete()
    return req.save_as_xml(), saved


def _restore(world, bcd, saved):
    r = RestoreComponents(service(world))
    r.initialize_for_restore(bcd)
    r.gather_writer_metadata()
    r.set_selected_for_restore(APP_ID, "SIMHOST", "appdb")
    r.pre_restore()
    status = r.restore_files(APP_ID, "SIMHOST", "appdb", saved)
    r.post_restore()
    return r, status


def _events(world) -> list[str]:
    return [e for e, _ in app_writer(world).seen]


@pytest.mark.rule("VC-I10")
def test_post_restore_needs_a_status_for_every_selected_component() -> None:
    world = make_world()
    bcd, _ = _saved_backup(world)
    r = RestoreComponents(service(world))
    with pytest.raises(VssError) as exc:
        r.pre_restore()
    assert exc.value.code == "VSS_E_BAD_STATE"
    r.initialize_for_restore(bcd)
    r.gather_writer_metadata()
    r.set_selected_for_restore(APP_ID, "SIMHOST", "appdb")
    r.pre_restore()
    with pytest.raises(VssError, match="before SetFileRestoreStatus"):
        r.post_restore()
    r.set_file_restore_status(APP_ID, "SIMHOST", "appdb", FileRestoreStatus.NONE)
    r.post_restore()
    assert _events(world)[-2:] == ["PreRestore", "PostRestore"]
    assert 'fileRestoreStatus="none"' in r.save_as_xml()


@pytest.mark.rule("VC-P8")
@pytest.mark.rule("VC-I10")
def test_if_not_there_with_one_existing_file_restores_nothing() -> None:
    world = make_world()
    bcd, saved = _saved_backup(world)
    world.hosts.delete_file("win1", FILES[0])  # one file gone, the other still there
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.NONE
    assert not world.hosts.file_exists("win1", FILES[0])


@pytest.mark.rule("VC-P8")
def test_if_not_there_uses_an_alternate_mapping_when_there_is_one() -> None:
    world = make_world()
    app_writer(world).alternates = (
        FileSpec("E:\\app", "*.mdf", alternate_path="E:\\alt"),
        FileSpec("F:\\app", "*.ldf", alternate_path="F:\\alt"),
    )
    bcd, saved = _saved_backup(world)
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.ALL
    assert world.hosts.read_file("win1", "E:\\alt\\data.mdf") == saved[FILES[0]]


@pytest.mark.rule("VC-P8")
def test_if_not_there_with_none_there_restores_all() -> None:
    world = make_world()
    bcd, saved = _saved_backup(world)
    for p in FILES:
        world.hosts.delete_file("win1", p)
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.ALL
    assert all(world.hosts.read_file("win1", p) == saved[p] for p in FILES)


@pytest.mark.rule("VC-P8")
def test_if_can_replace_with_a_locked_file_restores_nothing() -> None:
    world = make_world()
    app_writer(world).method = RestoreMethod.RESTORE_IF_CAN_REPLACE
    bcd, saved = _saved_backup(world)
    world.hosts.write_file("win1", FILES[0], {0: "changed"})
    world.hosts.hold("win1", "E:\\")  # the database keeps its file open
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.NONE
    assert world.hosts.read_file("win1", FILES[0])[0] == "changed"
    world.hosts.release("win1", "E:\\")
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.ALL
    assert world.hosts.read_file("win1", FILES[0]) == saved[FILES[0]]


@pytest.mark.rule("VC-P8")
def test_a_copy_that_breaks_off_part_way_is_failed() -> None:
    world = make_world()
    app_writer(world).method = RestoreMethod.RESTORE_IF_CAN_REPLACE
    bcd, saved = _saved_backup(world)
    world.hosts.host("win1").mounts["F:\\"].read_only = True  # the second file cannot be written
    _, status = _restore(world, bcd, saved)
    assert status == FileRestoreStatus.FAILED


@pytest.mark.rule("VC-I10")
def test_stop_restore_start_writer_gets_no_post_restore() -> None:
    world = make_world()
    app_writer(world).method = RestoreMethod.STOP_RESTORE_START
    bcd, saved = _saved_backup(world)
    old = service(world).status(app_writer(world)).instance_id
    _restore(world, bcd, saved)
    assert _events(world)[-1] == "PreRestore"
    assert service(world).status(app_writer(world)).instance_id != old


@pytest.mark.rule("VC-I10")
def test_reboot_time_methods_are_refused_not_ignored() -> None:
    world = make_world()
    app_writer(world).method = RestoreMethod.RESTORE_AT_REBOOT
    bcd, saved = _saved_backup(world)
    with pytest.raises(VssError, match="not simulated"):
        _restore(world, bcd, saved)
