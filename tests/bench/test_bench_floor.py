"""``bench.floor``: the floor of a simulated day is replayed from the run's own counts.

The write counter is checked against the rows the IDB really holds after a session is
saved (an independent count), the estate's floor against the run's events, rows and
sessions, and the replay's cost against a day with a hundred times the counts.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from apprm_ref.core.session import BackupObjectRecord, Session
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.types import SessionType, Severity
from bench import estate, floor

FLOOR_KEYS = {"cpu_ms_per_day", "floor_ms_per_day", "cost_over_floor"}


def _session(sid: str) -> Session:
    s = Session(id=sid, type=SessionType.BACKUP, spec="fs1", started=10.0)
    s.objects.append(BackupObjectRecord("/data", "filesystem"))
    for k in range(3):
        s.log(11.0 + k, Severity.NORMAL, "BSM", f"step {k}")
    s.finish(60.0)
    return s


def test_write_counter_counts_the_rows_the_idb_holds(tmp_path) -> None:  # type: ignore[no-untyped-def]
    repo = SqlRepository(make_engine(file_url(tmp_path / "idb.sqlite")))
    counter = floor.WriteCounter(repo.engine)
    repo.save_session(_session("2008/03/03-1"))
    repo.save_session(_session("2008/03/03-2"))
    rows = counter.close()
    with repo.engine.connect() as conn:
        held = sum(
            conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in ("sessions", "session_messages", "backup_objects")
        )
    repo.engine.dispose()
    assert held == 2 * (1 + 3 + 1)
    assert rows == held  # the fast path inserted each row once, nothing else was written


def test_a_bigger_day_has_a_bigger_floor() -> None:
    small = floor.floor_ms_per_day(floor.DayCounts(100, 50, 5), replay_days=1)
    big = floor.floor_ms_per_day(floor.DayCounts(10_000, 2_000, 100), replay_days=1)
    assert 0 < small < big


@pytest.fixture
def quick_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    import bench.kernel

    original = bench.kernel.kernel_events_per_s
    monkeypatch.setattr(
        estate, "kernel_events_per_s", lambda cpu=False: original(n=5_000, repeats=1, cpu=cpu)
    )


@pytest.mark.usefixtures("quick_kernel")
def test_estate_floor_is_measured_from_the_same_run(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: list[floor.DayCounts] = []
    measure = floor.floor_ms_per_day

    def spy(day: floor.DayCounts, **kw: int) -> float:
        seen.append(day)
        return measure(day, **kw)

    monkeypatch.setattr(floor, "floor_ms_per_day", spy)
    assert estate.main(["--days", "2", "--databases", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= FLOOR_KEYS
    (day,) = seen
    assert day.events == out["events"] / 2
    assert day.sessions == out["sessions"] / 2 == 9
    assert day.rows == out["idb_rows_written"] / 2
    # every session writes its row, its messages and its objects at least once
    assert out["idb_rows_written"] > 3 * out["sessions"]
    assert out["cpu_ms_per_day"] == pytest.approx(1000 * out["cpu_s"] / 2, abs=1e-3)
    assert out["cost_over_floor"] == pytest.approx(
        out["cpu_ms_per_day"] / out["floor_ms_per_day"], rel=1e-2
    )
