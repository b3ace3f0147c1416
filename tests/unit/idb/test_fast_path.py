"""The SQLite fast path: never stale, same answers as the ORM path, caller copies are copies."""

from __future__ import annotations

import random
import subprocess
import sys
import threading

import pytest
from sqlalchemy import text

from apprm_ref.core.records import AppConfig, ReplicaStatus
from apprm_ref.core.session import BackupObjectRecord, ObjectResult, Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import IdbError, NotFoundError
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.orm import OrmRepository
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.types import SessionType, Severity, TargetVolume, VolumeRef

from .test_repository import make_replica, make_session


def _spec(name: str, desc: str = "") -> BackupSpec:
    return BackupSpec(
        name=name, application_system="h", array="eva1", objects=["/d"], description=desc
    )


@pytest.fixture
def repo() -> SqlRepository:
    """The fast path is SQLite's own: these tests run on in-memory SQLite only."""
    return SqlRepository(make_engine("sqlite://"))


def test_sqlite_engines_take_the_fast_path(repo, file_repo):
    assert repo._fast is not None and file_repo._fast is not None


def test_another_connection_commit_drops_the_cache(file_repo, db_path):
    file_repo.save_spec(_spec("s1"))
    file_repo.save_config(AppConfig("oracle", "P", "h1", {"a": 1}))
    file_repo.add_replica(make_replica("fs1", 1))
    # warm every cache
    assert file_repo.get_spec("s1").description == ""
    assert file_repo.get_config("oracle", "P").host == "h1"
    assert [r.id for r in file_repo.list_replicas(spec="fs1", status="active")] == ["fs1#1"]
    assert file_repo.next_replica_sequence("fs1") == 2
    other = SqlRepository(make_engine(file_url(db_path)))  # its own engine: a new connection
    other.save_spec(_spec("s1", "changed"))
    other.save_config(AppConfig("oracle", "P", "h2"))
    rep = other.get_replica("fs1#1")
    rep.status = ReplicaStatus.DELETED
    other.update_replica(rep)
    other.add_replica(make_replica("fs1", 7))
    assert file_repo.get_spec("s1").description == "changed"
    assert file_repo.get_config("oracle", "P").host == "h2"
    assert [r.id for r in file_repo.list_replicas(spec="fs1", status="active")] == ["fs1#7"]
    assert file_repo.get_replica("fs1#1").status == ReplicaStatus.DELETED
    assert file_repo.next_replica_sequence("fs1") == 8
    other.engine.dispose()


def test_a_cached_absence_is_dropped_too(file_repo, db_path):
    for _ in range(2):  # the second answer comes from the cache
        with pytest.raises(NotFoundError):
            file_repo.get_config("oracle", "LATE")
        with pytest.raises(NotFoundError):
            file_repo.get_spec("late")
    other = SqlRepository(make_engine(file_url(db_path)))
    other.save_config(AppConfig("oracle", "LATE", "h"))
    other.save_spec(_spec("late"))
    assert file_repo.get_config("oracle", "LATE").host == "h"
    assert file_repo.get_spec("late").name == "late"
    other.delete_config("oracle", "LATE")
    with pytest.raises(NotFoundError):
        file_repo.get_config("oracle", "LATE")
    other.engine.dispose()


def test_a_write_after_a_foreign_commit_does_not_hide_it(file_repo, db_path):
    file_repo.add_replica(make_replica("fs1", 1))
    assert len(file_repo.list_replicas(status="active")) == 1  # cached
    other = OrmRepository(make_engine(file_url(db_path)))
    other.add_replica(make_replica("fs1", 2))
    file_repo.add_replica(make_replica("fs1", 3))  # its transaction must notice fs1#2
    assert [r.id for r in file_repo.list_replicas(status="active")] == ["fs1#1", "fs1#2", "fs1#3"]
    s = make_session("2008/03/03-1")
    file_repo.save_session(s)
    other.save_session(make_session("2008/03/03-1", spec="changed-elsewhere"))
    file_repo.save_session(s)  # knows its last save is stale: rewrites every row
    assert file_repo.get_session(s.id) == s
    other.engine.dispose()


