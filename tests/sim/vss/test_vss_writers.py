"""Writers: events in order (VC-I4), the state machine (VC-I5), Freeze pairing (VC-I6), the
freeze and flush-and-hold windows (VC-I7, VC-P3), SetWriterFailure (VC-I8), BackupComplete and
truncation (VC-I9), failures outliving the session (VC-P18). Sources: vss-and-core.md §3.1–3.4;
learn.microsoft.com …/vswriter/nf-vswriter-cvsswriter-setwriterfailure, …-cvsswriter-initialize
(dwTimeoutFreeze), …/vsbackup/nf-vsbackup-ivssbackupcomponents-dosnapshotset (hold timeouts);
sap-vss-addendum.md VSS-9, VSS-10."""

from __future__ import annotations

import pytest
from vsslab import APP_ID, app_writer, make_world, prepared, service

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.creation import Stage, run
from apprm_ref.sim.vss.errors import hresult
from apprm_ref.sim.vss.models import BackupType, WriterState
from apprm_ref.sim.vss.requester import BackupComponents
from apprm_ref.sim.vss.writers import Event, WriterContext

KEY = f"{APP_ID}/Sim App Writer"


def _backup(world, kind=BackupType.FULL, *, complete=True, ok=True):
    req = prepared(world, "E:", "F:", kind=kind)
    job = run(req.do_snapshot_set())
    if job.ok:
        req.set_backup_succeeded(APP_ID, "SIMHOST", "appdb", ok)
        if complete:
            req.backup_complete()
    return req, job


def _state(world):
    st = service(world).status(app_writer(world))
    return st.state, st.last_error


@pytest.mark.rule("VC-I4")
@pytest.mark.rule("VC-I5")
def test_each_event_reaches_the_writer_in_order_and_moves_its_state() -> None:
    world = make_world()
    states = []
    w = app_writer(world)
    real = w.handle

    def spy(ctx: WriterContext) -> bool:
        states.append((ctx.event.value, service(world).status(w).state.name))
        return real(ctx)

    w.handle = spy  # type: ignore[method-assign]
    req, job = _backup(world)
    req.release()
    assert states == [
        ("PrepareForBackup", "STABLE"),
        ("PrepareForSnapshot", "STABLE"),
        ("Freeze", "WAITING_FOR_FREEZE"),
        ("Thaw", "WAITING_FOR_THAW"),
        ("PostSnapshot", "WAITING_FOR_POST_SNAPSHOT"),
        ("BackupComplete", "WAITING_FOR_BACKUP_COMPLETE"),
        ("BackupShutdown", "STABLE"),
    ]
    assert _state(world) == (WriterState.STABLE, "S_OK")


@pytest.mark.rule("VC-I4")
def test_a_writer_without_selected_components_gets_no_event() -> None:
    world = make_world()
    req = BackupComponents(service(world))
    req.initialize_for_backup()
    req.set_backup_state(True)
    req.gather_writer_metadata()
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:")
    req.prepare_for_backup()
    run(req.do_snapshot_set()).result()
    assert app_writer(world).seen == [] and req.events is not None and req.events.log == []


@pytest.mark.rule("VC-I6")
@pytest.mark.rule("VC-I8")
@pytest.mark.rule("VC-P4")
@pytest.mark.parametrize("event", ["PrepareForSnapshot", "Freeze"])
def test_a_veto_aborts_the_set_and_every_frozen_writer_gets_one_abort(event: str) -> None:
    world = make_world()
    app_writer(world).veto[event] = "VSS_E_WRITERERROR_RETRYABLE"
    _, job = _backup(world)
    assert job.stage == Stage.FAILED and not service(world).shadows
    seen = [e for e, _ in app_writer(world).seen]
    assert seen.count("Abort") == 1 and "Thaw" not in seen
    assert not [a for a in world.arrays["eva1"].vdisks.values() if a.source]  # nothing made
    state = (
        WriterState.FAILED_AT_FREEZE
        if event == "Freeze"
        else WriterState.FAILED_AT_PREPARE_SNAPSHOT
    )
    assert _state(world) == (state, "VSS_E_WRITERERROR_RETRYABLE")
    with pytest.raises(VssError, match="vetoed"):
        job.result()


@pytest.mark.rule("VC-I8")
def test_set_writer_failure_takes_only_the_five_errors_and_not_in_identify() -> None:
    ctx = WriterContext(Event.FREEZE, "win1")
    with pytest.raises(VssError) as exc:
        ctx.set_writer_failure("VSS_E_BAD_STATE")
    assert exc.value.code == "E_INVALIDARG"
    for code in (
        "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT",
        "VSS_E_WRITERERROR_OUTOFRESOURCES",
        "VSS_E_WRITERERROR_TIMEOUT",
        "VSS_E_WRITERERROR_RETRYABLE",
        "VSS_E_WRITERERROR_NONRETRYABLE",
    ):
        ctx.set_writer_failure(code)
        assert ctx.failure == code
    with pytest.raises(VssError):
        WriterContext(Event.IDENTIFY, "win1").set_writer_failure("VSS_E_WRITERERROR_RETRYABLE")


