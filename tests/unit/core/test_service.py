"""Orchestrator sessions on the default estate: scripts, queuing, round trip, rotation."""

from __future__ import annotations

import pytest

from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import MEMORY_URL, make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.estate import build_world, default_estate, sim_drivers
from apprm_ref.types import SessionStatus, Severity


@pytest.fixture
def estate():  # type: ignore[no-untyped-def]
    world = build_world(default_estate(), 5)
    repo = SqlRepository(make_engine(MEMORY_URL))
    orch = Orchestrator(sim_drivers(world), repo, world.env, epoch=world.clock.epoch)
    yield world, orch
    repo.engine.dispose()


def _spec(orch: Orchestrator, **extra) -> None:  # type: ignore[no-untyped-def]
    spec = {
        "name": "fs",
        "application_system": "app1",
        "backup_system": "bk1",
        "array": "eva1",
        "objects": ["/data"],
        "replication": {"snapshot_type": "vsnap", "replicas": 3},
    }
    spec.update(extra)
    orch.create_spec(spec)


def _targets(world) -> list[str]:  # type: ignore[no-untyped-def]
    eva = world.arrays["eva1"]
    return sorted(v for v in eva.vdisks if eva.vdisks[v].is_target)


@pytest.mark.rule("VC-I18")
@pytest.mark.rule("VC-P17")
def test_pre_exec_failure_fails_the_session_before_any_data_moves(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    world.hosts.define_script("app1", "pre.sh", exit_code=3, output=("checking app", "not ready"))
    _spec(orch, pre_exec={"command": "pre.sh"})
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.FAILED
    assert [o.status for o in session.objects] == ["Aborted"]
    assert _targets(world) == [] and orch.repo.list_replicas() == []
    texts = [m.text for m in session.messages]
    assert "checking app" in texts and "not ready" in texts  # stdout became Normal messages
    assert not world.hosts.host("app1").mounts["/data"].frozen


@pytest.mark.rule("VC-I18")
@pytest.mark.rule("VC-P17")
def test_post_exec_failure_gives_completed_errors_and_keeps_the_backup(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    world.hosts.define_script("bk1", "post.sh", exit_code=1)
    _spec(orch, post_exec={"command": "post.sh", "host": "bk1"})
    session = orch.run_backup("fs")
    assert session.status == SessionStatus.COMPLETED_ERRORS
    assert session.replica_id is not None
    assert [r.id for r in orch.repo.list_replicas()] == [session.replica_id]
    assert any(m.severity == Severity.MAJOR and "Post-exec" in m.text for m in session.messages)


@pytest.mark.rule("VC-I19")
@pytest.mark.rule("VC-P14")
def test_sessions_of_one_application_queue_and_never_overlap(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    _spec(orch)
    first, second = orch.start_backup("fs"), orch.start_backup("fs")
    world.env.run(until=world.env.now + 1e-9)
    queued = next(s for s in orch.running.values() if s.status == SessionStatus.QUEUING)
    world.env.run(until=world.env.all_of([first, second]))
    a, b = sorted((first.value, second.value), key=lambda s: s.started)
    assert queued.id == second.value.id
    assert a.status == b.status == SessionStatus.COMPLETED
    running_b = min(m.at for m in b.messages if "started" in m.text)
    assert a.finished is not None and running_b >= a.finished


@pytest.mark.rule("VC-P9")
def test_round_trip_restores_every_volume_and_leaves_others_untouched(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    hosts = world.hosts
    _spec(orch, replication={"snapshot_type": "snapclone", "replicas": 2})
    backed_up = {p: hosts.read_file("app1", p) for p in hosts.list_files("app1", "/data")}
    session = orch.run_backup("fs")
    world.advance(4 * 3600)
    for path in backed_up:
        hosts.write_file("app1", path, {0: "after backup"})
    hosts.write_file("app1", "/xpdata/orders.db", {0: "other volume group"})
    restore = orch.restore(session.id, RestoreOptions(method="copy-back", keep_replica=True))
    assert restore.status == SessionStatus.COMPLETED
    assert {p: hosts.read_file("app1", p) for p in backed_up} == backed_up
    assert hosts.read_block("app1", "/xpdata/orders.db", 0) == "other volume group"
    assert "/data" in hosts.host("app1").mounts  # mount point restored


@pytest.mark.rule("VC-P10")
def test_rotation_keeps_min_k_n_newest(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    _spec(orch)
    made = []
    for k in range(1, 6):
        made.append(orch.run_backup("fs").replica_id)
        live = [r.id for r in orch.repo.list_replicas(spec="fs", status="active")]
        assert live == made[-min(k, 3) :]
        world.advance(3600)


@pytest.mark.rule("VC-P10")
def test_xp_set_larger_than_three_mirror_units_is_rejected(estate) -> None:  # type: ignore[no-untyped-def]
    from apprm_ref.errors import ConfigError

    _world, orch = estate
    with pytest.raises(ConfigError) as err:
        orch.create_spec(
            {
                "name": "x",
                "application_system": "app1",
                "array": "xp1",
                "objects": ["/xpdata"],
                "replication": {"mu": "0-3"},
            }
        )
    assert "mu" in str(err.value)


def test_observers_see_each_session_before_it_runs_and_its_process(estate) -> None:  # type: ignore[no-untyped-def]
    world, orch = estate
    _spec(orch)
    seen: list[tuple[str, str, bool]] = []
    orch.observe_sessions(lambda s, p: seen.append((s.id, s.status.value, p.triggered)))
    backup = orch.run_backup("fs")
    restore = orch.restore(backup.id)
    assert [s[0] for s in seen] == [backup.id, restore.id]
    # observed at start: nothing has run yet, the session is not finished
    assert all(not triggered for _, _, triggered in seen)
    assert seen[0][1] != SessionStatus.COMPLETED.value
    assert backup.status == restore.status == SessionStatus.COMPLETED