def test_another_process_commit_is_seen(file_repo, db_path):
    file_repo.save_spec(_spec("s1"))
    file_repo.add_replica(make_replica("fs1", 1))
    assert file_repo.get_spec("s1").description == ""
    assert file_repo.list_replicas(status="active")[0].status == "active"
    code = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
        "db.execute(\"UPDATE replicas SET status = 'purge'\");"
        "db.execute(\"UPDATE backup_specs SET body = json_set(body, '$.description', 'cli')\");"
        "db.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(db_path)], check=True)
    assert file_repo.list_replicas(status="active") == []
    assert [r.id for r in file_repo.list_replicas(status="purge")] == ["fs1#1"]
    assert file_repo.get_spec("s1").description == "cli"


def test_writes_through_the_shared_memory_connection_are_seen(repo):
    repo.add_replica(make_replica("fs1", 1))
    repo.save_config(AppConfig("oracle", "P", "h1"))
    assert repo.get_config("oracle", "P").host == "h1"
    assert len(repo.list_replicas(spec="fs1")) == 1
    with repo.engine.begin() as conn:  # same connection (StaticPool): data_version is blind
        conn.execute(text("UPDATE replicas SET status = 'deleted'"))
        conn.execute(text("UPDATE app_configs SET host = 'h9'"))
    assert repo.list_replicas(spec="fs1")[0].status == "deleted"
    assert repo.get_config("oracle", "P").host == "h9"
    second = SqlRepository(repo.engine)  # shares the connection and the cache
    second.update_replica(make_replica("fs1", 1))
    assert repo.list_replicas(spec="fs1")[0].status == "active"


def test_returned_values_are_copies(repo):
    repo.add_replica(make_replica("fs1", 1))
    repo.save_spec(_spec("s1"))
    got = repo.list_replicas(spec="fs1")[0]
    got.status = ReplicaStatus.PURGE
    got.details["smis"]["job"] = 99
    got.targets[0].details["wwn"] = "x"
    got.layout.clear()
    again = repo.get_replica("fs1#1")
    assert again == make_replica("fs1", 1)
    spec = repo.get_spec("s1")
    spec.objects.append("/other")
    assert repo.get_spec("s1").objects == ["/d"]


def test_errors_leave_the_cache_consistent(file_repo):
    file_repo.add_replica(make_replica("fs1", 1))
    assert len(file_repo.list_replicas(spec="fs1")) == 1
    with pytest.raises(IdbError, match="already recorded"):
        file_repo.add_replica(make_replica("fs1", 1))
    with pytest.raises(NotFoundError):
        file_repo.update_replica(make_replica("fs1", 5))
    moved = make_replica("fs1", 1)
    moved.spec = "no_such_set"
    with pytest.raises(IdbError, match="IntegrityError"):
        file_repo.update_replica(moved)  # no replica set for that spec (foreign key)
    assert [r.id for r in file_repo.list_replicas()] == ["fs1#1"]
    assert file_repo.get_replica("fs1#1") == make_replica("fs1", 1)
    assert file_repo.next_replica_sequence("fs1") == 2


@pytest.mark.parametrize("fixture", ["repo", "file_repo"])
def test_another_thread_takes_the_orm_path(fixture, request):
    r = request.getfixturevalue(fixture)
    r.add_replica(make_replica("fs1", 1))
    assert len(r.list_replicas(status="active")) == 1
    seen: list[object] = []

    def elsewhere() -> None:
        seen.append(r._fast)
        rec = r.get_replica("fs1#1")
        rec.status = ReplicaStatus.PURGE
        r.update_replica(rec)

    t = threading.Thread(target=elsewhere)
    t.start()
    t.join()
    assert seen == [None]
    assert r.list_replicas(status="active") == []
    assert r.get_replica("fs1#1").status == ReplicaStatus.PURGE


