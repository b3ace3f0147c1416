"""The compiled host write path against the pure-Python methods it stands in for.

``apprm_ref.sim._iopathc`` is built by ``pip install -e .`` (setup.py). It takes the usual
case of a host file write, an EVA block write and an XP block write whole and declines
every other case before changing anything, so the Python methods decide every refusal.
Each test drives two identical worlds through the same random program, one on the
compiled path and one on the Python path, and compares what every step answered (the
array's or host's error code included) and the whole world after every step (PERF-P1)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from apprm_ref.errors import ApprmError
from apprm_ref.sim import iopath
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.oracle.estate import MOUNTS, build_estate
from apprm_ref.sim.storage import GIB
from apprm_ref.sim.world import World
from apprm_ref.sim.xp.backend import XpBackend
from bench.harness import BenchConfig, run_estate

COMPILED = iopath.COMPILED
needs_compiled = pytest.mark.skipif(
    COMPILED is None and not os.environ.get("APPRM_CI"),
    reason="the compiled write path is not built here (pip install -e . builds it)",
)


@contextmanager
def path(compiled: bool) -> Iterator[None]:
    """Run the writes inside on the compiled path or on the pure-Python one."""
    saved = iopath.COMPILED
    iopath.COMPILED = COMPILED if compiled else None
    try:
        yield
    finally:
        iopath.COMPILED = saved


def outcome(apply: Callable[..., Any], state: Any, step: Any) -> Any:
    """What a step answered: its value, or the code of the error it raised."""
    try:
        return ("ok", apply(state, step))
    except ApprmError as exc:
        return ("refused", type(exc).__name__, getattr(exc, "code", None), str(exc))


def run_both(build: Callable[[], Any], steps: list[Any], apply: Callable[..., Any]) -> None:
    """``steps`` on a world built twice, compiled and not; equal answers and worlds."""
    traces = []
    for compiled in (False, True):
        with path(compiled):
            state = build()
            trace = []
            for step in steps:
                trace.append((step, outcome(apply, state, step), state[0].digest()))
            traces.append(trace)
    for python_step, compiled_step in zip(*traces, strict=True):
        assert python_step == compiled_step


def test_ci_builds_the_compiled_write_path() -> None:
    """On CI's fresh machine the plain editable install must have compiled it."""
    if not os.environ.get("APPRM_CI"):
        pytest.skip("checked where APPRM_CI=1 (.ci/run)")
    assert COMPILED is not None
    assert iopath.implementation() == "c"


def test_pure_python_is_chosen_on_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("APPRM_PURE_PYTHON", "1")
    assert iopath.load() is None
    monkeypatch.setenv("APPRM_PURE_PYTHON", "")
    assert iopath.load() is iopath.EXTENSION


# --- EVA --------------------------------------------------------------------------------

KINDS = [VdiskKind.VSNAP, VdiskKind.SNAPSHOT, VdiskKind.SNAPCLONE]


def eva_world() -> tuple[World, EvaBackend]:
    world = World(5)
    eva = world.add_array(EvaBackend("eva1"))
    eva.add_disk_group("dg1", 6 * GIB)  # small: a few vsnaps' copy-on-write fill it
    v = eva.create_vdisk("data", 2 * GIB, "dg1", "vraid0")
    eva.present(v.id, "app")
    return world, eva


def eva_step(state: tuple[World, EvaBackend], step: tuple[Any, ...]) -> Any:
    world, eva = state
    ids = sorted(eva.vdisks)
    op = step[0]
    if op == "write":  # twice: the first may build what the compiled path needs
        _, which, extents, host = step
        for n in range(2):
            eva.block_write(ids[which % len(ids)], {e: f"p{e}.{n}" for e in extents}, host=host)
        # the index's running totals and its own check, which the world digest leaves out
        # (not eva.index(): building it here would change the path of the next write)
        ix = eva._ix
        return None if ix is None else (dict(ix.used), ix.problems(eva.vdisks))
    if op == "target":
        source = sorted(i for i in ids if not eva.vdisks[i].is_target)[0]
        return [t.id for t in eva.create_targets([TargetSpec(source, KINDS[step[1]])])]
    if op == "delete":
        return eva.delete_vdisk(ids[step[1] % len(ids)])
    if op == "present":
        return eva.present(ids[step[1] % len(ids)], "app")
    if op == "advance":
        return world.advance(step[1])
    raise AssertionError(op)


