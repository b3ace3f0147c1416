"""The ``demo`` array family: one pool, volumes, snapshots, on the EVA simulator's model."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from apprm_ref.conformance.sim_backdoors import EvaBackdoor
from apprm_ref.conformance.subjects import SnapFixture
from apprm_ref.conformance.suite import Subject
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.persist import persistable
from apprm_ref.sim.estate import Size
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.driver import FEATURES, EvaDriver
from apprm_ref.sim.storage import MIB, TIB
from apprm_ref.sim.world import World

POOL = "pool"
OTHER_POOL = "pool2"


class DemoVolumeCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    size: Size
    present_to: list[str] = []


class DemoArrayCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["demo"]
    name: str
    capacity: Size
    volumes: list[DemoVolumeCfg] = []


@persistable("demo.DemoArray")
@dataclass(eq=False)
class DemoArray(EvaBackend):
    model: str = "DEMO-1"
    notes: dict[str, str] = field(default_factory=dict)

    kind = "demo"


def build_demo(world: World, cfg: DemoArrayCfg) -> dict[str, str]:
    array = world.add_array(DemoArray(cfg.name))
    array.add_disk_group(POOL, cfg.capacity)
    names = {}
    for vol in cfg.volumes:
        v = array.create_vdisk(vol.name, vol.size, POOL, "vraid5")
        names[f"{cfg.name}/{vol.name}"] = v.id
        for host in vol.present_to:
            array.present(v.id, host)
    return names


class DemoDriver(EvaDriver):
    def capabilities(self) -> Capabilities:
        caps = super().capabilities()
        return Capabilities(caps.kind, "demo", self.backend.model, FEATURES, caps.limits)


def demo_subject(seed: int = 0) -> Subject:
    """The conformance subject the demo family declares: its driver, three source vdisks
    set aside, two host names, its pools, and the ground truth of the simulated array."""
    world = World(seed)
    array = world.add_array(DemoArray("conf-demo"))
    array.add_disk_group(POOL, 8 * TIB)
    array.add_disk_group(OTHER_POOL, 2 * TIB)
    ids = [array.create_vdisk(f"conf-fx-{n}", 64 * MIB, POOL).id for n in range(3)]
    fixture = SnapFixture(ids, ("conf-h1", "conf-h2"), POOL, OTHER_POOL)
    backdoor = EvaBackdoor(world, "conf-demo", POOL)
    driver = DemoDriver(world, "conf-demo")
    return Subject("sim-demo", driver, fixture, world.clock.run_until, backdoor, now=world.now)
