"""The host's cached lookups (dcache.py) never outlive what they derive from: after every
command that changes mounts, volume groups, devices, files or the host itself, I/O goes
where a fresh resolution sends it, and ``check_invariants`` sees any entry that did not."""

from __future__ import annotations

from typing import Any

import pytest
from host_helpers import mount_data_and_logs

from apprm_ref.errors import HostError
from apprm_ref.sim.host.backend import HostBackend
from apprm_ref.sim.world import World


def _fs(world: World) -> HostBackend:
    hb = mount_data_and_logs(world)
    hb.create_file("app", "/data/f", 4)
    hb.create_file("app", "/data/logs/l1", 2)
    return hb


def _warm(hb: HostBackend) -> None:
    """Resolve (and so cache) every path the tests use, then check nothing is stale."""
    hb.write_file("app", "/data/f", {0: "f0"})
    hb.write_file("app", "/data/logs/l1", {1: "l1"})
    assert hb.read_block("app", "/data/logs/l1", 1) == "l1"
    assert hb.mount_of("app", "/data/logs/l1")[1] == "l1"
    assert hb.volumes_under("app", "/data/f") == hb.volumes_under("app", "/data/g")
    assert hb._cache["app"].files and hb._cache["app"].paths and hb._cache["app"].volumes
    assert hb.check_invariants() == []


def _dropped(hb: HostBackend) -> bool:
    hc = hb._cache.get("app")
    return hc is None or not (hc.files or hc.paths or hc.tables or hc.volumes)


def _code(fn: Any, *args: Any) -> str:
    with pytest.raises(HostError) as err:
        fn(*args)
    return err.value.code


