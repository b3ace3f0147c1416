"""An EVA estate with the Oracle database ``PRD`` and the SAP system ``SAP_PRD`` on it, the
orchestrator over it and the SAP configuration of ``PRD`` stored (apprm sap config set)."""

from __future__ import annotations

from typing import Any

from apprm_ref.core.integrations import sap_config as sc
from apprm_ref.core.integrations.sap_recovery import SapRecoveryOptions
from apprm_ref.core.integrations.sap_store import RepoBackintStore
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
SPLIT_PROFILE = {
    "backup_type": "online_split",
    "backup_dev_type": "util_file",
    "split_cmd": "/opt/omni/lbin/splitint $",
    "primary_db": "PRD",
}


def xp_arrays() -> list[dict[str, Any]]:
    """XP: an LDEV per mount point, data and control volumes paired on MU 0."""
    ldevs = [{"id": f"00:1{i}", "size": "1GiB", "present_to": ["app1"]} for i in range(4)]
    ldevs += [{"id": "00:20", "size": "1GiB"}, {"id": "00:21", "size": "1GiB"}]
    pairs = [
        {"pvol": "00:10", "svol": "00:20", "mu": 0},
        {"pvol": "00:11", "svol": "00:21", "mu": 0},
    ]
    return [{"type": "xp", "name": "xp1", "ldevs": ldevs, "pairs": pairs}]


def estate(
    profile: dict[str, str] | None = None, utl: dict[str, str] | None = None, array: str = "eva"
) -> Estate:
    disks = {v: f"eva1/{v}" for v, _ in MOUNTS}
    if array == "xp":
        disks = {v: f"xp1/00:1{i}" for i, (v, _) in enumerate(MOUNTS)}
    vdisks = [
        {"name": v, "disk_group": "DG1", "size": "1GiB", "present_to": ["app1"]} for v, _ in MOUNTS
    ]
    groups = [
        {
            "name": f"vg{v}",
            "disks": [disks[v]],
            "lvs": [{"name": "lv1", "size": "512MiB", "mount": mp}],
        }
        for v, mp in MOUNTS
    ]
    eva = {"type": "eva", "name": "eva1", "disk_groups": [{"name": "DG1", "capacity": "2TiB"}]}
    doc: dict[str, Any] = {
        "arrays": xp_arrays() if array == "xp" else [{**eva, "vdisks": vdisks}],
        "hosts": [{"name": "app1", "volume_groups": groups}, {"name": "bk1", "role": "backup"}],
        "applications": [{"type": "oracle", "name": "PRD", "host": "app1"}],
    }
    doc["applications"].append(
        {
            "type": "sap",
            "name": "SAP_PRD",
            "database": "PRD",
            "profile": {**SPLIT_PROFILE, **(profile or {})},
            "utl": utl or {},
        }
    )
    return Estate.model_validate(doc)


def configure(repo: Any, sid: str = "PRD", host: str = "app1") -> sc.SapConfig:
    cfg = sc.SapConfig(sid, host)
    for name, value in (
        ("ORACLE_HOME", "/oractl"),
        ("SAPDATA_HOME", "/oractl"),
        ("BRTOOLS_HOME", "/usr/sap/PRD/SYS/exe/run"),
    ):
        sc.put_option(cfg, name, value, None)
    repo.save_config(cfg.to_app_config())
    return cfg


class SapLab:
    def __init__(self, seed: int = 5, **kw: Any) -> None:
        self.array = "xp1" if kw.get("array") == "xp" else "eva1"
        self.world = build_world(estate(**kw), seed=seed)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.db = self.world.apps["PRD"]
        self.sap = self.world.apps["SAP_PRD"]
        self.ora = self.drivers.apps["PRD"]
        self.brtools = self.drivers.apps["SAP_PRD"]
        self.store = RepoBackintStore(self.repo)
        configure(self.repo)

    def spec(
        self,
        name: str = "sap",
        mode: str = "online",
        replication: dict[str, Any] | None = None,
        **application: Any,
    ) -> None:
        replication = replication or {}
        self.orch.create_spec(
            {
                "name": name,
                "type": "sap",
                "application_system": "app1",
                "backup_system": "bk1",
                "array": self.array,
                "objects": ["PRD"],
                "mode": mode,
                "replication": {"mount": False, **replication},
                "application": application,
            }
        )

    def backup(self, name: str = "sap"):  # type: ignore[no-untyped-def]
        return self.orch.run_backup(name)

    def restore(self, ref: str, **opts: Any):  # type: ignore[no-untyped-def]
        return self.orch.restore(ref, RestoreOptions(keep_replica=True), SapRecoveryOptions(**opts))

    def work(self, epochs: int = 3, n: int = 5) -> None:
        for _ in range(epochs):
            self.world.advance(60)
            self.db.workload(n)

    def expected(self, below_scn: int | None = None) -> dict:
        return fold(self.db.history.commits, below_scn)

    def messages(self, session) -> str:  # type: ignore[no-untyped-def]
        return "\n".join(f"{m.severity} {m.code} {m.text}" for m in session.messages)
