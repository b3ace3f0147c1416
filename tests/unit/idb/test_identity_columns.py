"""The target identity column (REL-I6) round-trips on both IDB paths, and an update that
changes only the identity (an XP replica re-split by a kept IR) is written."""

from __future__ import annotations

import dataclasses

import pytest

from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.orm import OrmRepository
from apprm_ref.idb.repository import SqlRepository

from .test_repository import make_replica

IDENT = {"svol": "02:00", "state": "PSUS", "split_at": "3600.5", "split_generation": "4"}


def _with_identity(rec, ident):  # type: ignore[no-untyped-def]
    rec.targets = [dataclasses.replace(t, identity=dict(ident)) for t in rec.targets]
    return rec


@pytest.mark.rule("REL-I6")
@pytest.mark.parametrize("kind", ["fast", "orm"])
def test_identity_round_trips_and_updates(kind: str) -> None:
    engine = make_engine("sqlite://")
    repo = SqlRepository(engine) if kind == "fast" else OrmRepository(engine)
    repo.add_replica(_with_identity(make_replica(), IDENT))
    got = repo.get_replica("fs1#1")
    assert [t.identity for t in got.targets] == [IDENT, IDENT]
    resplit = {**IDENT, "split_generation": "5"}
    repo.update_replica(_with_identity(got, resplit))
    assert [t.identity for t in repo.get_replica("fs1#1").targets] == [resplit, resplit]
    fresh = OrmRepository(engine)  # read back through the other path, not a cache
    assert [t.identity for t in fresh.get_replica("fs1#1").targets] == [resplit, resplit]
    assert [t.identity for t in fresh.list_replicas(spec="fs1")[0].targets] == [resplit, resplit]
