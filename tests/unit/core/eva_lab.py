"""A small EVA estate with an orchestrator over it, for the EVA replication method tests."""

from __future__ import annotations

from typing import Any

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import build_world, sim_drivers
from apprm_ref.sim.estate import Estate


def estate(size: str = "8GiB", capacity: str = "2TiB") -> Estate:
    return Estate.model_validate(
        {
            "arrays": [
                {
                    "type": "eva",
                    "name": "eva1",
                    "disk_groups": [{"name": "DG1", "capacity": capacity}],
                    "vdisks": [
                        {
                            "name": "data1",
                            "disk_group": "DG1",
                            "size": size,
                            "present_to": ["app1"],
                        },
                        {
                            "name": "data2",
                            "disk_group": "DG1",
                            "size": size,
                            "present_to": ["app1"],
                        },
                    ],
                }
            ],
            "hosts": [
                {
                    "name": "app1",
                    "volume_groups": [
                        {
                            "name": "vgdata",
                            "disks": ["eva1/data1", "eva1/data2"],
                            "lvs": [
                                {
                                    "name": "lv1",
                                    "size": "1GiB",
                                    "mount": "/data",
                                    "files": [{"path": "/data/a.db", "size": "4MiB", "fill": "v1"}],
                                },
                                {
                                    "name": "lv2",
                                    "size": "1GiB",
                                    "mount": "/logs",
                                    "files": [
                                        {"path": "/logs/b.log", "size": "4MiB", "fill": "v1"}
                                    ],
                                },
                            ],
                        }
                    ],
                },
                {"name": "bk1", "role": "backup"},
            ],
        }
    )


class Lab:
    """A world, its drivers, an in-memory IDB and the orchestrator."""

    def __init__(self, size: str = "8GiB", capacity: str = "2TiB") -> None:
        self.world = build_world(estate(size, capacity), seed=5)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.eva = self.world.arrays["eva1"]
        self.drv = self.drivers.array("eva1")
        self.hosts = self.world.hosts

    def spec(
        self, name: str = "fs", objects: tuple[str, ...] = ("/data",), **replication: Any
    ) -> None:
        self.orch.create_spec(
            {
                "name": name,
                "application_system": "app1",
                "backup_system": "bk1",
                "array": "eva1",
                "objects": list(objects),
                "replication": replication,
            }
        )

    def backup(self, name: str = "fs"):  # type: ignore[no-untyped-def]
        return self.orch.run_backup(name)

    def write(self, tag: str) -> None:
        self.hosts.write_file("app1", "/data/a.db", {0: f"a-{tag}", 3: f"a3-{tag}"})
        self.hosts.write_file("app1", "/logs/b.log", {1: f"b-{tag}"})

    def content(self) -> tuple:
        return self.hosts.read_file("app1", "/data/a.db"), self.hosts.read_file(
            "app1", "/logs/b.log"
        )

    def active(self, spec: str = "fs"):  # type: ignore[no-untyped-def]
        return self.repo.list_replicas(spec=spec, status=ReplicaStatus.ACTIVE)

    def targets(self) -> list[str]:
        return sorted(v.ref.volume for v in self.drv.list_volumes() if v.role == "target")

    def advance(self, seconds: float) -> None:
        self.world.advance(seconds)

    def messages(self, session) -> str:  # type: ignore[no-untyped-def]
        return "\n".join(f"{m.code} {m.text}" for m in session.messages)
