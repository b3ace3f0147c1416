"""Round trips of every domain type through the IDB, ordering, and NotFoundError."""

from __future__ import annotations

import pytest

from apprm_ref.core.records import AppConfig, MountLayout, ReplicaRecord, ReplicaStatus
from apprm_ref.core.session import BackupObjectRecord, ObjectResult, Session
from apprm_ref.core.specs import BackupSpec, ScheduleEntry, ScriptRef
from apprm_ref.errors import IdbError, NotFoundError
from apprm_ref.types import (
    ReplicaType,
    SessionStatus,
    SessionType,
    Severity,
    TargetVolume,
    VolumeRef,
)


def make_session(sid: str = "2008/03/03-1", spec: str = "fs1", started: float = 10.0) -> Session:
    s = Session(id=sid, type=SessionType.BACKUP, spec=spec, started=started)
    s.objects.append(BackupObjectRecord("/data", "filesystem"))
    s.objects.append(BackupObjectRecord("/logs", "filesystem", ObjectResult.FAILED, "EBUSY"))
    s.log(started + 1, Severity.NORMAL, "BSM", "Backup session started.")
    s.log(started + 2, Severity.WARNING, "SMISA@bk1", "slow", code="220:12", obj="/data")
    s.log(started + 3, Severity.MAJOR, "SMISA@bk1", "snapshot failed", code="E1", obj="/logs")
    s.objects[0].status = ObjectResult.COMPLETED
    s.metrics = {"zeta": 1.5, "alpha": 2.0}
    s.backup_mode_seconds = 3.25
    s.replica_id = f"{spec}#1"
    s.finish(started + 60)
    return s


def make_replica(spec: str = "fs1", seq: int = 1, array: str = "eva1") -> ReplicaRecord:
    src = [VolumeRef(array, f"src{i}") for i in range(2)]
    return ReplicaRecord(
        id=f"{spec}#{seq}",
        spec=spec,
        session_id=f"2008/03/03-{seq}",
        array=array,
        created_at=100.0 * seq,
        replica_type=ReplicaType.VSNAP,
        targets=[
            TargetVolume(
                s, VolumeRef(array, f"{s.volume}-t{seq}"), ReplicaType.VSNAP, {"wwn": "6005"}
            )
            for s in src
        ],
        layout=[MountLayout("app1", "vg01", "uuid-1", "lvol1", "/data", tuple(src))],
        tracked=True,
        sequence=seq,
        details={"smis": {"job": 7}, "note": "x"},
    )


def test_session_round_trip(repo):
    s = make_session()
    repo.save_session(s)
    got = repo.get_session(s.id)
    assert got == s
    assert got.status == SessionStatus.COMPLETED_FAILURE
    assert got.messages[2].code == "E1" and got.messages[2].obj == "/logs"


def test_session_update_replaces_children(repo):
    s = Session(id="2008/03/03-1", type=SessionType.BACKUP, spec="fs1", started=0.0)
    s.objects.append(BackupObjectRecord("/data", "filesystem"))
    s.log(1, Severity.NORMAL, "BSM", "started")
    repo.save_session(s)
    assert repo.get_session(s.id).status == SessionStatus.IN_PROGRESS
    s.log(2, Severity.NORMAL, "BSM", "done")
    s.objects[0].status = ObjectResult.COMPLETED
    s.finish(5)
    repo.save_session(s)
    got = repo.get_session(s.id)
    assert got == s
    assert [m.text for m in got.messages] == ["started", "done"]
    assert got.status == SessionStatus.COMPLETED


def test_restore_session_round_trip(repo):
    s = Session(id="R-2008/03/03-2", type=SessionType.RESTORE, spec="fs1", started=5.0)
    s.restored_from = "2008/03/03-1"
    repo.save_session(s)
    assert repo.get_session("R-2008/03/03-2") == s
    assert repo.last_session_number("2008/03/03") == 2


def test_missing_session_raises(repo):
    with pytest.raises(NotFoundError, match="2000/01/01-1"):
        repo.get_session("2000/01/01-1")
    with pytest.raises(NotFoundError):
        repo.session_messages("2000/01/01-1")


def test_list_sessions_order_filter_limit(repo):
    repo.save_session(make_session("2008/03/04-1", "b", started=86400 + 10))
    repo.save_session(make_session("2008/03/03-2", "a", started=20))
    repo.save_session(make_session("2008/03/03-1", "b", started=10))
    running = Session(id="2008/03/04-2", type=SessionType.BACKUP, spec="a", started=86400 + 20)
    repo.save_session(running)
    ids = [s.id for s in repo.list_sessions()]
    assert ids == ["2008/03/03-1", "2008/03/03-2", "2008/03/04-1", "2008/03/04-2"]
    assert [s.id for s in repo.list_sessions(spec="b")] == ["2008/03/03-1", "2008/03/04-1"]
    assert [s.id for s in repo.list_sessions(limit=2)] == ["2008/03/04-1", "2008/03/04-2"]
    assert [s.id for s in repo.list_sessions(running=True)] == ["2008/03/04-2"]
    assert len(repo.list_sessions(running=False)) == 3


