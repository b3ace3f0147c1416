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


def _compiled_copy() -> Any:
    from apprm_ref.idb import replica_cache

    try:
        from apprm_ref.idb import _copyc  # type: ignore[attr-defined]
    except ImportError:
        pytest.skip("the compiled copy is not built here")
    _copyc.configure(replica_cache.other_copy)
    return _copyc.plain_copy


def _shape(value: Any) -> Any:
    """The value with each container's identity class: which containers are shared with
    what (by position of first sight), so two copies can be compared for aliasing."""
    seen: dict[int, int] = {}

    def walk(v: Any) -> Any:
        if isinstance(v, (dict, list)):
            tag = seen.setdefault(id(v), len(seen))
            inner = (
                [(k, walk(x)) for k, x in v.items()]
                if isinstance(v, dict)
                else [walk(x) for x in v]
            )
            return (type(v).__name__, tag, inner)
        return ("v", type(v).__name__, repr(v))

    return walk(value)


@pytest.mark.rule("PERF-P1")
@settings(max_examples=300, deadline=None)
@given(JSON, st.booleans())
def test_the_compiled_copy_is_the_python_copy(value: Any, share: bool) -> None:
    """``_copyc.plain_copy`` gives what ``python_plain_copy`` gives: equal values, the same
    key order, scalars shared, every dict and list new, a container met twice copied
    twice; values that are no JSON (a tuple, a set, a frozen model) go the Python way."""
    from apprm_ref.idb.replica_cache import python_plain_copy

    compiled = _compiled_copy()
    parsed = json.loads(json.dumps(value))
    if share:  # not what JSON gives, but the copy must still be whole and alike
        parsed = {"a": parsed, "b": [parsed, (1, [2]), {3}], "c": parsed}
    got, want = compiled(parsed), python_plain_copy(parsed)
    assert _shape(got) == _shape(want)
    mine = {id(c) for c in _containers(parsed)}
    assert not any(id(c) in mine for c in _containers(got))


def test_the_compiled_copy_shares_frozen_models_and_deep_copies_the_rest() -> None:
    from pydantic import BaseModel, ConfigDict

    class Frozen(BaseModel):
        model_config = ConfigDict(frozen=True)
        n: int

    class Loose(BaseModel):
        items: list[int]

    compiled = _compiled_copy()
    frozen, loose, tup = Frozen(n=1), Loose(items=[1]), ([1],)
    got = compiled([frozen, {"l": loose, "t": tup}, 1.5, True, None, "s", 2**70])
    assert got[0] is frozen
    assert got[1]["l"] == loose and got[1]["l"] is not loose
    assert got[1]["l"].items is not loose.items
    assert got[1]["t"] == tup and got[1]["t"][0] is not tup[0]
    assert got[2:] == [1.5, True, None, "s", 2**70]


def test_the_compiled_copy_refuses_what_python_refuses() -> None:
    """Too deep a value raises RecursionError on both paths; a failing other copy's error
    comes through unchanged."""
    from apprm_ref.idb.replica_cache import python_plain_copy

    compiled = _compiled_copy()
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep, 1]
    for copy in (compiled, python_plain_copy):
        with pytest.raises(RecursionError):
            copy(deep)

    class Refuses:
        def __deepcopy__(self, memo: Any) -> Any:
            raise ValueError("no copy of this")

    for copy in (compiled, python_plain_copy):
        with pytest.raises(ValueError, match="no copy of this"):
            copy({"a": [1, Refuses()]})


def test_ci_builds_the_compiled_copy_and_pure_python_is_chosen_on_request() -> None:
    """On CI's fresh machine the plain install must have compiled the copy; with
    ``APPRM_PURE_PYTHON=1`` the Python reference is the one the cache uses."""
    import os
    import subprocess
    import sys

    from apprm_ref.idb import replica_cache

    if os.environ.get("APPRM_CI"):
        assert replica_cache.plain_copy is not replica_cache.python_plain_copy
    code = (
        "from apprm_ref.idb import replica_cache as r; print(r.plain_copy is r.python_plain_copy)"
    )
    env = dict(os.environ, APPRM_PURE_PYTHON="1")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.stdout.strip() == "True", out.stderr