EXTENTS = st.lists(st.integers(-1, 2100), min_size=0, max_size=40)
EVA_STEPS = st.one_of(
    st.tuples(
        st.just("write"), st.integers(0, 9), st.one_of(EXTENTS, st.just(list(range(1900)))),
        st.sampled_from(["", "app", "other"]),
    ),
    st.tuples(st.just("target"), st.integers(0, 2)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
    st.tuples(st.just("present"), st.integers(0, 9)),
    st.tuples(st.just("advance"), st.sampled_from([1.0, 600.0, 7200.0])),
)  # fmt: skip


COW_ON_THE_COMPILED_PATH = [  # the family known first, then writes that allocate
    ("target", 0), ("write", 0, [1], "app"), ("target", 0), ("write", 0, [1, 2], "app"),
    ("write", 0, [2, 3, 7], "app"), ("delete", 1), ("write", 0, [7, 8], "app"),
]  # fmt: skip
FILL_ON_THE_COMPILED_PATH = [  # the family known first, then a write its vsnaps cannot hold
    ("target", 0), ("target", 0), ("target", 0), ("write", 0, [1], "app"),
    ("write", 0, list(range(1900)), "app"), ("write", 0, [2], "app"),
]  # fmt: skip


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=40, deadline=None)
@example(steps=FILL_ON_THE_COMPILED_PATH)
@example(steps=COW_ON_THE_COMPILED_PATH)
@given(steps=st.lists(EVA_STEPS, min_size=1, max_size=14))
def test_eva_writes_are_the_same_on_either_path(steps: list[Any]) -> None:
    """Writes to origins, vsnaps, snapshots and clones, with copy-on-write, a disk group
    filling (E11), unpresented hosts and extents outside the vdisk."""
    run_both(eva_world, steps, eva_step)


@needs_compiled
def test_the_compiled_eva_write_takes_the_usual_case_and_declines_the_rest() -> None:
    """The usual case is taken whole (so the speed is real), copy-on-write included
    while the disk group has room; a write the disk group has no room for, or any other
    case, is declined with nothing changed."""
    assert COMPILED is not None
    world, eva = eva_world()
    [vid] = sorted(eva.vdisks)
    assert COMPILED.eva_write(eva, vid, {1: "a"}, "app") is False  # no index built yet
    eva.block_write(vid, {1: "a"}, host="app")
    assert COMPILED.eva_write(eva, vid, {2: "b"}, "app") is True
    assert eva.block_read(vid, 2) == "b"
    [snap] = eva.create_targets([TargetSpec(vid, VdiskKind.VSNAP)])
    eva.block_write(vid, {3: "c"}, host="app")  # materializes the family, allocates 3
    before = world.digest()
    assert COMPILED.eva_write(eva, vid, {3: "c"}, "other") is False  # not presented
    assert COMPILED.eva_write(eva, vid, {10**9: "x"}, "app") is False  # outside
    group = eva.disk_groups["dg1"]
    room, group.capacity_extents = group.capacity_extents, eva.used_raw("dg1")
    assert COMPILED.eva_write(eva, vid, {4: "d"}, "app") is False  # 4 needs COW: no room
    group.capacity_extents = room
    assert world.digest() == before
    used = eva.used_raw("dg1")
    assert COMPILED.eva_write(eva, vid, {4: "d", 3: "c1"}, "app") is True  # COW of 4
    assert list(snap.cow) == [3, 4] and eva.used_raw("dg1") == used + 1  # vraid0: 1 raw
    assert eva.index().covered[vid] == {3: None, 4: None}
    assert eva.block_read(vid, 4) == "d" and eva.block_read(snap.id, 4) is None
    assert eva.check_invariants() == []
    assert COMPILED.eva_write(eva, vid, {3: "c2"}, "app") is True  # covered
    assert eva.block_read(vid, 3) == "c2" and eva.block_read(snap.id, 3) is None
    eva.delete_vdisk(snap.id)  # a snapclone needs a source without snapshots
    [clone] = eva.create_targets([TargetSpec(vid, VdiskKind.SNAPCLONE)])
    eva.present(clone.id, "app")
    eva.block_write(clone.id, {5: "on the clone"}, host="app")  # materializes its family
    clone.host_written = False
    assert COMPILED.eva_write(eva, clone.id, {6: "again"}, "app") is True
    assert clone.host_written  # a host wrote to a target (ARR-I6)