def test_spec_round_trip_and_delete(repo):
    spec = BackupSpec(
        name="ora_prod",
        type="oracle",
        application_system="app1",
        backup_system="bk1",
        array="eva1",
        objects=["PROD"],
        replication={"snapshot_type": "vsnap", "replicas": 3},
        application={"sid": "PROD"},
        pre_exec=ScriptRef(command="/bin/true"),
        schedules=[ScheduleEntry(recurrence="weekly", weekdays=("mon", "fri"))],
        holidays=["2008-12-25"],
    )
    repo.save_spec(spec)
    repo.save_spec(BackupSpec(name="a_fs", application_system="h", array="xp1", objects=["/d"]))
    assert repo.get_spec("ora_prod") == spec
    assert [s.name for s in repo.list_specs()] == ["a_fs", "ora_prod"]
    changed = spec.model_copy(update={"description": "changed"})
    repo.save_spec(changed)
    assert repo.get_spec("ora_prod").description == "changed"
    repo.delete_spec("ora_prod")
    with pytest.raises(NotFoundError, match="spec 'ora_prod' not found"):
        repo.get_spec("ora_prod")
    with pytest.raises(NotFoundError):
        repo.delete_spec("ora_prod")


def test_replica_round_trip(repo):
    rec = make_replica()
    repo.add_replica(rec)
    got = repo.get_replica(rec.id)
    assert got == rec
    assert got.targets[0].details == {"wwn": "6005"}
    assert got.layout[0].volumes == (VolumeRef("eva1", "src0"), VolumeRef("eva1", "src1"))
    assert isinstance(got.replica_type, ReplicaType)


def test_replica_update_and_duplicate(repo):
    rec = make_replica()
    repo.add_replica(rec)
    with pytest.raises(IdbError):
        repo.add_replica(rec)
    rec.status = ReplicaStatus.PURGE
    rec.targets = rec.targets[:1]
    rec.mu = 2
    repo.update_replica(rec)
    assert repo.get_replica(rec.id) == rec
    with pytest.raises(NotFoundError):
        repo.update_replica(make_replica(seq=9))
    with pytest.raises(NotFoundError):
        repo.get_replica("nope#1")


def test_replica_listing_and_sequence(repo):
    assert repo.next_replica_sequence("fs1") == 1
    for spec, seq, arr in [
        ("fs1", 2, "eva1"),
        ("a", 1, "xp1"),
        ("fs1", 1, "eva1"),
        ("fs1", 3, "xp1"),
    ]:
        repo.add_replica(make_replica(spec, seq, arr))
    assert [r.id for r in repo.list_replicas()] == ["a#1", "fs1#1", "fs1#2", "fs1#3"]
    assert [r.id for r in repo.list_replicas(spec="fs1", array="eva1")] == ["fs1#1", "fs1#2"]
    assert repo.next_replica_sequence("fs1") == 4
    gone = repo.get_replica("fs1#3")
    gone.status = ReplicaStatus.DELETED
    repo.update_replica(gone)
    assert [r.id for r in repo.list_replicas(status=ReplicaStatus.DELETED)] == ["fs1#3"]
    assert repo.next_replica_sequence("fs1") == 4  # sequences are never reused
    assert [r.id for r in repo.replicas_of_session("2008/03/03-1")] == ["a#1", "fs1#1"]


def test_config_round_trip(repo):
    cfg = AppConfig("oracle", "PROD", "app1", {"home": "/u01", "port": 1521})
    repo.save_config(cfg)
    repo.save_config(AppConfig("sap", "SAP1", "app2"))
    repo.save_config(AppConfig("oracle", "DEV", "app1"))
    assert repo.get_config("oracle", "PROD") == cfg
    assert [(c.kind, c.name) for c in repo.list_configs()] == [
        ("oracle", "DEV"),
        ("oracle", "PROD"),
        ("sap", "SAP1"),
    ]
    assert [c.name for c in repo.list_configs("oracle")] == ["DEV", "PROD"]
    repo.delete_config("oracle", "PROD")
    with pytest.raises(NotFoundError):
        repo.get_config("oracle", "PROD")
    with pytest.raises(NotFoundError):
        repo.delete_config("oracle", "PROD")


def test_repository_satisfies_protocol(repo):
    from apprm_ref.core.repository import Repository

    def use(r: Repository) -> int:
        return r.last_session_number("2008/03/03")

    assert use(repo) == 0
    for name in [n for n in dir(Repository) if not n.startswith("_")]:
        assert callable(getattr(repo, name)), name