def test_unmount_sends_the_path_to_the_parent_mount(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.unmount("app", "/data/logs")
    assert hb.check_invariants() == []
    assert hb.mount_of("app", "/data/logs/l1")[0].mount_point == "/data"
    assert _code(hb.write_file, "app", "/data/logs/l1", {0: "x"}) == "ENOENT"


def test_mount_of_another_lv_at_the_same_point_is_seen(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.unmount("app", "/data/logs")
    hb.mount("app", "vgdata", "lvol1", "/data/logs")  # the other filesystem there now
    assert hb.check_invariants() == []
    assert _code(hb.write_file, "app", "/data/logs/l1", {0: "x"}) == "ENOENT"
    assert hb.read_block("app", "/data/logs/f", 0) == "f0"


def test_mount_over_a_resolved_directory_takes_its_paths(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    hb.create_file("app", "/data/sub/g", 2)
    hb.write_file("app", "/data/sub/g", {0: "on lvol1"})
    hb.unmount("app", "/data/logs")
    hb.write_file("app", "/data/sub/g", {1: "cached"})
    assert hb.mount_of("app", "/data/sub/l1")[1] == "sub/l1"
    hb.mount("app", "vgdata", "lvol2", "/data/sub")
    assert hb.check_invariants() == []
    assert hb.mount_of("app", "/data/sub/l1") == (hb.host("app").mounts["/data/sub"], "l1")
    assert _code(hb.write_file, "app", "/data/sub/g", {0: "x"}) == "ENOENT"
    hb.write_file("app", "/data/sub/l1", {0: "on lvol2"})


def test_crash_refuses_cached_paths(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.crash("app")
    assert _dropped(hb) and hb.check_invariants() == []
    assert _code(hb.write_file, "app", "/data/f", {0: "x"}) == "EHOSTDOWN"
    assert _code(hb.read_block, "app", "/data/f", 0) == "EHOSTDOWN"
    hb.boot("app")
    assert _code(hb.write_file, "app", "/data/f", {0: "x"}) == "ENOENT"  # nothing mounted
    hb.activate_vg("app", "vgdata")
    hb.mount("app", "vgdata", "lvol1", "/data")
    assert hb.read_block("app", "/data/f", 0) == "f0"


def test_vg_commands_drop_the_cache(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.activate_vg("app", "vgdata")  # re-reads the labels: new LV objects
    assert _dropped(hb) and hb.check_invariants() == []
    _warm(hb)
    hb.create_lv("app", "vgdata", "lvol3", 4)
    assert _dropped(hb) and hb.check_invariants() == []
    _warm(hb)
    hb.unmount("app", "/data/logs")
    hb.unmount("app", "/data")
    hb.deactivate_vg("app", "vgdata")
    assert _code(hb.write_file, "app", "/data/f", {0: "x"}) == "ENOENT"
    uuid = hb.host("app").vgs["vgdata"].uuid
    hb.export_vg("app", "vgdata")
    hb.import_vg("app", uuid, "vgback")
    hb.mount("app", "vgback", "lvol1", "/data")
    assert hb.read_block("app", "/data/f", 0) == "f0" and hb.check_invariants() == []


def test_rescan_follows_a_wwn_to_its_new_volume(lab) -> None:  # type: ignore[no-untyped-def]
    """A switch of disks: another volume now carries the PV's WWN (EVA restore_switch)."""
    world, arr = lab
    hb = _fs(world)
    _warm(hb)
    arr.volumes["d1b"] = arr.volumes["d1"].point_in_time_copy()
    wwn_of = arr.volume_wwn
    arr.volume_wwn = lambda v: wwn_of("d1" if v == "d1b" else v)  # type: ignore[method-assign]
    del arr.luns["app"]["d1"]
    arr.present("d1b", "app")
    hb.rescan("app")
    assert hb.check_invariants() == []
    hb.write_file("app", "/data/f", {1: "after"})
    assert hb.volumes_under("app", "/data/f")[0] == ("arr1", "d1b")
    assert "after" in arr.volumes["d1b"].written().values()
    assert "after" not in arr.volumes["d1"].written().values()


def test_delete_drops_every_spelling_of_the_path(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.write_file("app", "/data//f", {1: "alias"})  # the same file, another dentry
    hb.delete_file("app", "/data/f")
    assert hb.check_invariants() == []
    assert _code(hb.write_file, "app", "/data//f", {0: "x"}) == "ENOENT"
    assert _code(hb.read_block, "app", "/data/f", 0) == "ENOENT"
    hb.create_file("app", "/data/f", 2)
    assert hb.read_file("app", "/data/f") == (None, None)  # trimmed, then reused


def test_create_places_files_as_a_full_scan_would(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    mnt = hb.host("app").mounts["/data"]
    hb.create_file("app", "/data/g", 3)
    hb.create_file("app", "/data/h", 2)
    assert [mnt.files[p].start for p in ("f", "g", "h")] == [1, 5, 8]
    hb.delete_file("app", "/data/g")  # a hole: not reused
    hb.create_file("app", "/data/i", 1)
    assert mnt.files["i"].start == 10
    hb.delete_file("app", "/data/i")  # the last file: its space is free again
    hb.delete_file("app", "/data/h")
    hb.create_file("app", "/data/j", 1)
    assert mnt.files["j"].start == 5
    assert hb.check_invariants() == []
    hb.unmount("app", "/data/logs")
    hb.unmount("app", "/data")
    hb.mount("app", "vgdata", "lvol1", "/data")  # the table on disk is the one kept
    assert hb.list_files("app", "/data") == ["/data/f", "/data/j"]
    assert hb.host("app").mounts["/data"].files == mnt.files


def test_freeze_and_read_only_are_checked_on_every_write(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    hb.freeze("app", "/data")
    assert _code(hb.write_file, "app", "/data/f", {0: "x"}) == "EAGAIN"
    hb.thaw("app", "/data")
    assert _code(hb.write_file, "app", "/data/f", {9: "x"}) == "EFBIG"
    hb.write_file("app", "/data/f", {3: "x"})
    assert hb.read_file("app", "/data/f")[3] == "x"


def test_a_missed_drop_is_reported(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    host = hb.host("app")
    del host.mounts["/data/logs"]  # behind the backend's back: nothing is dropped
    assert any("cache: path /data/logs/l1" in p for p in hb.check_invariants())
    assert any("cache: file /data/logs/l1" in p for p in hb.check_invariants())
    host.mounts["/data"].files.pop("f")  # the kept file table still lists it
    assert any("file table of /data" in p for p in hb.check_invariants())
    dev = next(iter(host.devices.values()))
    dev.volume = "elsewhere"  # a kept answer of volumes_under no longer holds
    assert any("volumes under /data" in p for p in hb.check_invariants())
    host.devices.clear()
    assert any("WWN index" in p for p in hb.check_invariants())


def test_a_load_starts_with_no_cache(lab, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    hb = _fs(world)
    _warm(hb)
    path = tmp_path / "w.json"
    world.save(path)
    again = World.load(path)
    assert again.hosts._cache == {}
    assert again.hosts.read_file("app", "/data/f")[0] == "f0"
    assert again.digest() == world.digest()
