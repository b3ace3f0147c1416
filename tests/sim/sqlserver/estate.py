"""A Windows host on an EVA with SQL Server: data on E:, logs on F:, a third database on G:."""

from __future__ import annotations

from typing import Any

import yaml

from apprm_ref.sim.estate import Estate, build_world
from apprm_ref.sim.sqlserver.estate import SqlServerCfg, build_sqlserver

ESTATE = """
arrays:
  - type: eva
    name: eva1
    disk_groups: [{name: DG1, capacity: 2TiB}]
    vdisks:
      - {name: sqldata, disk_group: DG1, size: 8GiB, present_to: [win1]}
      - {name: sqllog, disk_group: DG1, size: 4GiB, present_to: [win1]}
      - {name: hrdata, disk_group: DG1, size: 4GiB, present_to: [win1]}
hosts:
  - name: win1
    os: windows
    storage: windows
    disks:
      - {disk: eva1/sqldata, partitions: [{size: 6GiB, mount: 'E:'}]}
      - {disk: eva1/sqllog, partitions: [{size: 3GiB, mount: 'F:'}]}
      - {disk: eva1/hrdata, partitions: [{size: 3GiB, mount: 'G:'}]}
  - {name: winbk, os: windows, storage: windows, role: backup}
"""
SQL = {
    "type": "mssql",
    "name": "sql1",
    "host": "win1",
    "databases": [
        {"name": "sales", "data": "E:\\MSSQL\\sales.mdf", "log": "F:\\MSSQL\\sales_log.ldf"},
        {"name": "stock", "data": "E:\\MSSQL\\stock.mdf", "log": "F:\\MSSQL\\stock_log.ldf"},
        {"name": "hr", "data": "G:\\MSSQL\\hr.mdf", "log": "G:\\MSSQL\\hr_log.ldf"},
    ],
}


def sql_world(seed: int = 0, **overrides: Any) -> tuple[Any, Any]:
    world = build_world(Estate.model_validate(yaml.safe_load(ESTATE)), seed)
    inst = build_sqlserver(world, SqlServerCfg.model_validate({**SQL, **overrides}))
    return world, inst