@pytest.mark.rule("VC-I8")
def test_set_writer_failure_fails_the_writer_even_when_it_returns_true() -> None:
    """VSS-10: SetWriterFailure in a handler that returns TRUE is still FAILED_AT_<phase>."""
    world = make_world()
    w = app_writer(world)
    real = w.handle

    def soft(ctx: WriterContext) -> bool:
        if ctx.event == Event.THAW:
            ctx.set_writer_failure("VSS_E_WRITERERROR_NONRETRYABLE")
            return True
        return real(ctx)

    w.handle = soft  # type: ignore[method-assign]
    req, job = _backup(world, complete=False)
    assert job.ok
    assert _state(world) == (WriterState.FAILED_AT_THAW, "VSS_E_WRITERERROR_NONRETRYABLE")


@pytest.mark.rule("VC-P3")
@pytest.mark.rule("VC-I7")
def test_a_writer_stalling_61_s_in_freeze_times_out() -> None:
    world = make_world()
    app_writer(world).stall["Freeze"] = 61.0
    _, job = _backup(world)
    assert job.stage == Stage.FAILED and not service(world).shadows
    assert _state(world) == (WriterState.FAILED_AT_FREEZE, "VSS_E_WRITERERROR_TIMEOUT")
    assert hresult(service(world).status(app_writer(world)).last_error) == 0x800423F2
    assert [e for e, _ in app_writer(world).seen].count("Abort") == 1


@pytest.mark.rule("VC-P3")
def test_a_writer_with_a_120_s_freeze_timeout_tolerates_90_s() -> None:
    world = make_world()
    app_writer(world).timeout_ms = 120000
    app_writer(world).stall["Freeze"] = 90.0
    _, job = _backup(world)
    assert job.ok and len(service(world).shadows) == 2
    assert _state(world) == (WriterState.STABLE, "S_OK")


@pytest.mark.rule("VC-P3")
@pytest.mark.rule("VC-I7")
@pytest.mark.parametrize(("seconds", "ok"), [(9.999, True), (11.0, False)])
def test_the_hold_window_is_ten_seconds(seconds: float, ok: bool) -> None:
    world = make_world(eva={"commit_seconds": seconds})
    _, job = _backup(world)
    assert job.ok is ok
    if not ok:
        assert job.error is not None and job.error.code == "VSS_E_HOLD_WRITES_TIMEOUT"
        assert not service(world).shadows
        assert not [v for v in world.arrays["eva1"].vdisks.values() if v.source]
        assert not any(m.frozen for m in world.hosts.host("win1").mounts.values())


@pytest.mark.rule("VC-I7")
def test_a_caller_made_replica_counts_the_time_spent_in_the_hold() -> None:
    """The product's make_replica runs inside the window: 12 s there is a hold timeout."""
    from apprm_ref.sim.vss.providers import Target

    world = make_world()
    req = BackupComponents(service(world))
    req.initialize_for_backup()
    req.set_backup_state(False)
    req.gather_writer_metadata()
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:")
    req.prepare_for_backup()
    job = req.do_snapshot_set()
    job.advance()
    assert job.stage == Stage.HOLDING
    assert world.hosts.host("win1").mounts["E:\\"].frozen  # writes held
    lun = req.volumes[0].ref.luns[0]
    world.advance(12.0)
    job.commit([Target(lun, "eva1", "made-elsewhere", "snapclone")])
    assert job.error is not None and job.error.code == "VSS_E_HOLD_WRITES_TIMEOUT"
    assert not world.hosts.host("win1").mounts["E:\\"].frozen


@pytest.mark.rule("VC-I9")
def test_backup_complete_only_after_success_and_truncation_only_for_successful_full() -> None:
    world = make_world(eva={"default_type": "snapshot"})
    req, _ = _backup(world, ok=False)
    assert app_writer(world).truncated == []
    _backup(world, BackupType.COPY)
    assert app_writer(world).truncated == []
    _backup(world, BackupType.FULL)
    assert app_writer(world).truncated == ["appdb"]
    app_writer(world).veto["Freeze"] = ""
    failed, job = _backup(world, complete=False)
    with pytest.raises(VssError) as exc:
        failed.backup_complete()
    assert exc.value.code == "VSS_E_BAD_STATE"


