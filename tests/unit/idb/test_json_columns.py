"""A JSON column's text on the fast path is exactly ``json.dumps(value)``: the encoder
``json.dumps`` builds on every call is built once and reused (a failure builds it again),
so the text, and a refused value's error, are the same as before (PERF-P1)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprm_ref.errors import IdbError
from apprm_ref.idb import sqlite_rows

JSON = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=6),
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.tuples(inner, inner),
    ),
    max_leaves=12,
)  # fmt: skip


@pytest.mark.rule("PERF-P1")
@settings(max_examples=300, deadline=None)
@given(JSON)
def test_the_text_is_json_dumps(value: Any) -> None:
    assert sqlite_rows.dumps(value) == json.dumps(value)


def _refusal(value: Any) -> str:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as exc:
        return f"IDB operation failed: StatementError: {exc}"
    raise AssertionError("json.dumps accepted it")


@pytest.mark.rule("PERF-P1")
def test_a_refused_value_fails_alike_and_leaves_the_encoder_usable() -> None:
    """A value JSON cannot hold is refused with json.dumps's reason; a circular one too.
    The failure leaves the reused encoder inside a container (its circular-reference
    markers set), so the next value, the same container included, must still encode."""
    inner: dict[str, Any] = {"a": [1, 2]}
    bad: dict[str, Any] = {"x": inner, "y": [object()]}
    circular: list[Any] = [1]
    circular.append(circular)
    unhashable: dict[str, Any] = {"k": {1, 2}}
    for value in (bad, circular, unhashable):
        with pytest.raises(IdbError) as info:
            sqlite_rows.dumps(value)
        assert str(info.value).endswith(_refusal(value))
    bad["y"], unhashable["k"] = [3], [1, 2]  # mended: the same containers, encodable now
    circular.pop()
    for value in (bad, circular, unhashable, [inner, inner]):
        assert sqlite_rows.dumps(value) == json.dumps(value)


@pytest.mark.rule("PERF-P1")
@settings(max_examples=300, deadline=None)
@given(JSON)
def test_a_column_reads_back_as_json_loads_reads_it(value: Any) -> None:
    from apprm_ref.idb.replica_cache import _json

    text = json.dumps(value)
    # repr, not ==: NaN is not equal to itself; repr also holds -0.0 and the key order
    assert repr(_json(text)) == repr(json.loads(text))


@pytest.mark.parametrize("text", [" [1] ", "[1] x", "\ufeff[1]", "[1", "", "nul", '{"a": 1}  '])
def test_other_text_is_read_or_refused_as_json_loads_does(text: str) -> None:
    from apprm_ref.idb.replica_cache import _json

    try:
        want: Any = ("ok", json.loads(text))
    except json.JSONDecodeError as exc:
        want = ("error", str(exc))
    try:
        got: Any = ("ok", _json(text))
    except json.JSONDecodeError as exc:
        got = ("error", str(exc))
    assert got == want
    assert _json(None) is None


def _containers(value: Any) -> list[Any]:
    """Every dict and list inside ``value``, itself included."""
    if isinstance(value, dict):
        return [value, *(c for v in value.values() for c in _containers(v))]
    if isinstance(value, list):
        return [value, *(c for v in value for c in _containers(v))]
    return []


@pytest.mark.rule("PERF-P1")
@settings(max_examples=300, deadline=None)
@given(JSON)
def test_a_cached_part_is_copied_whole(value: Any) -> None:
    """What the cache hands out is a copy of what it parsed, as the pickle round trip it
    replaces gave: equal, and no dict or list of it shared with the cache."""
    from apprm_ref.idb.replica_cache import plain_copy

    parsed = json.loads(json.dumps(value))
    copied = plain_copy(parsed)
    assert repr(copied) == repr(parsed)
    mine = {id(c) for c in _containers(parsed)}
    assert not any(id(c) in mine for c in _containers(copied))