@pytest.mark.parametrize("cls", [SqlRepository, OrmRepository])
def test_a_value_json_cannot_hold_is_an_idb_error(cls, db_path):
    r = cls(make_engine(file_url(db_path)))
    bad = make_replica("fs1", 1)
    bad.details["when"] = object()
    with pytest.raises(IdbError):
        r.add_replica(bad)
    s = make_session()
    s.metrics["x"] = {1, 2}
    with pytest.raises(IdbError):
        r.save_session(s)
    assert r.list_replicas() == [] and r.list_sessions() == []
    r.engine.dispose()


def test_dispose_then_use_again(file_repo):
    file_repo.save_spec(_spec("s1"))
    assert file_repo.get_spec("s1").name == "s1"
    file_repo.engine.dispose()
    file_repo.save_spec(_spec("s1", "after"))
    assert file_repo.get_spec("s1").description == "after"


def _session_variant(rng: random.Random, sid: str, spec: str) -> Session:
    s = Session(id=sid, type=SessionType.BACKUP, spec=spec, started=float(rng.randint(0, 9)))
    for i in range(rng.randint(0, 3)):
        s.objects.append(BackupObjectRecord(f"/o{i}", "filesystem", rng.choice(["Pending", "x"])))
    for i in range(rng.randint(0, 4)):
        s.log(float(i), rng.choice(list(Severity)), "BSM", rng.choice(["a", "b"]))
    if rng.random() < 0.5:
        s.objects.append(BackupObjectRecord("/z", "fs", ObjectResult.FAILED, "E"))
        s.finish(20.0)
    return s


