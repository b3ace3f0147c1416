"""Session IDs across restarts (VC-I16, VC-P13) and severity filtering (VC-I22)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apprm_ref.core.session import Session, SessionIdAllocator, parse_session_id
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.types import SessionType, Severity

DAY0 = datetime(2008, 3, 15, 9, 0, tzinfo=UTC)


def _run(
    repo: SqlRepository, alloc: SessionIdAllocator, when: datetime, restore: bool = False
) -> str:
    sid = alloc.next(when)
    if restore:
        sid = "R-" + sid
    repo.save_session(
        Session(
            id=sid,
            type=SessionType.RESTORE if restore else SessionType.BACKUP,
            spec="s",
            started=0.0,
        )
    )
    return sid


@pytest.mark.rule("VC-I16")
@pytest.mark.rule("VC-P13")
def test_ids_continue_after_restart(db_path):
    repo = SqlRepository(make_engine(file_url(db_path)))
    alloc = SessionIdAllocator(repo.last_session_number)
    first = [_run(repo, alloc, DAY0) for _ in range(3)]
    assert first == ["2008/03/15-1", "2008/03/15-2", "2008/03/15-3"]
    repo.engine.dispose()
    # "restart": a new engine, repository and allocator on the same file
    repo2 = SqlRepository(make_engine(file_url(db_path)))
    alloc2 = SessionIdAllocator(repo2.last_session_number)
    assert _run(repo2, alloc2, DAY0 + timedelta(hours=2)) == "2008/03/15-4"
    assert _run(repo2, alloc2, DAY0 + timedelta(days=1)) == "2008/03/16-1"
    assert repo2.last_session_number("2008/03/15") == 4
    assert repo2.last_session_number("2008/03/17") == 0


@pytest.mark.rule("VC-I16")
def test_restore_sessions_share_the_day_counter(repo):
    alloc = SessionIdAllocator(repo.last_session_number)
    _run(repo, alloc, DAY0)
    assert _run(repo, alloc, DAY0, restore=True) == "R-2008/03/15-2"
    alloc2 = SessionIdAllocator(repo.last_session_number)
    assert alloc2.next(DAY0) == "2008/03/15-3"


@pytest.mark.rule("VC-P13")
@given(steps=st.lists(st.tuples(st.integers(0, 3), st.booleans()), min_size=1, max_size=25))
def test_ids_unique_and_well_formed_across_days_and_restarts(steps):
    repo = SqlRepository(make_engine("sqlite://"))
    alloc = SessionIdAllocator(repo.last_session_number)
    seen: list[str] = []
    for day, restart in steps:
        if restart:
            alloc = SessionIdAllocator(repo.last_session_number)
        seen.append(_run(repo, alloc, DAY0 + timedelta(days=day)))
    assert len(set(seen)) == len(seen)
    last: dict[str, int] = {}
    for sid in seen:
        d, n = parse_session_id(sid)
        assert n == last.get(d, 0) + 1  # strictly increasing by one within a day
        last[d] = n


@pytest.mark.rule("VC-I22")
def test_message_severity_filter(repo):
    s = Session(id="2008/03/15-1", type=SessionType.BACKUP, spec="s", started=0.0)
    for i, sev in enumerate(
        [Severity.CRITICAL, Severity.NORMAL, Severity.MINOR, Severity.WARNING, Severity.MAJOR]
    ):
        s.log(float(i), sev, "BSM", sev.label)
    repo.save_session(s)
    for level in Severity:
        got = repo.session_messages(s.id, at_least=level)
        assert [m.severity for m in got] == [m.severity for m in s.messages_at_least(level)]
        assert all(m.severity >= level for m in got)
    assert [m.text for m in repo.session_messages(s.id, at_least=Severity.MINOR)] == [
        "Critical",
        "Minor",
        "Major",
    ]
    assert Severity.NORMAL < Severity.WARNING < Severity.MINOR < Severity.MAJOR < Severity.CRITICAL
