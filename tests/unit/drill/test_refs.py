"""Session references of restore steps and replica expectations."""

from __future__ import annotations

import pytest

from apprm_ref.drill.refs import parse_session_ref

ALL = ["2008/03/03-1", "2008/03/03-2", "2008/03/03-3"]
WITH_REPLICA = ["2008/03/03-2", "2008/03/03-3"]  # session 1 failed


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last-of fs", "2008/03/03-3"),
        ("first-of fs", "2008/03/03-2"),
        ("session #1 of fs", "2008/03/03-1"),
        ("session  #3   of fs", "2008/03/03-3"),
        ("session #4 of fs", None),
        ("2008/03/03-2", "2008/03/03-2"),
        ("2008/03/04-1", None),
    ],
)
def test_pick(text: str, expected: str | None) -> None:
    assert parse_session_ref(text).pick(ALL, WITH_REPLICA) == expected


def test_spec_is_parsed() -> None:
    assert parse_session_ref("last-of ora_prd").spec == "ora_prd"
    assert parse_session_ref("2008/03/03-2").spec is None


@pytest.mark.parametrize("text", ["newest fs", "session #0 of fs", "last fs", "2008/13/01-1"])
def test_malformed(text: str) -> None:
    with pytest.raises(ValueError):
        parse_session_ref(text)
