"""Core's planner, expose/mount and release/reattach through a Windows host's storage stack."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.core.service import Orchestrator
from apprm_ref.errors import ConfigError
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import build_world, sim_drivers
from apprm_ref.sim.estate import Estate
from apprm_ref.types import SessionStatus


def estate(backup_storage: str = "windows", **extra: Any) -> dict[str, Any]:
    vdisks = [
        {"name": n, "disk_group": "DG1", "size": "4GiB", "present_to": ["win1"]}
        for n in ("data1", "logs1")
    ]
    disks = [
        {
            "disk": "eva1/data1",
            "partitions": [
                {"size": "1GiB", "mount": "D:", "files": [{"path": "D:\\a.mdb", "fill": "v1"}]}
            ],
        },
        {
            "disk": "eva1/logs1",
            "style": "gpt",
            "partitions": [
                {
                    "size": "1GiB",
                    "mount": "D:\\logs",
                    "files": [{"path": "D:\\logs\\b.log", "fill": "v1"}],
                }
            ],
        },
    ]
    bk = {"name": "bk1", "role": "backup", "storage": backup_storage}
    return {
        "arrays": [
            {
                "type": "eva",
                "name": "eva1",
                "disk_groups": [{"name": "DG1", "capacity": "1TiB"}],
                "vdisks": vdisks,
            }
        ],
        "hosts": [{"name": "win1", "storage": "windows", "disks": disks, **extra}, bk],
    }


class WinLab:
    def __init__(
        self, backup_storage: str = "windows", objects: tuple[str, ...] = ("D:\\",)
    ) -> None:
        self.world = build_world(Estate.model_validate(estate(backup_storage)), seed=7)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.hosts = self.world.hosts
        self.orch.create_spec(
            {
                "name": "fs",
                "application_system": "win1",
                "backup_system": "bk1",
                "array": "eva1",
                "objects": list(objects),
                "replication": {"snapshot_type": "snapclone", "replicas": 2},
            }
        )

    def content(self) -> tuple[Any, ...]:
        return self.hosts.read_file("win1", "D:\\a.mdb"), self.hosts.read_file(
            "win1", "D:\\logs\\b.log"
        )

    def text(self, session: Any) -> str:
        return "\n".join(f"{m.code} {m.text}" for m in session.messages)


def test_backup_mounts_the_replica_disks_read_only_on_the_backup_system() -> None:
    lab = WinLab()
    s = lab.orch.run_backup("fs")
    assert s.status == SessionStatus.COMPLETED, lab.text(s)
    assert "Replica mounted on bk1: D:\\" in lab.text(s)
    rep = lab.repo.get_replica(s.replica_id)
    sig = lab.hosts.windows.disk("win1", 1).disk_id
    assert [(x.vg, x.vg_uuid, x.lv, x.mount_point) for x in rep.layout] == [
        ("Disk 1", sig, "Partition 1", "D:\\")  # only the disk of D:\ is replicated
    ]
    bk = lab.hosts.host("bk1")
    assert bk.mounts == {}  # dismounted and taken offline again, then unpresented
    assert bk.disks == {}


@pytest.mark.rule("ARR-P4", "ARR-I17")
def test_instant_recovery_brings_the_disks_back_on_their_access_paths() -> None:
    lab = WinLab(objects=("D:\\", "D:\\logs\\"))
    s = lab.orch.run_backup("fs")
    assert "Replica mounted on bk1: D:\\, E:\\" in lab.text(s)
    at_backup = lab.content()
    sigs = [d.disk_id for d in lab.hosts.host("win1").disks.values()]
    lab.world.advance(3600)  # the snapclones normalize
    lab.hosts.write_file("win1", "D:\\a.mdb", {0: "v2"})
    lab.hosts.write_file("win1", "D:\\logs\\b.log", {0: "v2"})
    assert lab.content() != at_backup
    r = lab.orch.restore(s.replica_id, RestoreOptions(method="switch"))
    assert r.status == SessionStatus.COMPLETED, lab.text(r)
    text = lab.text(r)
    assert "Dismounted D:\\, D:\\logs\\" in text
    assert "Mounted at original mount points: D:\\, D:\\logs\\" in text
    assert lab.content() == at_backup
    assert sorted(lab.hosts.host("win1").mounts) == ["D:\\", "D:\\logs\\"]
    assert [d.disk_id for d in lab.hosts.host("win1").disks.values()] == sigs
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("ARR-I17")
def test_ir_refuses_a_volume_with_another_disk_mounted_in_its_folder() -> None:
    lab = WinLab()  # D:\logs\ lives on another disk, not in the replica
    s = lab.orch.run_backup("fs")
    lab.world.advance(3600)
    lab.hosts.write_file("win1", "D:\\a.mdb", {0: "v2"})
    r = lab.orch.restore(s.replica_id, RestoreOptions(method="switch"))
    assert r.status == SessionStatus.FAILED
    assert "VDS_E_DEVICE_IN_USE" in lab.text(r) and "D:\\logs\\ mounted in it" in lab.text(r)
    assert lab.content()[0][0] == "v2"
    assert sorted(lab.hosts.host("win1").mounts) == ["D:\\", "D:\\logs\\"]


def test_ir_is_refused_while_a_volume_is_in_use_and_changes_nothing() -> None:
    lab = WinLab()
    s = lab.orch.run_backup("fs")
    lab.world.advance(3600)
    lab.hosts.hold("win1", "D:\\")
    lab.hosts.write_file("win1", "D:\\a.mdb", {0: "v2"})
    r = lab.orch.restore(s.replica_id, RestoreOptions(method="switch"))
    assert r.status != SessionStatus.COMPLETED
    assert "VDS_E_DEVICE_IN_USE" in lab.text(r)
    assert lab.content()[0][0] == "v2" and "D:\\" in lab.hosts.host("win1").mounts


def test_a_backup_system_on_another_stack_is_refused_up_front() -> None:
    lab = WinLab(backup_storage="lvm")
    s = lab.orch.run_backup("fs")
    assert s.status == SessionStatus.FAILED
    assert "STACK_MISMATCH" in lab.text(s)
    assert lab.repo.list_replicas(spec="fs") == []


@pytest.mark.parametrize(
    ("host", "field"),
    [
        (
            {"name": "x", "storage": "windows", "volume_groups": [{"name": "vg", "disks": []}]},
            "volume_groups",
        ),
        ({"name": "x", "disks": [{"disk": "eva1/data1"}]}, "hosts.x"),
    ],
)
def test_estate_refuses_a_layout_of_the_other_stack(host: dict[str, Any], field: str) -> None:
    doc = estate()
    doc["hosts"].append(host)
    with pytest.raises(ConfigError) as exc:
        build_world(Estate.model_validate(doc))
    assert field in str(exc.value)


def test_an_unknown_storage_stack_is_refused() -> None:
    from pydantic import ValidationError

    doc = estate()
    doc["hosts"][1]["storage"] = "zfs"
    with pytest.raises(ValidationError):
        Estate.model_validate(doc)


def test_a_saved_windows_world_loads_with_its_disks_and_access_paths(tmp_path) -> None:
    lab = WinLab()
    lab.orch.run_backup("fs")
    lab.world.save(tmp_path / "world.json")
    loaded = type(lab.world).load(tmp_path / "world.json")
    before, after = lab.hosts.host("win1"), loaded.hosts.host("win1")
    assert after.disks == before.disks and after.volume_guids == before.volume_guids
    assert sorted(after.mounts) == ["D:\\", "D:\\logs\\"]
    assert loaded.hosts.read_file("win1", "D:\\a.mdb") == lab.hosts.read_file("win1", "D:\\a.mdb")
    assert loaded.invariant_problems() == []


def test_a_posix_mount_prefix_is_refused_on_a_windows_backup_system() -> None:
    lab = WinLab()
    lab.orch.create_spec(
        {
            "name": "fs2",
            "application_system": "win1",
            "backup_system": "bk1",
            "array": "eva1",
            "objects": ["D:\\"],
            "replication": {"snapshot_type": "snapclone", "mount_prefix": "/mnt/zdb"},
        }
    )
    s = lab.orch.run_backup("fs2")
    assert s.status == SessionStatus.FAILED and "first free drive letters" in lab.text(s)
    assert lab.repo.list_replicas(spec="fs2") == []
    assert lab.hosts.host("bk1").mounts == {}