class _Vsnap:
    def __init__(self, vid: str, cow: dict[int, bool]) -> None:
        self.id, self.cow = vid, cow


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=200, deadline=None)
@given(
    cows=st.lists(st.dictionaries(st.integers(0, 20), st.just(True), max_size=12), max_size=5),
    extents=st.sets(st.integers(0, 20), max_size=12),
)
def test_the_compiled_cow_filter_is_the_python_one(
    cows: list[dict[int, bool]], extents: set[int]
) -> None:
    """``new_cow`` gives the dict ``EvaBackend._new_cow`` builds: per vsnap in order, the
    extents it does not hold yet, in order; vsnaps holding all of them left out."""
    assert COMPILED is not None
    vsnaps = [_Vsnap(f"vd{i:04d}", cow) for i, cow in enumerate(cows)]
    ordered = sorted(extents)
    with path(False):
        want = EvaBackend._new_cow(vsnaps, ordered)  # type: ignore[arg-type]
    got = COMPILED.new_cow(vsnaps, ordered)
    assert got == want and list(got) == list(want)
    assert all(type(v) is list for v in got.values())


# --- XP ---------------------------------------------------------------------------------

LDEVS = ["01:10", "01:11", "01:20", "01:21", "01:22"]


def xp_world() -> tuple[World, XpBackend]:
    world = World(9)
    xp = world.add_array(XpBackend("xp1", serial=64123))
    for lid in LDEVS:
        xp.add_ldev(lid, 16)
    xp.add_ldev("01:30", 16, reserved=True)
    return world, xp


def xp_step(state: tuple[World, XpBackend], step: tuple[Any, ...]) -> Any:
    world, xp = state
    op = step[0]
    if op == "write":  # twice: the first may settle a copy that came due
        _, lid, extents = step
        for n in range(2):
            xp.block_write(lid, {e: f"p{e}.{n}" for e in extents})
        return None
    if op == "create":
        return xp.paircreate(step[1], step[2], step[3])
    keys = [(step[1], step[3])] if len(step) > 3 else []
    if op == "split":
        return xp.pairsplit(keys, quick=step[4])
    if op == "resync":
        return xp.pairresync(keys, restore=step[4])
    if op == "suspend":
        return xp.pairsuspend(keys)
    if op == "delete":
        return xp.pairdelete(keys)
    if op == "advance":
        return world.advance(step[1])
    raise AssertionError(op)


VOLS = st.sampled_from([*LDEVS, "01:30"])
XP_EXTENTS = st.lists(st.integers(-1, 17), min_size=0, max_size=6)
PAIR_ARGS = (st.sampled_from(["01:10", "01:11"]), VOLS, st.integers(0, 2))
XP_STEPS = st.one_of(
    st.tuples(st.just("write"), VOLS, XP_EXTENTS),
    st.tuples(st.just("create"), *PAIR_ARGS),
    st.tuples(st.just("split"), *PAIR_ARGS, st.booleans()),
    st.tuples(st.just("resync"), *PAIR_ARGS, st.booleans()),
    st.tuples(st.just("suspend"), *PAIR_ARGS),
    st.tuples(st.just("delete"), *PAIR_ARGS),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 30.0, 3600.0])),
)


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=60, deadline=None)
@given(steps=st.lists(XP_STEPS, min_size=1, max_size=24))
def test_xp_writes_are_the_same_on_either_path(steps: list[Any]) -> None:
    """Writes to P-VOLs, S-VOLs and reserved LDEVs while pairs are created, copied, split
    (quick or not), resynchronized, restored, suspended and deleted."""
    run_both(xp_world, steps, xp_step)