@pytest.mark.parametrize("seed", range(6))
def test_same_answers_as_the_orm_path(seed, db_path):
    """A random run of every Protocol method on both paths; results and errors compared."""
    rng = random.Random(seed)
    fast = SqlRepository(make_engine(file_url(db_path)))
    orm = OrmRepository(make_engine("sqlite://"))
    specs, arrays = ["a", "fs1", "zz"], ["eva1", "xp1"]
    statuses = [ReplicaStatus.ACTIVE, ReplicaStatus.PURGE, ReplicaStatus.DELETED]

    def both(name: str, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = []
        for r in (fast, orm):
            try:
                out.append(("ok", getattr(r, name)(*args, **kwargs)))
            except (IdbError, NotFoundError) as exc:
                out.append((type(exc).__name__, str(exc) if type(exc) is NotFoundError else ""))
        assert out[0] == out[1], (name, args, kwargs)
        return out[0][1]

    for _ in range(250):
        op = rng.randrange(9)
        spec, seq = rng.choice(specs), rng.randint(1, 6)
        if op == 0:
            both("add_replica", make_replica(spec, seq, rng.choice(arrays)))
        elif op == 1:
            rec = make_replica(spec, seq, rng.choice(arrays))
            rec.status = rng.choice(statuses)
            rec.details["n"] = rng.randint(0, 2)
            if rng.random() < 0.4:  # a key replicas_with_details asks for, or its name as a value
                rec.details[rng.choice(["switched", "switching", "v"])] = rng.choice(
                    [{}, "switched"]
                )
            rec.targets = rec.targets[: rng.randint(0, 2)]
            if rng.random() < 0.3:
                rec.targets.append(
                    TargetVolume(VolumeRef("xp1", "p"), VolumeRef("xp1", "s"), rec.replica_type)
                )
            rec.sequence = rng.choice([seq, seq + 3])
            rec.spec = rng.choice([spec, spec, "zz"])
            rec.mu = rng.choice([None, 0, 1])
            both("update_replica", rec)
        elif op == 2:
            kw = {
                "spec": rng.choice([None, *specs]),
                "array": rng.choice([None, *arrays]),
                "status": rng.choice([None, *statuses]),
            }
            both("list_replicas", **kw)
        elif op == 3:
            both("next_replica_sequence", spec)
            both("get_replica", f"{spec}#{seq}")
        elif op == 4:
            both("replicas_of_session", f"2008/03/03-{seq}")
            arr = rng.choice(arrays)
            src = VolumeRef(arr, rng.choice(["src0", "src1", "p"]))
            both("replicas_holding", src, rng.choice([None, 0, 1]), status=rng.choice(statuses))
            keys = rng.choice([("switching", "switched"), ("switched",), ("v",), ()])
            both("replicas_with_details", spec, keys)
        elif op == 5:
            sid = f"2008/03/0{rng.randint(1, 3)}-{rng.randint(1, 3)}"
            both("save_session", _session_variant(rng, sid, spec))
            both("get_session", sid)
            both("last_session_number", sid[:10])
        elif op == 6:
            both("save_spec", _spec(spec, rng.choice(["", "x"])))
            both("get_spec", rng.choice(specs))
        elif op == 7:
            both("save_config", AppConfig("oracle", spec, "h", {"k": rng.randint(0, 3)}))
            both("get_config", "oracle", rng.choice(specs))
        else:
            if rng.random() < 0.5:
                both("delete_spec", spec)
            else:
                both("delete_config", "oracle", spec)
    both("list_replicas")
    both("list_sessions")
    both("list_specs")
    both("list_configs")
    fast.engine.dispose()


@pytest.mark.parametrize("cls", [SqlRepository, OrmRepository])
def test_replicas_holding_an_mu(cls, db_path):
    r = cls(make_engine(file_url(db_path)))
    for spec, seq, mu in [("b", 1, 0), ("a", 1, 1), ("a", 2, 0), ("c", 1, 0)]:
        rec = make_replica(spec, seq, "xp1")
        rec.mu = mu
        r.add_replica(rec)
    gone = r.get_replica("c#1")
    gone.status = ReplicaStatus.DELETED
    r.update_replica(gone)
    src = VolumeRef("xp1", "src0")
    assert [x.id for x in r.replicas_holding(src, 0)] == ["a#2", "b#1"]
    assert [x.id for x in r.replicas_holding(src, 1)] == ["a#1"]
    assert r.replicas_holding(VolumeRef("xp1", "other"), 0) == []
    assert [x.id for x in r.replicas_holding(src, 0, status="deleted")] == ["c#1"]
    assert r.replicas_holding(src, 0) == [
        x for x in r.list_replicas(array="xp1", status="active") if x.mu == 0
    ]
    r.engine.dispose()


def test_a_cached_spec_is_handed_out_as_a_copy(file_repo, db_path):
    """The cached spec is copied on every read (``copy_model``): equal to the stored one
    and to the ORM's read, the same fields given (what ``exclude_unset`` dumps), and no
    list or dict of it reachable from what a caller got."""
    from apprm_ref.core.specs import ScheduleEntry
    from apprm_ref.idb.orm import OrmRepository

    spec = BackupSpec(
        name="s2", application_system="h", array="eva1", objects=["/d", "/e"],
        replication={"snapshot_type": "vsnap", "nested": {"a": [1, 2]}},
        application={"oracle": {"sid": "P"}},
        schedules=[ScheduleEntry(start="01:00", weekdays=("mon",), recurrence="weekly")],
        holidays=["2008-12-25"],
    )  # fmt: skip
    file_repo.save_spec(spec)
    first = file_repo.get_spec("s2")  # read from the IDB, then cached
    got = file_repo.get_spec("s2")  # from the cache
    orm = OrmRepository(make_engine(file_url(db_path)))
    assert got == first == spec == orm.get_spec("s2")
    assert got.model_fields_set == orm.get_spec("s2").model_fields_set
    assert got.model_dump(exclude_unset=True) == orm.get_spec("s2").model_dump(exclude_unset=True)
    got.objects.append("/x")
    got.replication["nested"]["a"].append(3)
    got.application["oracle"]["sid"] = "Q"
    got.schedules.clear()
    got.holidays.append("2009-01-01")
    got.description = "changed here only"
    again = file_repo.get_spec("s2")
    assert again == spec and again is not got
    orm.engine.dispose()
