"""The compiled draw loop of the workload epoch against the pure-Python reference loop.

``apprm_ref.sim.oracle._epochc`` is built by ``pip install -e .`` (setup.py). It must give
the same records, blocks, SCNs and stream state as the loop in ``transactions.py`` for
every shape of epoch, and fail where the reference fails leaving the same state, so that
choosing it at import changes speed only (PERF-P1)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import epoch_loop
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.messages import ora
from bench.harness import BenchConfig, run_estate

COMPILED = epoch_loop.COMPILED
needs_compiled = pytest.mark.skipif(
    COMPILED is None and not os.environ.get("APPRM_CI"),
    reason="the compiled loop is not built here (pip install -e . builds it)",
)


@contextmanager
def loop(compiled: bool) -> Iterator[None]:
    """Run the epochs inside on the compiled loop or on the pure-Python one."""
    saved = epoch_loop.COMPILED
    epoch_loop.COMPILED = COMPILED if compiled else None
    try:
        yield
    finally:
        epoch_loop.COMPILED = saved


def _stream_state(e: Estate) -> Any:
    return e.world.streams.get(f"oracle.{e.db.name}.workload").getstate()


def test_ci_builds_the_compiled_loop() -> None:
    """On CI's fresh machine the plain editable install must have compiled it."""
    if not os.environ.get("APPRM_CI"):
        pytest.skip("checked where APPRM_CI=1 (.ci/run)")
    assert COMPILED is not None
    assert epoch_loop.implementation() == "c"


def test_pure_python_is_chosen_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRM_PURE_PYTHON", "1")
    assert epoch_loop.load() is None
    monkeypatch.setenv("APPRM_PURE_PYTHON", "0")
    assert epoch_loop.load() is COMPILED


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**16),
    commits=st.integers(0, 30),
    ops=st.integers(0, 4),
    keys=st.integers(1, 70),
    epochs=st.integers(1, 6),
)
def test_both_loops_leave_the_same_world(
    seed: int, commits: int, ops: int, keys: int, epochs: int
) -> None:
    worlds = []
    for compiled in (False, True):
        with loop(compiled):
            e = build_estate(seed)
            e.db.history = None  # the counting epoch of the bench and the drills
            done = []
            for n in range(epochs):
                e.world.advance(3600)
                done.append(e.db.apply_workload(commits, ops_per_commit=ops, keys=keys))
                if n % 3 == 2:
                    e.db.archive_log_current()
            worlds.append((done, e.db.scn, _stream_state(e), e.world.digest()))
    assert worlds[0] == worlds[1]


@needs_compiled
@pytest.mark.rule("PERF-P1")
@pytest.mark.parametrize("fail_at", [1, 4, 9])
def test_a_block_that_cannot_be_staged_fails_both_loops_alike(fail_at: int) -> None:
    """A block read that fails mid-epoch refuses the whole batch in both loops: no SCN, no
    redo, no block changes, and the stream advanced by the same draws."""
    states = []
    for compiled in (False, True):
        with loop(compiled):
            e = build_estate(7)
            e.db.history = None
            e.world.advance(3600)
            e.db.apply_workload(20)
            e.db.memo.blocks.clear()  # every block is staged through the read path again
            txn, calls = e.db.txn, [0]
            real = txn._stage_block

            def flaky(staged: Any, loc: Any, real: Any = real, calls: list[int] = calls) -> Any:
                calls[0] += 1
                if calls[0] == fail_at:
                    raise ora("ORA-01157", loc[0])
                return real(staged, loc)

            txn._stage_block = flaky  # type: ignore[method-assign]
            before = (e.db.scn, e.world.digest())
            e.world.advance(3600)
            with pytest.raises(OracleError) as err:
                e.db.apply_workload(20)
            txn._stage_block = real  # type: ignore[method-assign]
            assert e.db.scn == before[0]
            states.append((err.value.code, calls[0], e.db.scn, _stream_state(e), before))
    assert states[0] == states[1]
    assert states[0][0] == "ORA-01157" and states[0][1] == fail_at


@needs_compiled
@pytest.mark.rule("PERF-P1")
def test_the_reference_estate_is_the_same_with_either_loop() -> None:
    outs = []
    for compiled in (False, True):
        with loop(compiled):
            out = run_estate(BenchConfig(days=2, databases=2, world_digest=True))
        outs.append((out["outcome_digest"], out["world_digest"], out["events"]))
    assert outs[0] == outs[1]


class _Scn(int):
    """An int subclass: ``formats.SCALARS`` holds exact types only."""