@needs_compiled
def test_the_compiled_xp_write_records_differences_and_declines_a_protected_svol() -> None:
    assert COMPILED is not None
    world, xp = xp_world()
    xp.block_write("01:10", {0: "x"})  # builds the index
    xp.paircreate("01:10", "01:20", 0)
    done = xp.paircreate("01:10", "01:21", 1)
    world.advance(done - world.now() + 1)
    xp.block_write("01:10", {0: "y"})  # settles the copies: no completion is due after it
    xp.pairsplit([("01:10", 0), ("01:10", 1)])
    world.advance(3600)
    xp.block_write("01:10", {1: "z"})
    pair, other = xp.pairs["01:10/0"], xp.pairs["01:10/1"]
    assert COMPILED.xp_write(xp, "01:10", {2: "w"}) is True
    assert {1, 2} <= pair.pdiff and {1, 2} <= other.pdiff  # both MUs record the change
    assert COMPILED.xp_write(xp, "01:20", {3: "s"}) is True  # PSUS S-VOL: writable
    assert 3 in pair.sdiff
    xp.pairresync([("01:10", 0)])
    before = world.digest()
    assert COMPILED.xp_write(xp, "01:20", {3: "s"}) is False  # COPY(RS): protected
    assert COMPILED.xp_write(xp, "01:30", {0: "r"}) is False  # reserved
    assert world.digest() == before


# --- the host ---------------------------------------------------------------------------


MOUNT_POINTS = [mp for _, _, mp in MOUNTS]


def host_world(seed: int) -> Any:
    e = build_estate(seed)
    return e.world, e


def host_step(state: Any, step: tuple[Any, ...]) -> Any:
    world, e = state
    hosts, host = world.hosts, e.db.host
    files = [f for mp in MOUNT_POINTS for f in hosts.list_files(host, mp)]
    op = step[0]
    if op == "write":  # a block is a number, or ("end", k): the file's length plus k
        _, which, blocks = step
        name = files[which % len(files)]
        length = len(hosts.read_file(host, name))
        at = [b if isinstance(b, int) else length + b[1] for b in blocks]
        return hosts.write_file(host, name, {b: f"b{b}" for b in at})
    if op == "read":
        return hosts.read_file(host, files[step[1] % len(files)])
    if op == "freeze":
        return hosts.freeze(host, MOUNT_POINTS[0])
    if op == "thaw":
        return hosts.thaw(host, MOUNT_POINTS[0])
    if op == "crash":
        return hosts.crash(host)
    if op == "boot":
        return hosts.boot(host)
    if op == "workload":
        return e.db.apply_workload(step[1])
    raise AssertionError(op)


HOST_STEPS = st.one_of(
    st.tuples(
        st.just("write"),
        st.integers(0, 20),
        st.lists(
            st.one_of(st.integers(-1, 9), st.tuples(st.just("end"), st.integers(-2, 1))), max_size=4
        ),
    ),  # fmt: skip
    st.tuples(st.just("read"), st.integers(0, 20)),
    st.tuples(st.sampled_from(["freeze", "thaw", "crash", "boot"])),
    st.tuples(st.just("workload"), st.integers(1, 20)),
)


@needs_compiled
@pytest.mark.rule("PERF-P1")
@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**10), steps=st.lists(HOST_STEPS, min_size=1, max_size=12))
def test_host_file_writes_are_the_same_on_either_path(seed: int, steps: list[Any]) -> None:
    """File writes inside and beyond the file, on frozen mounts, on crashed and rebooted
    hosts, and the database's own writes, on an Oracle estate's host and array."""
    run_both(lambda: host_world(seed), steps, host_step)


@needs_compiled
@pytest.mark.rule("PERF-P1")
def test_the_reference_estate_is_the_same_on_either_path() -> None:
    """EVA and XP databases through backups, restores and rotations: the same sessions,
    the same world, the same events."""
    outs = []
    for compiled in (False, True):
        with path(compiled):
            out = run_estate(BenchConfig(days=2, databases=2, world_digest=True))
        outs.append((out["outcome_digest"], out["world_digest"], out["events"]))
    assert outs[0] == outs[1]
