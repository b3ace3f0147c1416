"""An Exchange server on EVA with VSS on every Windows host and an orchestrator over the
simulator drivers (estates: ``apprm_ref.sim.exchange.labs``)."""

from __future__ import annotations

from typing import Any

from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import sim_drivers
from apprm_ref.sim.exchange import labs

SG, DB = "First Storage Group", "Mailbox Database"


class ExchangeLab:
    def __init__(self, version: int = 2007, replication: str = "none", seed: int = 3) -> None:
        self.world = labs.world(version, replication, seed)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.srv = self.world.apps["EXCH"]

    def spec(
        self, name: str = "exch", *, host: str = "ex1", objects: tuple[str, ...] = (SG,), **app: Any
    ) -> Any:
        return self.orch.create_spec(
            {
                "name": name,
                "type": "exchange",
                "application_system": host,
                "backup_system": "bk1",
                "array": "eva1",
                "objects": list(objects),
                "application": {"omnirc": {"OB2VSS_EXCHANGE_WRITER_STABILIZATION": 0}, **app},
                "replication": {"snapshot_type": "snapclone", "replicas": 2},
            }
        )

    def busy(self, rounds: int = 6) -> None:
        labs.busy(self.srv, rounds)

    def logs(self, host: str = "ex1", root: str = "L:\\") -> list[str]:
        return [
            p.rsplit("\\", 1)[-1]
            for p in self.world.hosts.list_files(host, root)
            if p.endswith(".log")
        ]

    def messages(self, session: Any) -> str:
        return "\n".join(f"[{m.severity.name}] {m.text}" for m in session.messages)
