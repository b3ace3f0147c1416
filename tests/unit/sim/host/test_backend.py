from __future__ import annotations

import pytest
from host_helpers import mount_data_and_logs

from apprm_ref.errors import ArrayError, HostError
from apprm_ref.sim.world import World


def _fs(world: World) -> None:
    mount_data_and_logs(world)


def test_files_land_on_array_extents_and_survive_remount(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/f1", 70)
    hb.write_file("app", "/data/f1", {0: "first", 69: "last"})
    hb.create_file("app", "/data/logs/l1", 2)
    hb.write_file("app", "/data/logs/l1", {1: "log"})
    assert hb.volumes_under("app", "/data/logs/l1") == [("arr1", "d1"), ("arr1", "d2")]
    # the last block of f1 lies on the second PV
    assert "last" in arr.volumes["d2"].written().values()
    hb.unmount("app", "/data/logs")
    hb.unmount("app", "/data")
    hb.deactivate_vg("app", "vgdata")
    hb.activate_vg("app", "vgdata")
    hb.mount("app", "vgdata", "lvol1", "/data")
    assert hb.read_file("app", "/data/f1")[69] == "last"
    assert hb.list_files("app", "/data") == ["/data/f1"]


def test_backup_host_imports_a_copied_volume_group(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/f", 3)
    hb.write_file("app", "/data/f", {2: "payload"})
    uuid = hb.host("app").vgs["vgdata"].uuid
    for src, tgt in (("d1", "t1"), ("d2", "t2")):
        arr.volumes[tgt] = arr.volumes[src].point_in_time_copy()
        arr.present(tgt, "bk")
    hb.write_file("app", "/data/f", {2: "changed later"})
    hb.rescan("bk")
    hb.import_vg("bk", uuid, "vgdata_copy")
    hb.mount("bk", "vgdata_copy", "lvol1", "/zdb/data", read_only=True)
    assert hb.read_file("bk", "/zdb/data/f")[2] == "payload"
    with pytest.raises(HostError) as err:
        hb.write_file("bk", "/zdb/data/f", {0: "x"})
    assert err.value.code == "EROFS"


def test_incomplete_volume_group_is_not_imported(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    uuid = world.hosts.host("app").vgs["vgdata"].uuid
    arr.volumes["t1"] = arr.volumes["d1"].point_in_time_copy()
    arr.present("t1", "bk")
    world.hosts.rescan("bk")
    with pytest.raises(HostError) as err:
        world.hosts.import_vg("bk", uuid, "vgx")
    assert err.value.code == "ENXIO"
    assert "vgx" not in world.hosts.host("bk").vgs


def test_busy_and_frozen_filesystems_refuse(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/f", 2)
    hb.hold("app", "/data")
    with pytest.raises(HostError) as err:
        hb.unmount("app", "/data")
    assert err.value.code == "EBUSY"
    with pytest.raises(HostError):
        hb.deactivate_vg("app", "vgdata")
    hb.release("app", "/data")
    hb.freeze("app", "/data")
    with pytest.raises(HostError) as err:
        hb.write_file("app", "/data/f", {0: "x"})
    assert err.value.code == "EAGAIN"
    hb.thaw("app", "/data")
    hb.write_file("app", "/data/f", {0: "x"})
    assert hb.read_block("app", "/data/f", 0) == "x"


def test_array_refusal_reaches_the_writer(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    world.hosts.create_file("app", "/data/f", 2)
    arr.read_only.append("d1")
    with pytest.raises(ArrayError):
        world.hosts.write_file("app", "/data/f", {0: "x"})


def test_crash_drops_mounts_and_keeps_data(lab) -> None:  # type: ignore[no-untyped-def]
    world, _ = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/f", 2)
    hb.write_file("app", "/data/f", {1: "durable"})
    hb.crash("app")
    with pytest.raises(HostError):
        hb.mount("app", "vgdata", "lvol1", "/data")
    hb.boot("app")
    hb.activate_vg("app", "vgdata")
    hb.mount("app", "vgdata", "lvol1", "/data")
    assert hb.read_block("app", "/data/f", 1) == "durable"


def test_world_save_load_round_trip(lab, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/f", 4)
    hb.write_file("app", "/data/f", {0: b"\x00\x01", 1: ("tuple", 1), 2: 7})
    arr.volumes["snap"] = arr.volumes["d1"].point_in_time_copy()
    world.streams.get("workload").random()
    world.advance(3600)
    path = tmp_path / "world.json"
    world.save(path)
    again = World.load(path)
    assert again.digest() == world.digest()
    assert again.now() == 3600
    assert again.hosts.read_file("app", "/data/f")[:3] == (b"\x00\x01", ("tuple", 1), 7)
    # structural sharing survives: the snapshot and its source share the same base layer
    arr2 = again.arrays["arr1"]
    assert arr2.volumes["snap"].base is arr2.volumes["d1"].base
    assert again.streams.get("workload").random() == world.streams.get("workload").random()


def test_rescan_refuses_to_drop_a_device_of_an_active_volume_group(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    del arr.luns["app"]["d2"]
    with pytest.raises(HostError) as err:
        world.hosts.rescan("app")
    assert err.value.code == "EIO"


def test_delete_file_trims_its_extents_and_keeps_the_others(lab) -> None:  # type: ignore[no-untyped-def]
    world, arr = lab
    _fs(world)
    hb = world.hosts
    hb.create_file("app", "/data/a", 2)
    hb.create_file("app", "/data/b", 2)
    hb.write_file("app", "/data/a", {0: "a0", 1: "a1"})
    hb.write_file("app", "/data/b", {0: "b0"})
    hb.delete_file("app", "/data/a")
    assert hb.list_files("app", "/data") == ["/data/b"]
    assert "a0" not in arr.volumes["d1"].written().values()
    assert hb.read_file("app", "/data/b")[0] == "b0"
    with pytest.raises(HostError) as err:
        hb.delete_file("app", "/data/a")
    assert err.value.code == "ENOENT"
    # the file table on the array says so after a remount
    hb.unmount("app", "/data/logs")
    hb.unmount("app", "/data")
    hb.mount("app", "vgdata", "lvol1", "/data")
    assert hb.list_files("app", "/data") == ["/data/b"]
    hb.freeze("app", "/data")
    with pytest.raises(HostError) as err:
        hb.delete_file("app", "/data/b")
    assert err.value.code == "EAGAIN"
    assert hb.list_files("app", "/data") == ["/data/b"]
