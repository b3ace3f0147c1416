"""A SQL Server instance of the estate (``applications: - type: mssql``) and its builder.

    applications:
      - type: mssql
        name: sql1                 # the world application
        host: win1                 # a Windows host (storage: windows)
        instance: MSSQLSERVER      # the default instance (a named one: SERVER\\NAME)
        databases:
          - {name: sales, data: 'E:\\MSSQL\\DATA\\sales.mdf', log: 'F:\\MSSQL\\LOG\\sales_log.ldf',
             size: 16MiB, log_size: 64MiB}

The files are made by ``CREATE DATABASE`` on the host's NTFS volumes, so a layout the host
cannot hold fails with the host's or the server's own error.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from apprm_ref.errors import ConfigError
from apprm_ref.sim.estate import Size
from apprm_ref.sim.sqlserver.instance import SqlServerInstance
from apprm_ref.sim.storage import MIB

MIN_LOG_BLOCKS = 4  # header and three log blocks: less cannot hold a checkpoint cycle


class SqlDatabaseCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str
    data: str  # the .mdf path
    log: str  # the .ldf path
    size: Size = 16 * MIB
    log_size: Size = 64 * MIB


class SqlServerCfg(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    type: Literal["mssql"]
    name: str
    host: str
    instance: str = "MSSQLSERVER"
    version: str = "Microsoft SQL Server 2005"
    databases: list[SqlDatabaseCfg] = Field(default_factory=list)


def build_sqlserver(world: Any, cfg: SqlServerCfg) -> SqlServerInstance:
    where = f"applications.{cfg.name}"
    host = world.hosts.host(cfg.host)
    if host.storage != "windows":
        raise ConfigError(f"SQL Server runs on a Windows host; {cfg.host} is not one", field=where)
    inst = world.add_app(SqlServerInstance(cfg.name, cfg.host, cfg.instance, cfg.version))
    inst.running = True
    for i, d in enumerate(cfg.databases):
        data, log = (
            _blocks(world, cfg.host, d.data, d.size),
            _blocks(world, cfg.host, d.log, d.log_size),
        )
        if log < MIN_LOG_BLOCKS:
            raise ConfigError(
                f"log_size holds {log} blocks; at least {MIN_LOG_BLOCKS}",
                field=f"{where}.databases.{i}.log_size",
            )
        inst.create_database(d.name, d.data, d.log, data_blocks=max(data, 2), log_blocks=log)
    return inst


def _blocks(world: Any, host_name: str, path: str, size: int) -> int:
    """Extents of the volume holding ``path`` that ``size`` takes (rounded up)."""
    hosts = world.hosts
    mnt = hosts.mount_of(host_name, path)[0]
    dev = hosts.host(host_name).device_by_wwn(mnt.vg)
    array = world.arrays[dev.array]
    extent = array.volume_extent_bytes(dev.volume) if hasattr(array, "volume_extent_bytes") else MIB
    return int(-(-size // extent))