def _cf_changes() -> list[Any]:
    """Edits of a control file between two encodes: none, a log group (a stale section),
    a new non-scalar entry (a section never frozen), an int subclass (not a scalar, so
    frozen as a section), the same keys in another order and as many keys but one other
    (the compiled main block's remembered order no longer holds), a datafile checkpoint,
    and a new archived-log record."""

    def group(cf: dict[str, Any]) -> None:
        cf["groups"][min(cf["groups"])]["status"] = "INACTIVE"

    def extra(cf: dict[str, Any]) -> None:
        cf["extra"] = {"b": [1, 2], "a": {"x": None}}

    def subclass(cf: dict[str, Any]) -> None:
        cf["ckpt_scn"] = _Scn(cf["ckpt_scn"] + 1)  # not exactly an int: a section

    def datafile(cf: dict[str, Any]) -> None:
        cf["files"][min(cf["files"])]["ckpt"] += 1

    def reorder(cf: dict[str, Any]) -> None:  # the same keys in another dict order
        cf["ckpt_time"] = cf.pop("ckpt_time")

    def swap(cf: dict[str, Any]) -> None:  # as many keys, one of them another
        cf["extra2"] = cf.pop("extra")

    def archive(cf: dict[str, Any]) -> None:
        cf["archives"].append(dict(cf["archives"][-1], seq=cf["archives"][-1]["seq"] + 1))

    return [lambda cf: None, group, extra, subclass, reorder, swap, datafile, archive]


@needs_compiled
@pytest.mark.rule("PERF-P1")
def test_both_builds_of_the_control_file_main_block_agree() -> None:
    """``Files.encode_controlfile`` through the compiled ``cf_main`` gives the blocks of the
    pure-Python loop and leaves the frozen sections alike, edit after edit."""
    runs = []
    for compiled in (False, True):
        with loop(compiled):
            e = build_estate(11)
            for _ in range(3):
                e.world.advance(3600)
                e.db.apply_workload(10)
                e.db.archive_log_current()
            seen = []
            for change in _cf_changes():
                change(e.db.cf)
                for full in (False, True):
                    blocks = e.db.files.encode_controlfile(e.db.cf, full=full)
                    seen.append((blocks, dict(e.db.memo.cf.sections)))
            runs.append(seen)
    assert runs[0] == runs[1]
    assert len({repr(blocks[0]) for blocks, _ in runs[1]}) > 3  # the edits were encoded


@needs_compiled
def test_cf_main_refuses_what_is_not_a_control_file() -> None:
    assert COMPILED is not None
    with pytest.raises(TypeError):
        COMPILED.cf_main([], {}, None, 0, [])
    with pytest.raises(TypeError):  # a frozen section must be a (snapshot, frozen) pair
        COMPILED.cf_main({"groups": {1: {}}}, {"groups": "broken"}, None, 0, [])
    with pytest.raises(ValueError):  # a remembered order that cannot be one
        COMPILED.cf_main({"a": 1}, {}, None, 0, [("narch", "a"), (0, 7)])


_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=4)
)


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.text(max_size=3),
        st.one_of(_scalars, st.lists(st.integers(), max_size=2), st.builds(_Scn)),
        max_size=8,
    )
)
def test_scalar_items_is_the_frozen_form_of_a_dict_of_scalars(d: dict[str, Any]) -> None:
    """``scalar_items`` gives what the Python code builds for a dict of exact scalars (a
    header, a log group, a record), and None for anything else, so callers fall back."""
    assert COMPILED is not None
    got = COMPILED.scalar_items(d)
    if all(type(v) in (type(None), bool, int, float, str) for v in d.values()):
        assert got == tuple(sorted(d.items()))
    else:
        assert got is None
    assert COMPILED.scalar_items(_Sub(d)) is None  # not exactly a dict


class _Sub(dict[str, Any]):
    """A dict subclass: ``scalar_items`` leaves it to the Python code."""


_one_level = st.one_of(
    _scalars,
    st.lists(st.one_of(_scalars, st.builds(_Scn)), max_size=3),
    st.dictionaries(st.text(max_size=2), st.one_of(_scalars, st.builds(_Scn)), max_size=3),
    st.lists(st.lists(st.integers(), max_size=1), max_size=1),  # deeper: declined
    st.builds(_Scn),
)


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.text(max_size=3), _one_level, max_size=6))
def test_entry_pair_is_the_memo_entry_of_a_value_one_level_deep(d: dict[str, Any]) -> None:
    """``entry_pair`` gives exactly what ``memo._entry`` gives (snapshot and frozen form)
    for an entry whose values are scalars, lists or dicts of scalars (a log group and its
    members), and None for a deeper value or an int subclass, which the Python code takes."""
    from apprm_ref.sim.oracle import memo

    assert COMPILED is not None
    got = COMPILED.entry_pair(d, "{}")
    want = memo._entry(d)
    exact = (type(None), bool, int, float, str)

    def one_level(v: Any) -> bool:
        if type(v) in exact:
            return True
        if type(v) is list:
            return all(type(x) in exact for x in v)
        return type(v) is dict and all(type(x) in exact for x in v.values())

    if all(one_level(v) for v in d.values()):
        assert got == want
        assert [type(v) for v in got[0].values()] == [type(v) for v in want[0].values()]
        assert all(got[0][k] is not d[k] for k in d if type(d[k]) in (list, dict))  # copies
    else:
        assert got is None
    assert COMPILED.entry_pair(_Sub(d), "{}") is None  # not exactly a dict
