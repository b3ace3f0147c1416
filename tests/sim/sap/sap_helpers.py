"""An SAP system ``PRD`` on the Oracle test estate, with the BC-BRI and split peers
(imported by name, as tests/unit/sim/xp/xp_helpers.py is: several conftest.py exist)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sap_peers import BackintPeer, Runner, SplitPeer

from apprm_ref.sim.sap import tools
from apprm_ref.sim.sap.context import Result
from apprm_ref.sim.sap.estate import demo_system
from apprm_ref.sim.sap.system import SapSystem

SPLIT_PROFILE = {
    "backup_type": "online_split",
    "split_cmd": "/opt/omni/lbin/splitint $",
    "resync_cmd": "/opt/omni/lbin/resync $",
}


@dataclass
class Sap:
    world: Any
    sap: SapSystem
    runner: Runner

    @property
    def db(self) -> Any:
        return self.sap.db

    @property
    def backint(self) -> BackintPeer:
        return self.runner.backint

    @property
    def split(self) -> SplitPeer:
        return self.runner.split

    def run(self, tool: str, *argv: str, **kw: Any) -> Result:
        return tools.run_tool(tool, self.sap, list(argv), self.runner, **kw)

    def work(self, commits: int = 5) -> None:
        self.world.advance(60)
        self.db.apply_workload(commits)


def make_sap(seed: int = 1, **cfg: Any) -> Sap:
    world, sap = demo_system(seed, **cfg)
    runner = Runner(BackintPeer(world, sap.host, sap.sid), SplitPeer(world, sap.host))
    s = Sap(world, sap, runner)
    s.work()
    return s
