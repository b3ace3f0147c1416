"""Session saves on the SQLite fast path: a new session is inserted with no other
statement, and a save that finds the session stored without knowing its rows (its cache
dropped since) replaces every row, cutting what the stored one had more of."""

from __future__ import annotations

from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.orm import OrmRepository

from .test_repository import make_session


def _statements(repo) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    repo._fast.st.fresh().set_trace_callback(seen.append)
    return seen


def test_a_new_session_is_inserted_without_deletes(file_repo):
    seen = _statements(file_repo)
    file_repo.save_session(make_session("2008/03/03-1"))
    verbs = [s.split()[0] for s in seen]
    assert "DELETE" not in verbs and "UPDATE" not in verbs
    assert verbs.count("INSERT") == 1 + 3 + 2  # the session, its messages, its objects


def test_a_stored_session_the_cache_forgot_is_replaced(file_repo, db_path):
    big = make_session("2008/03/03-1")
    big.log(70.0, big.messages[0].severity, "BSM", "one more")
    file_repo.save_session(big)
    file_repo._fast.st.drop()  # as after another connection's commit
    small = make_session("2008/03/03-1", spec="other")
    small.messages = small.messages[:1]
    small.objects = small.objects[:1]
    file_repo.save_session(small)
    orm = OrmRepository(make_engine(file_url(db_path)))
    assert orm.get_session(small.id) == small == file_repo.get_session(small.id)
    orm.engine.dispose()