@pytest.mark.rule("VC-I9")
@pytest.mark.rule("VC-P7")
def test_an_unsupported_type_degrades_to_full_for_that_writer() -> None:
    world = make_world()  # the writer's schema is COPY only
    req, _ = _backup(world, BackupType.INCREMENTAL)
    assert ("Freeze", BackupType.FULL) in app_writer(world).seen
    assert 'backupType="incremental"' in req.save_as_xml()
    assert 'backupType="full"' in req.save_as_xml()


@pytest.mark.rule("VC-P18")
def test_a_failed_writer_stays_failed_until_its_service_restarts() -> None:
    world = make_world(eva={"default_type": "snapshot"})
    app_writer(world).stall["Freeze"] = 61.0
    _backup(world)
    app_writer(world).stall.clear()
    before = len(app_writer(world).seen)
    _, job = _backup(world)  # the next backup that needs it fails
    assert job.stage == Stage.FAILED
    assert _state(world) == (WriterState.FAILED_AT_FREEZE, "VSS_E_WRITERERROR_TIMEOUT")
    assert "Freeze" not in [e for e, _ in app_writer(world).seen[before:]]
    old = service(world).status(app_writer(world)).instance_id
    assert service(world).restart_service("SimApp") == [KEY]
    assert service(world).status(app_writer(world)).instance_id != old
    _, job = _backup(world)
    assert job.ok and _state(world) == (WriterState.STABLE, "S_OK")


@pytest.mark.rule("VC-I7")
def test_the_freeze_window_runs_until_thaw_so_a_slow_commit_counts_too() -> None:
    """55 s in Freeze plus an 8 s commit is 63 s between Freeze and Thaw: past 60 s."""
    world = make_world(eva={"commit_seconds": 8.0})
    app_writer(world).stall["Freeze"] = 55.0
    _, job = _backup(world)
    assert job.stage == Stage.FAILED and not service(world).shadows
    assert _state(world) == (WriterState.FAILED_AT_FREEZE, "VSS_E_WRITERERROR_TIMEOUT")
    assert not [v for v in world.arrays["eva1"].vdisks.values() if v.source]
    assert [e for e, _ in app_writer(world).seen].count("Abort") == 1


@pytest.mark.rule("VC-I4")
def test_a_writer_sees_which_of_its_files_the_set_lacks() -> None:
    """VSS-14: a component whose files are only partly in the set is an inconsistent copy."""
    world = make_world()
    w = app_writer(world)
    real = w.handle
    comp = w.on_identify(WriterContext(Event.IDENTIFY, "win1", world=world)).components[0]

    def careful(ctx: WriterContext) -> bool:
        if ctx.event == Event.PREPARE_FOR_SNAPSHOT and ctx.files_outside(comp):
            ctx.set_writer_failure("VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT")
            return False
        return real(ctx)

    w.handle = careful  # type: ignore[method-assign]
    req = prepared(world, "E:")  # F:, with the log file, is missing
    job = run(req.do_snapshot_set())
    assert not job.ok
    assert _state(world) == (
        WriterState.FAILED_AT_PREPARE_SNAPSHOT,
        "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT",
    )
    assert service(world).volume_of_path("F:\\app\\data.ldf").label == "F:\\"


@pytest.mark.rule("VC-I7")
def test_the_product_makes_the_replica_inside_the_hold_window() -> None:
    """The consistent() seam: writers frozen, writes held, the caller's own array replica
    committed as the set's shadow copy; Thaw and PostSnapshot follow."""
    from apprm_ref.errors import HostError
    from apprm_ref.sim.eva.models import VdiskKind
    from apprm_ref.sim.eva.replicas import TargetSpec
    from apprm_ref.sim.vss.models import CTX_APP_ROLLBACK
    from apprm_ref.sim.vss.providers import Target

    world = make_world()
    req = prepared(world, "E:", "F:", context=CTX_APP_ROLLBACK)
    job = req.do_snapshot_set()
    job.advance()  # Freeze; the hold begins
    assert job.stage == Stage.HOLDING
    assert _state(world)[0] == WriterState.WAITING_FOR_THAW
    with pytest.raises(HostError):
        world.hosts.write_file("win1", "E:\\app\\data.mdf", {0: "during hold"})
    luns = [v.ref.luns[0] for v in req.volumes]
    made = world.arrays["eva1"].create_targets(
        [TargetSpec(lun.volume, VdiskKind.SNAPSHOT) for lun in luns]
    )
    world.advance(2.0)
    job.commit([Target(lun, "eva1", v.id, "snapshot") for lun, v in zip(luns, made, strict=True)])
    job.result()
    assert sorted(s.target for s in service(world).shadows.values()) == sorted(v.id for v in made)
    assert [e for e, _ in app_writer(world).seen][-2:] == ["Thaw", "PostSnapshot"]
    world.hosts.write_file("win1", "E:\\app\\data.mdf", {0: "after"})  # released
