from __future__ import annotations

import tracemalloc

import pytest

from apprm_ref.sim.storage import MAX_CHAIN_DEPTH, TIB, VolumeData


def test_point_in_time_copy_reads_content_of_its_instant() -> None:
    vol = VolumeData(100)
    vol.write_many({i: f"v1-{i}" for i in range(10)})
    copy = vol.point_in_time_copy()
    vol.write(3, "v2-3")
    copy.write(4, "copy-4")
    assert copy.read(3) == "v1-3"
    assert vol.read(3) == "v2-3"
    assert vol.read(4) == "v1-4"
    assert copy.read(4) == "copy-4"
    assert vol.read(50) is None


def test_out_of_range_extent_is_refused() -> None:
    vol = VolumeData(4)
    with pytest.raises(IndexError):
        vol.write(4, "x")
    with pytest.raises(IndexError):
        vol.read(-1)


def test_replace_content_is_exact_and_independent() -> None:
    a, b = VolumeData(8), VolumeData(8)
    a.write_many({0: "a0", 1: "a1"})
    b.write_many({1: "b1", 2: "b2"})
    a.replace_content(b)
    assert a.written() == {1: "b1", 2: "b2"}
    b.write(1, "later")
    assert a.read(1) == "b1"


def test_chains_are_flattened_without_changing_content() -> None:
    vol = VolumeData(1000)
    copies = []
    for gen in range(MAX_CHAIN_DEPTH * 3):
        vol.write(gen % 50, ("gen", gen))
        copies.append((gen, vol.point_in_time_copy()))
    assert vol.base is not None and vol.base.depth <= MAX_CHAIN_DEPTH + 1
    for gen, copy in copies:
        assert copy.read(gen % 50) == ("gen", gen)


def test_changed_since_lists_extents_written_after_a_copy() -> None:
    vol = VolumeData(10)
    vol.write(1, "a")
    layer = vol.freeze()
    vol.write(2, "b")
    vol.freeze()
    vol.write(3, "c")
    assert vol.changed_since(layer) == {2, 3}


def test_ten_terabyte_volume_with_snapshots_stays_small_in_memory() -> None:
    """Memory grows with changed extents, never with capacity (a 10 TB volume, 1 MiB extents)."""
    tracemalloc.start()
    vol = VolumeData(10 * TIB // (1024 * 1024))
    snaps = []
    for day in range(20):
        vol.write_many({(day * 7919 + i * 104729) % vol.size_extents: (day, i) for i in range(100)})
        snaps.append(vol.point_in_time_copy())
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert vol.size_bytes == 10 * TIB
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes for 2000 changed extents"
    assert snaps[0].read((0 * 7919) % vol.size_extents) == (0, 0)


def test_digest_depends_on_content_only() -> None:
    a, b = VolumeData(16), VolumeData(16)
    a.write(2, "x")
    b.write(2, "x")
    b.point_in_time_copy()
    assert a.digest() == b.digest()
    b.write(3, "y")
    assert a.digest() != b.digest()
