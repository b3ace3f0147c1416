"""A Windows application system with SQL Server on an EVA, a Windows backup system, VSS on
both with the EVA hardware provider, and an orchestrator over the simulator drivers."""

from __future__ import annotations

from typing import Any

import yaml

from apprm_ref.core.service import Orchestrator
from apprm_ref.idb.engine import make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.sim.build import build_world, sim_drivers
from apprm_ref.sim.estate import Estate

ESTATE = r"""
arrays:
  - type: eva
    name: eva1
    disk_groups: [{name: DG1, capacity: 2TiB}]
    vdisks:
      - {name: sqldata, disk_group: DG1, size: 8GiB, present_to: [win1]}
      - {name: sqllog, disk_group: DG1, size: 4GiB, present_to: [win1]}
      - {name: hrdisk, disk_group: DG1, size: 4GiB, present_to: [win1]}
      - {name: files, disk_group: DG1, size: 4GiB, present_to: [win1]}
hosts:
  - name: win1
    os: windows
    storage: windows
    disks:
      - {disk: eva1/sqldata, partitions: [{size: 6GiB, mount: 'E:'}]}
      - {disk: eva1/sqllog, partitions: [{size: 3GiB, mount: 'F:'}]}
      - {disk: eva1/hrdisk, partitions: [{size: 3GiB, mount: 'G:'}]}
      - disk: eva1/files
        partitions:
          - {size: 3GiB, mount: 'H:', files: [{path: 'H:\share\report.doc', size: 4MiB, fill: v1}]}
  - {name: winbk, os: windows, storage: windows, role: backup}
applications:
  - {type: vss, name: vss, hosts: [win1, winbk], providers: [{type: eva}]}
  - type: mssql
    name: sql1
    host: win1
    databases:
      - {name: sales, data: 'E:\MSSQL\sales.mdf', log: 'F:\MSSQL\sales_log.ldf'}
      - {name: stock, data: 'E:\MSSQL\stock.mdf', log: 'F:\MSSQL\stock_log.ldf'}
      - {name: hr, data: 'G:\MSSQL\hr.mdf', log: 'G:\MSSQL\hr_log.ldf'}
"""


class VssLab:
    def __init__(self, seed: int = 3) -> None:
        self.world = build_world(Estate.model_validate(yaml.safe_load(ESTATE)), seed=seed)
        self.drivers = sim_drivers(self.world)
        self.repo = SqlRepository(make_engine("sqlite://"))
        self.orch = Orchestrator(self.drivers, self.repo, self.world.env)
        self.sql = self.world.apps["sql1"]

    def spec(self, name: str = "sqlspec", **kw: Any) -> Any:
        data = {
            "name": name,
            "type": "mssql",
            "application_system": "win1",
            "array": "eva1",
            "objects": ["sales", "stock", "hr"],
            "replication": {"snapshot_type": "snapclone", "replicas": 2},
        }
        data.update(kw)
        return self.orch.create_spec(data)

    def vss(self) -> Any:
        from apprm_ref.sim.vss.backend import vss_service

        return vss_service(self.world, "win1")

    def states(self) -> dict[str, tuple[int, str]]:
        svc = self.vss()
        return {
            w.key.split("/", 1)[1]: (int(svc.status(w).state), svc.status(w).last_error)
            for w in svc.writers()
        }

    def messages(self, session: Any) -> str:
        return "\n".join(m.text for m in session.messages)
