"""The IDB reads of a backup session do not grow with the replicas its spec ever had.

Counted, not timed: the replica records the fast path builds per session. Once the
replica sets are full (EVA 7, XP 3) a session reads the same few records on day 16 as on
day 8; listing every replica of the spec (deleted ones included) made it grow by about
one record per session a day.
"""

from __future__ import annotations

from apprm_ref.idb import replica_cache
from bench.harness import BenchConfig, run_estate


def _built_per_session(monkeypatch, days: int) -> float:  # type: ignore[no-untyped-def]
    built = [0]
    build = replica_cache.Entry.build

    def counted(self):  # type: ignore[no-untyped-def]
        built[0] += 1
        return build(self)

    monkeypatch.setattr(replica_cache.Entry, "build", counted)
    res = run_estate(BenchConfig(days=days, databases=2, check_invariants=False))
    monkeypatch.undo()
    return built[0] / res["sessions"]


def test_records_built_per_session_stay_flat(monkeypatch):
    short, long = (_built_per_session(monkeypatch, d) for d in (8, 16))
    assert long < 1.1 * short, (short, long)
    assert long < 10
