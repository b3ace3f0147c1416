"""``block_read_run`` (a whole file read in one call) gives what ``block_read`` of each
extent in turn gives: the same payloads, the same first refusal, and no settle at all for
an empty run, on the EVA, the XP (also while a copy completes at that instant) and the
volume content itself."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent / "xp"))
sys.path.insert(0, str(Path(__file__).parent / "eva"))

from eva_helpers import VSNAP, make  # noqa: E402
from xp_helpers import SIZE, P, S, make_world, pair_in  # noqa: E402

from apprm_ref.sim.eva.backend import EvaBackend  # noqa: E402
from apprm_ref.sim.storage import GIB, VolumeData  # noqa: E402
from apprm_ref.sim.world import World  # noqa: E402


def one_by_one(array: Any, volume: str, start: int, count: int) -> tuple[Any, ...]:
    return tuple(array.block_read(volume, e) for e in range(start, start + count))


def outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    try:
        return "ok", fn(*args)
    except Exception as exc:  # the refusal itself is the result compared
        return type(exc).__name__, (getattr(exc, "code", None), str(exc))


def test_volume_read_run_is_read_in_turn_through_layers() -> None:
    v = VolumeData(8)
    v.write_many({0: "a", 3: "b"})
    copy = v.point_in_time_copy()
    v.write_many({3: "c", 5: "d"})
    for vol in (v, copy):
        for start, count in ((0, 8), (2, 3), (7, 1), (4, 0), (6, 5), (-1, 2)):
            want = outcome(
                lambda s, n, vol=vol: tuple(vol.read(i) for i in range(s, s + n)), start, count
            )
            assert outcome(vol.read_run, start, count) == want


def test_eva_run_matches_block_reads_and_refusals() -> None:
    world = World(seed=3)
    eva = world.add_array(EvaBackend("eva1"))
    eva.add_disk_group("dg1", 200 * GIB)
    src = eva.create_vdisk("ora_data", 4 * GIB, "dg1", "vraid5")
    eva.block_write(src.id, {0: "label", 1: "old-1", 2: "old-2"})
    snap = make(eva, src.id, VSNAP)
    eva.block_write(src.id, {1: "new-1", 9: "x"})
    size = src.size_extents
    for vol in (src.id, snap.id, "no-such-vdisk"):
        for start, count in ((0, 12), (size - 2, 2), (size - 2, 4), (3, 0)):
            want = outcome(one_by_one, eva, vol, start, count)
            assert outcome(eva.block_read_run, vol, start, count) == want
    assert eva.block_read_run(src.id, 0, 3) == ("label", "new-1", "old-2")
    assert eva.block_read_run(snap.id, 0, 3) == ("label", "old-1", "old-2")


@pytest.mark.parametrize("state", ["PAIR", "PSUS"])
def test_xp_run_matches_block_reads(state: str) -> None:
    world, xp = make_world()
    xp.block_write(P, {i: f"p{i}" for i in range(SIZE)})
    pair_in(world, xp, state)
    xp.block_write(P, {2: "after"})
    for vol in (P, S, "01:99"):
        for start, count in ((0, SIZE), (SIZE - 1, 2), (4, 0)):
            want = outcome(one_by_one, xp, vol, start, count)
            assert outcome(xp.block_read_run, vol, start, count) == want


def test_xp_run_reads_one_by_one_while_a_copy_is_due_and_empty_runs_settle_nothing() -> None:
    world, xp = make_world()
    xp.block_write(P, {i: f"p{i}" for i in range(SIZE)})
    pair = pair_in(world, xp, "PSUS")
    xp.block_write(P, {1: "changed"})
    xp.pairresync([(P, 0)])
    due = pair.copy_done_at
    assert due is not None and due > world.now()
    world.env.run(until=due)  # the completion event at ``due`` has not run yet
    before = world.digest()
    assert xp.block_read_run(S, 0, 0) == ()
    assert world.digest() == before  # no settle for an empty run
    twin_world, twin = make_world()
    twin.block_write(P, {i: f"p{i}" for i in range(SIZE)})
    twin_pair = pair_in(twin_world, twin, "PSUS")
    twin.block_write(P, {1: "changed"})
    twin.pairresync([(P, 0)])
    twin_world.env.run(until=twin_pair.copy_done_at)
    assert xp.block_read_run(S, 0, SIZE) == one_by_one(twin, S, 0, SIZE)
    assert world.digest() == twin_world.digest()
