"""A small XP estate for the split-mirror method: two source LDEVs in one volume group on
the application system, an S-VOL per (source, MU) paired in advance, spare LDEVs, and an
orchestrator over the simulator drivers with an in-memory IDB."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.core.context import DriverSet
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.host.driver import SimHostDriver
from apprm_ref.sim.world import World
from apprm_ref.sim.xp.backend import XpBackend
from apprm_ref.sim.xp.driver import XpDriver

SOURCES = ("01:00", "01:01")
SIZE = 12  # extents per LDEV
BLOCKS = 16  # blocks of /data/f (spans both LDEVs)


def svol(src: str, mu: int) -> str:
    return f"02:{SOURCES.index(src) * 3 + mu:02X}"


@dataclass
class Estate:
    world: World
    xp: XpBackend
    orch: Orchestrator
    repo: SqlRepository

    def write(self, tag: str) -> dict[int, str]:
        blocks = {i: f"{tag}:{i}" for i in range(BLOCKS)}
        self.world.hosts.write_file("app", "/data/f", blocks)
        return blocks

    def read(self) -> tuple[Any, ...]:
        return self.world.hosts.read_file("app", "/data/f")

    def contents(self) -> dict[str, dict[int, Any]]:
        return {s: self.xp.content(s).written() for s in SOURCES}

    def backup(self, spec: str = "fs1"):  # type: ignore[no-untyped-def]
        session = self.orch.run_backup(spec)
        self.world.check_invariants()
        return session

    def active(self, spec: str = "fs1") -> list:
        return self.repo.list_replicas(spec=spec, status=ReplicaStatus.ACTIVE)

    def state(self, src: str, mu: int) -> str:
        return self.xp.pair_state(src, mu)

    def advance(self, seconds: float = 3600) -> None:
        self.world.advance(seconds)


def make_estate(
    replication: dict[str, Any] | None = None,
    *,
    pairs: tuple[int, ...] = (0, 1, 2),
    spares: int = 2,
) -> Estate:
    world = World(21)
    xp = world.add_array(XpBackend("xp1", serial=64123))
    hb = world.hosts
    hb.add_host("app")
    hb.add_host("bkp", role="backup")
    for src in SOURCES:
        xp.add_ldev(src, SIZE)
        xp.present(src, "app")
        for mu in range(3):
            xp.add_ldev(svol(src, mu), SIZE)
    for i in range(spares):
        xp.add_ldev(f"03:{i:02X}", SIZE)
    devs = [d.name for d in hb.rescan("app")]
    hb.create_vg("app", "vg01", devs)
    hb.create_lv("app", "vg01", "lvol1", 2 * SIZE - 3)
    hb.mkfs("app", "vg01", "lvol1")
    hb.mount("app", "vg01", "lvol1", "/data")
    hb.create_file("app", "/data/f", BLOCKS)
    for mu in pairs:
        for src in SOURCES:
            xp.paircreate(src, svol(src, mu), mu)
    world.advance(60)
    drivers = DriverSet(arrays={"xp1": XpDriver(world, "xp1")}, host=SimHostDriver(world))
    repo = SqlRepository(make_engine("sqlite://"))
    orch = Orchestrator(drivers, repo, world.env, epoch=world.clock.epoch)
    est = Estate(world, xp, orch, repo)
    est.orch.create_spec(spec("fs1", replication if replication is not None else {"mu": "0-2"}))
    return est


def spec(name: str, replication: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": name,
        "type": "filesystem",
        "application_system": "app",
        "backup_system": "bkp",
        "array": "xp1",
        "objects": ["/data"],
        "replication": replication,
    }
