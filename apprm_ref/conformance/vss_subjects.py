"""Conformance subjects of the VSS drivers: a Windows application system with SQL Server on an
EVA (VSS with the EVA hardware provider), the SQL writer's ``sales`` database (``E:``/``F:``)
set aside; the real driver (``vss-diskshadow``) runs its own scripts and parsing against the
simulator's ``diskshadow``/``vssadmin`` through :class:`~apprm_ref.sim.vss.runner.SimWindowsRunner`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.conformance.suite import Subject

ESTATE = r"""
arrays:
  - type: eva
    name: eva1
    disk_groups: [{name: DG1, capacity: 2TiB}]
    vdisks:
      - {name: sqldata, disk_group: DG1, size: 8GiB, present_to: [win1]}
      - {name: sqllog, disk_group: DG1, size: 4GiB, present_to: [win1]}
hosts:
  - name: win1
    os: windows
    storage: windows
    disks:
      - {disk: eva1/sqldata, partitions: [{size: 6GiB, mount: 'E:'}]}
      - {disk: eva1/sqllog, partitions: [{size: 3GiB, mount: 'F:'}]}
  - {name: winbk, os: windows, storage: windows, role: backup}
applications:
  - {type: vss, name: vss, hosts: [win1, winbk], providers: [{type: eva}]}
  - type: mssql
    name: sql1
    host: win1
    databases:
      - {name: sales, data: 'E:\MSSQL\sales.mdf', log: 'F:\MSSQL\sales_log.ldf'}
      - {name: stock, data: 'E:\MSSQL\stock.mdf', log: 'F:\MSSQL\stock_log.ldf'}
"""
SQL_WRITER = "a65faa63-5ea8-4ebc-9dbd-a0c4db26912a"


@dataclass
class VssFixture:
    """The host, a writer and its components (``logical path``, ``name``) and the volumes
    holding them, as an operator sets them aside on a real Windows host."""

    host: str
    writer_id: str
    writer: str
    components: tuple[tuple[str, str], ...]
    volumes: tuple[str, ...]


class VssBackdoor:
    """Ground truth: the world's digest."""

    def __init__(self, world: Any) -> None:
        self.world = world

    def fingerprint(self) -> str:
        return str(self.world.digest())


def _world(seed: int) -> Any:
    import yaml

    from apprm_ref.sim.estate import Estate, build_world

    return build_world(Estate.model_validate(yaml.safe_load(ESTATE)), seed=seed)


def _fixture() -> VssFixture:
    comps = (("WIN1", "sales"), ("WIN1", "stock"))
    return VssFixture("win1", SQL_WRITER, "SqlServerWriter", comps, ("E:\\", "F:\\"))


def _sim(name: str, app: str, seed: int) -> Subject:
    from apprm_ref.sim.sqlserver.vss_door import VssSimDriver

    world = _world(seed)
    driver = VssSimDriver(world, app)
    return Subject(name, driver, _fixture(), world.clock.run_until, VssBackdoor(world))


def sim_vss(seed: int = 0) -> Subject:
    return _sim("sim-vss", "vss", seed)


def sim_mssql(seed: int = 0) -> Subject:
    """The same door as the SQL Server kind's driver (its writer is the SQL writer)."""
    return _sim("sim-mssql", "sql1", seed)


def vss_diskshadow(seed: int = 0) -> Subject:
    """The real driver over the runner seam, the simulator's diskshadow behind it."""
    from apprm_ref.real.vss_diskshadow import DiskshadowVssDriver
    from apprm_ref.sim.vss.runner import SimWindowsRunner

    world = _world(seed)
    runner = SimWindowsRunner(world, "win1")
    driver = DiskshadowVssDriver({"win1": runner}, {"win1": runner.write_file})
    return Subject("vss-diskshadow", driver, _fixture(), world.clock.run_until, VssBackdoor(world))


@dataclass
class ExchangeFixture:
    """A storage group with an LCR copy, its mailbox database and a recovery group."""

    sg: str
    db: str
    rsg: str


def sim_exchange(seed: int = 0) -> Subject:
    from apprm_ref.sim.exchange import labs
    from apprm_ref.sim.exchange.driver import ExchangeSimDriver

    world = labs.world(2007, "lcr", seed=seed)
    driver = ExchangeSimDriver(world, "EXCH")
    fixture = ExchangeFixture("First Storage Group", "Mailbox Database", "Recovery Storage Group")
    return Subject("sim-exchange", driver, fixture, world.clock.run_until, VssBackdoor(world))
