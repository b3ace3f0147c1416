"""An EVA estate with one Oracle database and the orchestrator over it.

Volumes: ``data1`` -> /oradata (datafiles), ``ctl1`` -> /oractl (control files, online logs,
SPFILE), ``arch1`` -> /oraarch (archives; not replicated), ``tmp1`` -> /var/opt/omni/tmp
(keep-current copies, control-file copies). ``colocate`` moves control files or the SPFILE
onto /oradata to exercise the IR configuration check.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import build_world, sim_drivers
from apprm_ref.sim.estate import Estate
from apprm_ref.sim.oracle.models import fold

MOUNTS = (
    ("data1", "/oradata"),
    ("ctl1", "/oractl"),
    ("arch1", "/oraarch"),
    ("tmp1", "/var/opt/omni/tmp"),
)


def estate(colocate: str | None = None) -> Estate:
    app: dict[str, Any] = {"type": "oracle", "name": "PRD", "host": "app1"}
    if colocate == "controlfile":
        app["control_files"] = ["/oradata/control01.ctl", "/oractl/control02.ctl"]
    if colocate == "spfile":
        app["spfile"] = "/oradata/spfile.ora"
    return Estate.model_validate(
        {
            "arrays": [
                {
                    "type": "eva",
                    "name": "eva1",
                    "disk_groups": [{"name": "DG1", "capacity": "2TiB"}],
                    "vdisks": [
                        {"name": v, "disk_group": "DG1", "size": "1GiB", "present_to": ["app1"]}
                        for v, _ in MOUNTS
                    ],
                }
            ],
            "hosts": [
                {
                    "name": "app1",
                    "volume_groups": [
                        {
                            "name": f"vg{v}",
                            "disks": [f"eva1/{v}"],
                            "lvs": [{"name": "lv1", "size": "512MiB", "mount": mp}],
                        }
                        for v, mp in MOUNTS
                    ],
                },
                {"name": "bk1", "role": "backup"},
            ],
            "applications": [app],
        }
    )


class OracleLab:
    def __init__(self, colocate: str | None = None, seed: int = 5) -> None:
        self.world = build_world(estate(colocate), seed=seed)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.db = self.world.apps["PRD"]
        self.ora = self.drivers.apps["PRD"]
        self.events: list[tuple[float, str]] = []
        self.world.subscribe(lambda ev: self.events.append((ev.at, ev.kind)))

    def spec(
        self,
        name: str = "ora",
        mode: str = "online",
        *,
        replication: dict[str, Any] | None = None,
        **application: Any,
    ) -> None:
        self.orch.create_spec(
            {
                "name": name,
                "type": "oracle",
                "application_system": "app1",
                "backup_system": "bk1",
                "array": "eva1",
                "objects": ["PRD"],
                "mode": mode,
                "replication": {"mount": False, **(replication or {})},
                "application": application,
            }
        )

    def backup(self, name: str = "ora"):  # type: ignore[no-untyped-def]
        return self.orch.run_backup(name)

    def restore(self, ref: str, *, keep_replica: bool = True, **opts: Any):  # type: ignore[no-untyped-def]
        """IR by copy-back, keeping the replica so a test can restore it again."""
        return self.orch.restore(
            ref, RestoreOptions(keep_replica=keep_replica), OracleRecoveryOptions(**opts)
        )

    def work(self, epochs: int = 3, n: int = 5) -> None:
        for _ in range(epochs):
            self.world.advance(60)
            self.db.workload(n)

    def expected(self, below_scn: int | None = None) -> dict:
        return fold(self.db.history.commits, below_scn)

    def active(self, spec: str = "ora"):  # type: ignore[no-untyped-def]
        return self.repo.list_replicas(spec=spec, status=ReplicaStatus.ACTIVE)

    def messages(self, session) -> str:  # type: ignore[no-untyped-def]
        return "\n".join(f"{m.code} {m.text}" for m in session.messages)

    def read(self, path: str) -> tuple:
        return self.world.hosts.read_file("app1", path)
