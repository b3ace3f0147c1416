"""A small Oracle estate with two online replicas and redo between and after them, built
once and reset per example from its saved world and a copy of its IDB rows (OPS-P1)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from oracle_lab import OracleLab

from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions as RecoveryOptions
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.recoverability import Target
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.core.service import Orchestrator
from apprm_ref.core.specs import BackupSpec
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import sim_drivers
from apprm_ref.sim.oracle.models import fold
from apprm_ref.sim.world import World

SPEC = {
    "name": "ora",
    "type": "oracle",
    "application_system": "app1",
    "backup_system": "bk1",
    "array": "eva1",
    "objects": ["PRD"],
    "mode": "online",
    "replication": {"mount": False, "replicas": 3},
    "application": {},
}


def build() -> OracleLab:
    """Two replicas; log switches between and after them; some redo in the current log."""
    lab = OracleLab()
    lab.orch.create_spec(dict(SPEC))
    lab.work()
    lab.backup()
    for _ in range(3):
        lab.work(1)
        lab.db.switch_logfile()
    lab.backup()
    for _ in range(2):
        lab.work(1)
        lab.db.switch_logfile()
    lab.work(1)
    return lab


@dataclass
class Saved:
    world: bytes
    spec: BackupSpec
    replicas: list[ReplicaRecord]
    commits: list[Any]  # the acknowledged commits (the test oracle, not in the saved form)
    archives: list[dict[str, Any]]

    @classmethod
    def of(cls, lab: OracleLab) -> Saved:
        return cls(
            lab.world.to_bytes(),
            lab.repo.get_spec("ora"),
            lab.repo.list_replicas(),
            list(lab.db.history.commits),
            list(lab.db.cf["archives"]),
        )

    def fresh(self) -> Fresh:
        world = World.from_bytes(self.world)
        repo = SqlRepository(make_engine("sqlite://"))
        repo.save_spec(copy.deepcopy(self.spec))
        for r in self.replicas:
            repo.add_replica(copy.deepcopy(r))
        drivers = sim_drivers(world)
        return Fresh(world, drivers, repo, Orchestrator(drivers, repo, world.env), self.commits)


@dataclass
class Fresh:
    world: World
    drivers: Any
    repo: SqlRepository
    orch: Orchestrator
    commits: list[Any]

    @property
    def db(self) -> Any:
        return self.world.apps["PRD"]

    def restore(self, replica_id: str, target: Target) -> Any:
        opts: dict[str, Any] = {"until": "now"}
        if target.kind == "scn":
            opts = {"until": "scn", "scn": target.scn}
        elif target.kind == "time":
            opts = {"until": "time", "time": target.time}
        return self.orch.restore(
            replica_id, RestoreOptions(keep_replica=True), RecoveryOptions(**opts)
        )

    def expected(self, target: Target) -> dict[str, Any]:
        commits = self.commits
        if target.kind == "scn":
            return fold(commits, target.scn)
        if target.kind == "time":
            return fold([c for c in commits if c.time < (target.time or 0.0)])
        return fold(commits)
