"""The fast path's replica cache after writes: what it hands out equals an uncached read
(the ORM on the same file) and stays a copy, whichever parts a write let it keep."""

from __future__ import annotations

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.orm import OrmRepository

from .test_repository import make_replica


def test_a_status_only_update_keeps_the_parsed_parts(file_repo, db_path):
    r = file_repo
    r.add_replica(make_replica("fs1", 1))
    before = r._fast.st.replicas.rows["fs1#1"]
    rec = r.get_replica("fs1#1")
    rec.status, rec.tracked, rec.sequence = ReplicaStatus.PURGE, False, 4
    r.update_replica(rec)
    after = r._fast.st.replicas.rows["fs1#1"]
    assert after.parts is before.parts and after.layout is before.layout  # shared, not parsed
    assert after.key == ("fs1", 4, "fs1#1")
    orm = OrmRepository(make_engine(file_url(db_path)))
    assert r.get_replica("fs1#1") == orm.get_replica("fs1#1") == rec
    assert r.list_replicas(status=ReplicaStatus.PURGE) == [rec]
    got = r.get_replica("fs1#1")  # a copy: changing it changes nothing cached
    got.details["smis"]["job"] = 0
    got.targets[0].details["wwn"] = "x"
    got.layout.clear()
    assert r.get_replica("fs1#1") == orm.get_replica("fs1#1") == rec
    rec.details["note"] = "y"  # a details change parses the new text
    r.update_replica(rec)
    assert r._fast.st.replicas.rows["fs1#1"].parts is not before.parts
    assert r.get_replica("fs1#1") == orm.get_replica("fs1#1") == rec
    orm.engine.dispose()
