"""The Windows storage stack of the host simulator: basic disks, NTFS volumes, access paths.

Facts checked against Microsoft's documentation (cited in ``sim/host/windows.py``):
VDS_DISK_OFFLINE_REASON (Collision = 4: an MBR disk whose signature equals an online disk's),
M. Russinovich "Fixing Disk Signature Collisions" (bringing such a disk online gives it a new
signature), IVdsVolumeMF::Dismount (VDS_E_DEVICE_IN_USE 0x80042413 while in use), the mountvol
syntax (``\\\\?\\Volume{GUID}\\``), VDS common return codes, Win32 system error codes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from apprm_ref.errors import HostError
from apprm_ref.sim.host.models import GPT_LABEL, MBR_LABEL, NTFS_MAGIC
from apprm_ref.sim.host.stacks import WindowsStack
from apprm_ref.sim.world import World
from apprm_ref.types import VolumeRef

GUID_PATH = re.compile(
    r"^\\\\\?\\Volume\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}\\$"
)


PlainArray = Any  # conftest's PlainArray, reached through its ``lab`` fixture


@pytest.fixture
def win(lab: tuple[World, Any]) -> tuple[World, PlainArray]:
    world = World(11)
    arr = world.add_array(type(lab[1])("arr1"))  # conftest's block store, no array rules
    arr.add("d1", 64, "win")
    arr.add("d2", 64, "win")
    world.hosts.add_host("win", os="windows", storage="windows")
    world.hosts.add_host("wbk", os="windows", storage="windows", role="backup")
    world.hosts.rescan("win")
    return world, arr


def disk_no(world: World, host: str, volume: str) -> int:
    h = world.hosts.host(host)
    dev = next(d for d in h.devices.values() if d.volume == volume)
    return h.disks[dev.wwn].number


def make_volume(world: World, host: str, volume: str, path: str, style: str = MBR_LABEL) -> str:
    win, n = world.hosts.windows, disk_no(world, host, volume)
    win.online_disk(host, n)
    win.init_disk(host, n, style)
    part = win.create_partition(host, n, 40)
    guid = win.format_ntfs(host, n, part.number)
    win.add_path(host, path, guid)
    return guid


def codes(exc: pytest.ExceptionInfo[HostError]) -> str:
    return f"{exc.value.code} {exc.value.message}"


def test_new_san_disks_arrive_offline_and_refuse_partitioning(win) -> None:
    world, _ = win
    disks = sorted(world.hosts.host("win").disks.values(), key=lambda d: d.number)
    assert [(d.number, d.online, d.offline_reason) for d in disks] == [
        (1, False, "Policy"),
        (2, False, "Policy"),
    ]
    with pytest.raises(HostError) as exc:
        world.hosts.windows.create_partition("win", 1, 10)
    assert exc.value.code == "VDS_E_DISK_NOT_ONLINE" and "0x8004244B" in exc.value.message


def test_mbr_signature_and_gpt_disk_guid_are_written_on_the_disk(win) -> None:
    world, arr = win
    w = world.hosts.windows
    w.online_disk("win", 1)
    sig = w.init_disk("win", 1, MBR_LABEL)
    assert re.fullmatch(r"[0-9A-F]{8}", sig)
    w.online_disk("win", 2)
    guid = w.init_disk("win", 2, GPT_LABEL)
    assert re.fullmatch(r"[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}", guid)
    p1 = w.create_partition("win", 2, 10)
    assert p1.guid and p1.start == 1
    assert arr.block_read("d1", 0) == (MBR_LABEL, sig, ())
    assert arr.block_read("d2", 0) == (GPT_LABEL, guid, ((1, 1, 10, p1.guid),))
    with pytest.raises(HostError) as exc:
        w.init_disk("win", 1, GPT_LABEL)  # not an empty disk any more
    assert exc.value.code == "VDS_E_INVALID_OPERATION"


def test_mbr_partition_limit_and_space(win) -> None:
    world, _ = win
    w = world.hosts.windows
    w.online_disk("win", 1)
    w.init_disk("win", 1)
    for _ in range(4):
        w.create_partition("win", 1, 5)
    with pytest.raises(HostError) as exc:
        w.create_partition("win", 1, 5)
    assert exc.value.code == "VDS_E_PARTITION_LIMIT_REACHED"
    w.online_disk("win", 2)
    w.init_disk("win", 2, GPT_LABEL)
    with pytest.raises(HostError) as exc:
        w.create_partition("win", 2, 64)  # extent 0 holds the partition table
    assert exc.value.code == "VDS_E_NOT_ENOUGH_SPACE"


def test_volume_guid_paths_letters_and_folders(win) -> None:
    world, _ = win
    guid = make_volume(world, "win", "d1", "d:")
    assert GUID_PATH.match(guid)
    logs = make_volume(world, "win", "d2", "D:\\logs", GPT_LABEL)
    assert logs != guid
    vols = {v.guid_path: v.access_path for v in world.hosts.windows.volumes("win")}
    assert vols == {guid: "D:\\", logs: "D:\\logs\\"}
    hb = world.hosts
    hb.create_file("win", "D:\\logs\\journal.log", 2)
    hb.create_file("win", "D:\\a.db", 2)
    assert hb.mount_of("win", "d:\\LOGS\\journal.log")[0].mount_point == "D:\\logs\\"
    assert hb.list_files("win", "D:\\") == ["D:\\a.db"]
    assert hb.list_files("win", "D:\\logs\\") == ["D:\\logs\\journal.log"]


def test_access_path_refusals(win) -> None:
    world, arr = win
    w = world.hosts.windows
    guid = make_volume(world, "win", "d1", "D:")
    world.hosts.create_file("win", "D:\\busy\\x.db", 1)
    w.online_disk("win", 2)
    w.init_disk("win", 2)
    other = w.format_ntfs("win", 2, w.create_partition("win", 2, 10).number)
    cases = {
        "D:": "VDS_E_DRIVE_LETTER_NOT_FREE",  # taken by d1
        "C:": "VDS_E_DRIVE_LETTER_NOT_FREE",  # the system volume
        "F:\\mnt": "ERROR_PATH_NOT_FOUND",  # no volume on F:
        "D:\\busy": "ERROR_DIR_NOT_EMPTY",  # a folder holding a file
        "mnt": "ERROR_PATH_NOT_FOUND",  # neither a letter nor a folder
    }
    for path, code in cases.items():
        with pytest.raises(HostError) as exc:
            w.add_path("win", path, other)
        assert exc.value.code == code, path
    with pytest.raises(HostError) as exc:
        w.add_path("win", "E:", guid)  # a second access path of the same volume
    assert exc.value.code == "EINVAL"
    raw = w.create_partition("win", 2, 5)  # never formatted
    with pytest.raises(HostError) as exc:
        w.add_path("win", "G:", w.guid_path(world.hosts.host("win"), w.disk("win", 2), raw))
    assert exc.value.code == "ERROR_UNRECOGNIZED_VOLUME" and "(1005)" in exc.value.message
    assert arr.block_read("d2", raw.start) is None


def test_data_written_through_a_drive_letter_lands_on_the_array_volume(win) -> None:
    world, arr = win
    make_volume(world, "win", "d1", "D:")
    hb = world.hosts
    entry = hb.create_file("win", "D:\\payroll.mdb", 3)
    hb.write_file("win", "D:\\payroll.mdb", {1: "row-1"})
    part = world.hosts.windows.disk("win", 1).partitions[1]
    assert arr.block_read("d1", part.start + entry.start + 1) == "row-1"
    sb = arr.block_read("d1", part.start)
    assert sb[0] == NTFS_MAGIC and sb[2] == (("payroll.mdb", 1, 3),)
    arr.volumes["d1"].write(part.start + entry.start + 1, "reverted")  # e.g. an IR
    w = world.hosts.windows
    w.offline_disk("win", 1)
    w.online_disk("win", 1)  # remembered access path D:\ comes back
    assert hb.read_file("win", "D:\\payroll.mdb")[1] == "reverted"


def test_offline_and_dismount_refuse_a_volume_in_use(win) -> None:
    world, _ = win
    w = world.hosts.windows
    make_volume(world, "win", "d1", "D:")
    make_volume(world, "win", "d2", "D:\\logs")
    world.hosts.hold("win", "D:\\logs\\")
    with pytest.raises(HostError) as exc:
        w.offline_disk("win", 2)
    assert exc.value.code == "VDS_E_DEVICE_IN_USE" and "0x80042413" in exc.value.message
    with pytest.raises(HostError) as exc:
        w.dismount("win", "D:\\logs")
    assert exc.value.code == "VDS_E_DEVICE_IN_USE"
    with pytest.raises(HostError) as exc:
        w.dismount("win", "D:")  # D:\logs\ is mounted in a folder of it
    assert exc.value.code == "VDS_E_DEVICE_IN_USE"
    world.hosts.release("win", "D:\\logs\\")
    w.dismount("win", "D:\\logs\\")
    w.offline_disk("win", 1)
    with pytest.raises(HostError) as exc:
        world.hosts.read_file("win", "D:\\a.db")
    assert exc.value.code == "ERROR_PATH_NOT_FOUND" and "(3)" in exc.value.message
    with pytest.raises(HostError) as exc:
        w.offline_disk("win", 1)
    assert exc.value.code == "VDS_E_DISK_NOT_ONLINE"


def test_read_only_disk_refuses_writes_with_write_protect(win) -> None:
    world, _ = win
    make_volume(world, "win", "d1", "D:")
    world.hosts.create_file("win", "D:\\a.db", 1)
    world.hosts.windows.set_read_only("win", 1, True)
    with pytest.raises(HostError) as exc:
        world.hosts.write_file("win", "D:\\a.db", {0: "x"})
    assert exc.value.code == "ERROR_WRITE_PROTECT" and "(19)" in exc.value.message


def _copy_to(arr: PlainArray, src: str, dst: str, host: str) -> None:
    """A replica of ``src``: the same bytes (disk signature included) on a new LUN."""
    arr.volumes[dst] = arr.volumes[src].point_in_time_copy()
    arr.present(dst, host)


def test_same_host_copy_collides_and_gets_a_new_signature_when_brought_online(win) -> None:
    world, arr = win
    w = world.hosts.windows
    guid = make_volume(world, "win", "d1", "D:")
    world.hosts.create_file("win", "D:\\a.db", 1)
    world.hosts.write_file("win", "D:\\a.db", {0: "v1"})
    sig = w.disk("win", 1).disk_id
    _copy_to(arr, "d1", "c1", "win")
    world.hosts.rescan("win")
    copy = w.disk("win", disk_no(world, "win", "c1"))
    assert (copy.online, copy.offline_reason, copy.disk_id) == (False, "Collision", sig)
    w.online_disk("win", copy.number)
    assert copy.online and copy.disk_id != sig
    assert arr.block_read("c1", 0)[1] == copy.disk_id  # the new signature is on the disk
    assert arr.block_read("d1", 0)[1] == sig  # the original is untouched
    new_guid = w.guid_path(world.hosts.host("win"), copy, copy.partitions[1])
    assert new_guid != guid
    w.add_path("win", "E:", new_guid)
    assert world.hosts.read_file("win", "E:\\a.db") == ("v1",)


def test_a_gpt_copy_gets_a_new_disk_guid_and_new_partition_guids(win) -> None:
    world, arr = win
    w = world.hosts.windows
    guid = make_volume(world, "win", "d2", "D:", GPT_LABEL)
    world.hosts.create_file("win", "D:\\a.db", 1)
    src = w.disk("win", 2)
    _copy_to(arr, "d2", "c2", "win")
    world.hosts.rescan("win")
    copy = w.disk("win", disk_no(world, "win", "c2"))
    assert copy.offline_reason == "Collision" and copy.disk_id == src.disk_id
    w.online_disk("win", copy.number)
    assert copy.disk_id != src.disk_id
    assert copy.partitions[1].guid != src.partitions[1].guid
    assert arr.block_read("c2", 0)[2][0][3] == copy.partitions[1].guid
    new_guid = w.guid_path(world.hosts.host("win"), copy, copy.partitions[1])
    assert new_guid != guid
    w.add_path("win", "E:", new_guid)
    assert world.hosts.list_files("win", "E:\\") == ["E:\\a.db"]
    assert world.hosts.mount_of("win", "D:\\a.db")[0].lv == guid  # the source is untouched


def test_another_host_keeps_the_signature(win) -> None:
    world, arr = win
    w = world.hosts.windows
    make_volume(world, "win", "d1", "D:")
    sig = w.disk("win", 1).disk_id
    _copy_to(arr, "d1", "c1", "wbk")
    world.hosts.rescan("wbk")
    disk = w.disk("wbk", disk_no(world, "wbk", "c1"))
    assert (disk.offline_reason, disk.disk_id) == ("Policy", sig)
    w.online_disk("wbk", disk.number, read_only=True)
    assert disk.disk_id == sig and disk.read_only


def test_crash_and_boot_bring_the_access_paths_back(win) -> None:
    world, _ = win
    make_volume(world, "win", "d1", "D:")
    world.hosts.create_file("win", "D:\\a.db", 1)
    world.hosts.crash("win")
    assert world.hosts.host("win").mounts == {}
    world.hosts.boot("win")
    assert world.hosts.list_files("win", "D:\\") == ["D:\\a.db"]
    assert world.invariant_problems() == []


def test_windows_stack_resolves_disks_and_imports_a_same_host_replica(win) -> None:
    world, arr = win
    make_volume(world, "win", "d1", "D:")
    make_volume(world, "win", "d2", "D:\\logs")
    world.hosts.create_file("win", "D:\\a.db", 1)
    world.hosts.write_file("win", "D:\\a.db", {0: "v1"})
    stack = WindowsStack(world.hosts)
    lays = stack.resolve("win", ["D:\\a.db"])
    sig = world.hosts.windows.disk("win", 1).disk_id
    assert [(x.group, x.group_id, x.volume, x.mount_point, x.volumes) for x in lays] == [
        ("Disk 1", sig, "Partition 1", "D:\\", (VolumeRef("arr1", "d1"),))
    ]
    _copy_to(arr, "d1", "c1", "win")
    world.hosts.rescan("win")
    name = stack.import_group("win", lays[0], (VolumeRef("arr1", "c1"),), "t", read_only=True)
    mp = stack.replica_mount_point("win", "/zdb", "spec", lays[0])
    assert mp == "E:\\"
    stack.mount_imported("win", name, lays[0], mp, read_only=True)
    assert world.hosts.read_file("win", "E:\\a.db") == ("v1",)
    with pytest.raises(HostError) as exc:
        world.hosts.write_file("win", "E:\\a.db", {0: "x"})
    assert exc.value.code == "ERROR_WRITE_PROTECT"
    stack.unmount("win", mp)
    stack.export_group("win", name)
    stack.release("win", lays[0])  # the source, never the resignatured copy
    assert not world.hosts.windows.disk("win", 1).online
    stack.reattach("win", lays[0])
    stack.remount("win", lays[0])
    assert world.hosts.read_file("win", "D:\\a.db") == ("v1",)
    assert world.invariant_problems() == []


def test_import_refuses_a_lun_that_is_not_a_copy_of_the_source(win) -> None:
    world, arr = win
    make_volume(world, "win", "d1", "D:")
    stack = WindowsStack(world.hosts)
    lay = stack.resolve("win", ["D:\\"])[0]
    arr.add("c1", 64, "wbk")
    world.hosts.rescan("wbk")
    with pytest.raises(HostError) as exc:
        stack.import_group("wbk", lay, (VolumeRef("arr1", "c1"),), "t", read_only=True)
    assert exc.value.code == "VDS_E_OBJECT_NOT_FOUND" and "carries disk ID none" in str(exc.value)
    with pytest.raises(HostError):
        stack.import_group("wbk", lay, (VolumeRef("arr1", "zz"),), "t", read_only=True)
