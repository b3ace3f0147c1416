"""``replicas_with_details``: the same answer on both paths, and a cached answer that every
write path keeps in step (each compared with an uncached read of the same file)."""

from __future__ import annotations

import pytest

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.snapshot_repoint import SWITCHED, SWITCHING
from apprm_ref.errors import IdbError
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.orm import OrmRepository
from apprm_ref.idb.repository import SqlRepository

from .test_repository import make_replica

KEYS = (SWITCHING, SWITCHED)


def _ids(repo, spec: str = "fs1", keys: tuple[str, ...] = KEYS) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.id for r in repo.replicas_with_details(spec, keys)]


def test_with_details_on_every_dialect(repo):
    """Key present, any status, list order; a value equal to a key is no match."""
    for seq in (3, 1, 2, 4):
        repo.add_replica(make_replica("fs1", seq))
    repo.add_replica(make_replica("other", 1))
    a, b, c = (repo.get_replica(f"fs1#{n}") for n in (1, 3, 4))
    a.details[SWITCHED] = {"eva1:src0": "eva1:t"}
    b.details[SWITCHING] = {}
    b.status = ReplicaStatus.DELETED
    c.details["note"] = SWITCHED  # the needle in a value only
    for rec in (a, b, c):
        repo.update_replica(rec)
    other = repo.get_replica("other#1")
    other.details[SWITCHED] = {}
    repo.update_replica(other)
    assert _ids(repo) == ["fs1#1", "fs1#3"]
    assert _ids(repo, keys=(SWITCHED,)) == ["fs1#1"]
    assert _ids(repo, keys=("note",)) == ["fs1#1", "fs1#2", "fs1#3", "fs1#4"]
    assert _ids(repo, keys=()) == []
    assert _ids(repo, "other") == ["other#1"]
    assert _ids(repo, "none") == []
    expected = [r for r in repo.list_replicas(spec="fs1") if r.id in ("fs1#1", "fs1#3")]
    assert repo.replicas_with_details("fs1", KEYS) == expected


def _uncached(db_path) -> list[str]:  # type: ignore[no-untyped-def]
    orm = OrmRepository(make_engine(file_url(db_path)))
    try:
        return _ids(orm)
    finally:
        orm.engine.dispose()


def test_the_cached_answer_follows_every_write(file_repo, db_path):
    """Warm the cached answer, then change it through each write path: adding a replica
    with and without a key, giving and taking a key, moving a replica to another spec and
    back, a refused write, a write through the ORM and one from another connection."""
    r = file_repo
    r.add_replica(make_replica("fs1", 1))
    r.add_replica(make_replica("zz", 1))
    steps = []

    def step(change):  # type: ignore[no-untyped-def]
        assert _ids(r) == _uncached(db_path)  # warm (or check) the cache
        assert "fs1" in r._fast.st.replicas.noted  # the next answer comes from it
        change()
        steps.append(_ids(r))
        assert steps[-1] == _uncached(db_path)

    def add_noted() -> None:
        rec = make_replica("fs1", 2)
        rec.details[SWITCHING] = {"a": "b"}
        r.add_replica(rec)

    def give(rid: str, key: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            rec = r.get_replica(rid)
            rec.details[key] = {}
            r.update_replica(rec)

        return go

    def take(rid: str, key: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            rec = r.get_replica(rid)
            del rec.details[key]
            r.update_replica(rec)

        return go

    def move(rid: str, spec: str):  # type: ignore[no-untyped-def]
        def go() -> None:
            rec = r.get_replica(rid)
            rec.spec = spec
            r.update_replica(rec)

        return go

    def refused() -> None:
        rec = r.get_replica("fs1#1")
        rec.details[SWITCHED] = {}
        rec.spec = "no_such_set"
        with pytest.raises(IdbError):
            r.update_replica(rec)

    def through_orm() -> None:
        rec = r.get_replica("fs1#3")
        rec.details[SWITCHED] = {}
        OrmRepository.update_replica(r, rec)

    def foreign() -> None:
        other = SqlRepository(make_engine(file_url(db_path)))
        rec = other.get_replica("fs1#2")
        del rec.details[SWITCHING]
        other.update_replica(rec)
        other.engine.dispose()

    step(lambda: r.add_replica(make_replica("fs1", 3)))
    step(add_noted)
    step(give("fs1#1", SWITCHED))
    step(give("zz#1", SWITCHED))
    step(move("zz#1", "fs1"))
    step(move("zz#1", "zz"))
    step(take("fs1#1", SWITCHED))
    step(refused)
    step(through_orm)
    step(foreign)
    assert steps == [
        [],
        ["fs1#2"],
        ["fs1#1", "fs1#2"],
        ["fs1#1", "fs1#2"],
        ["fs1#1", "zz#1", "fs1#2"],
        ["fs1#1", "fs1#2"],
        ["fs1#2"],
        ["fs1#2"],
        ["fs1#2", "fs1#3"],
        ["fs1#3"],
    ]
