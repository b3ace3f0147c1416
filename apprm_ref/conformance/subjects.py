"""Conformance subjects by registered driver name: ``name -> factory(seed) -> Subject``.

Each factory builds a fresh simulated estate, sets aside the fixture an operator would set
aside on real equipment (source vdisks, LDEVs named in horcm.conf, a database, a host) and
hands the driver under test with it. The backdoor (ground truth) is attached too; the
suite only uses it outside observe-only mode. Plain functions, so a kind registry can point
at them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apprm_ref.conformance import sap_subjects, vss_subjects
from apprm_ref.conformance.suite import Subject
from apprm_ref.sim.storage import GIB, MIB, TIB
from apprm_ref.sim.world import World

SOURCES = 3  # source vdisks an EVA fixture sets aside (checks use two; one spare)
SOURCE_BYTES = 64 * MIB


@dataclass
class SnapFixture:
    """Source vdisks (unpresented), two host names and the disk groups to use."""

    sources: list[str]
    hosts: tuple[str, str]
    pool: str
    other_pool: str | None


@dataclass(frozen=True)
class PairSet:
    pvol: str
    svols: tuple[str, str, str]  # the S-VOL named for MU#0, #1, #2


@dataclass
class PairFixture:
    """P-VOLs with one S-VOL per MU (all named in the HORCM configuration), and a pair
    whose S-VOL differs in size from its P-VOL; ``cross`` names the first set's P-VOL as
    the S-VOL of another P-VOL's MU (a pairing that must be refused while it is paired)."""

    sets: list[PairSet]
    odd: tuple[str, str]
    cross: tuple[str, str, int]


@dataclass
class OracleFixture:
    scratch: str  # a directory on the database host for control-file copies


def _eva_world(seed: int) -> tuple[World, Any, list[str]]:
    from apprm_ref.sim.eva.backend import EvaBackend

    world = World(seed)
    eva = world.add_array(EvaBackend("conf-eva"))
    eva.add_disk_group("DG1", 8 * TIB)
    eva.add_disk_group("DG2", 2 * TIB)
    ids = [eva.create_vdisk(f"conf-fx-{n}", SOURCE_BYTES, "DG1").id for n in range(SOURCES)]
    return world, eva, ids


def sim_eva(seed: int = 0) -> Subject:
    from apprm_ref.conformance.sim_backdoors import EvaBackdoor
    from apprm_ref.sim.eva.driver import EvaDriver

    world, _, ids = _eva_world(seed)
    fixture = SnapFixture(ids, ("conf-h1", "conf-h2"), "DG1", "DG2")
    backdoor = EvaBackdoor(world, "conf-eva", "DG1")
    driver = EvaDriver(world, "conf-eva")
    return Subject("sim-eva", driver, fixture, world.clock.run_until, backdoor, now=world.now)


def eva_smis(seed: int = 0) -> Subject:
    from apprm_ref.conformance.eva_subjects import ObjectIdBackdoor, smis_driver
    from apprm_ref.conformance.sim_backdoors import EvaBackdoor

    world, _, ids = _eva_world(seed)
    backdoor = ObjectIdBackdoor(EvaBackdoor(world, "conf-eva", "DG1"))
    fixture = SnapFixture(
        [backdoor.device_id(v) for v in ids], ("conf-h1", "conf-h2"), "DG1", "DG2"
    )
    driver = smis_driver(world, "conf-eva")
    return Subject("eva-smis", driver, fixture, world.clock.run_until, backdoor, now=world.now)


def _xp_fixture(xp: Any) -> PairFixture:
    n = iter(range(0x100, 0x200))
    sets = []
    for _ in range(4):
        pvol = xp.add_ldev(next(n), 8).id
        sets.append(PairSet(pvol, tuple(xp.add_ldev(next(n), 8).id for _ in range(3))))  # type: ignore[arg-type]
    odd = (xp.add_ldev(next(n), 8).id, xp.add_ldev(next(n), 16).id)
    return PairFixture(sets, odd, (odd[0], sets[0].pvol, 1))


def _xp_world(seed: int) -> tuple[World, Any, PairFixture]:
    from apprm_ref.sim.xp.backend import XpBackend

    world = World(seed)
    xp = world.add_array(XpBackend("conf-xp"))
    return world, xp, _xp_fixture(xp)


def sim_xp(seed: int = 0) -> Subject:
    from apprm_ref.conformance.xp_subjects import XpBackdoor
    from apprm_ref.sim.xp.driver import XpDriver

    world, _, fixture = _xp_world(seed)
    driver = XpDriver(world, "conf-xp")
    backdoor = XpBackdoor(world, "conf-xp")
    return Subject("sim-xp", driver, fixture, world.clock.run_until, backdoor, now=world.now)


# RAID Manager addresses a pair through horcm.conf: a P-VOL (or S-VOL) missing from it is
# "no such device" to the driver before the array is ever asked; pair_info of a device the
# configuration does not hold reports SMPL (pairdisplay cannot tell it apart).
CCI_CODES: dict[str, str | None] = {
    "unknown-ldev": "EX_ENODEV",
    "unknown-ldev-info": "EX_ENLDEV",
    "unknown-pair-info": None,
    "mu-out-of-range": "EX_ENODEV",
    "same-ldev": "EX_ENODEV",
}


def xp_cci(seed: int = 0) -> Subject:
    from apprm_ref.conformance.xp_subjects import CONF, XpBackdoor
    from apprm_ref.real.xp_cci import XpCciDriver
    from apprm_ref.sim.xp.cci.runner import SimCciRunner

    world, xp, fixture = _xp_world(seed)
    confs = {
        0: CONF.format(mine=31000, other=31001, serial=xp.serial),
        1: CONF.format(mine=31001, other=31000, serial=xp.serial),
    }
    runner = SimCciRunner(world, confs, {"HORCMINST": "0", "HORCC_MRCF": "1"})
    backdoor = XpBackdoor(world, "conf-xp", runner)
    for s in fixture.sets:
        for mu, svol in enumerate(s.svols):
            backdoor.declare_pair(s.pvol, svol, mu)
    backdoor.declare_pair(*fixture.odd, 0)
    backdoor.declare_pair(*fixture.cross)
    driver = XpCciDriver(runner, 0, groups=["CONF"], now=world.now)
    codes = dict(CCI_CODES)
    return Subject("xp-cci", driver, fixture, world.clock.run_until, backdoor, codes, world.now)


class OracleBackdoor:
    """Ground truth of the simulated database: the world's digest."""

    def __init__(self, world: World) -> None:
        self.world = world

    def fingerprint(self) -> str:
        return self.world.digest()


def sim_oracle(seed: int = 0) -> Subject:
    from apprm_ref.sim.oracle.driver import OracleSimDriver
    from apprm_ref.sim.oracle.estate import build_estate

    e = build_estate(seed)
    driver = OracleSimDriver(e.world, "PRD")
    fixture = OracleFixture("/oraarch")
    return Subject("sim-oracle", driver, fixture, e.world.clock.run_until, OracleBackdoor(e.world))


def oracle_dbapi(seed: int = 0) -> Subject:
    from apprm_ref.real.oracle_dbapi import OracleDbapiDriver
    from apprm_ref.sim.oracle import dbapi, rman
    from apprm_ref.sim.oracle.estate import build_estate

    e = build_estate(seed)

    def connect(prelim: bool = False) -> Any:
        mode = dbapi.AUTH_MODE_SYSDBA | (dbapi.AUTH_MODE_PRELIM if prelim else 0)
        return dbapi.connect(
            "PRD", user="sys", password="change_on_install", mode=mode, world=e.world
        )

    driver = OracleDbapiDriver(connect, rman_fn=lambda script: rman.run(e.world, "PRD", script))
    fixture = OracleFixture("/oraarch")
    return Subject(
        "oracle-dbapi", driver, fixture, e.world.clock.run_until, OracleBackdoor(e.world)
    )


def sim_host(seed: int = 0) -> Subject:
    """An LVM host (volume groups) and an LVM backup system."""
    from apprm_ref.conformance.host_subjects import lvm_world

    return _host_subject("sim-host", *lvm_world(seed))


def sim_host_windows(seed: int = 0) -> Subject:
    """A Windows host (basic disks, NTFS, a drive letter and a mount folder) and a Windows
    backup system; conformance-only: the windows kind declares no driver of its own."""
    from apprm_ref.conformance.host_subjects import windows_world

    return _host_subject("sim-host-windows", *windows_world(seed))


def _host_subject(name: str, world: World, fixture: Any) -> Subject:
    from apprm_ref.conformance.host_subjects import HostBackdoor
    from apprm_ref.sim.host.driver import SimHostDriver

    driver = SimHostDriver(world)
    return Subject(name, driver, fixture, world.clock.run_until, HostBackdoor(world), fixture.codes)


SUBJECTS: dict[str, Callable[[int], Subject]] = {
    "sim-eva": sim_eva,
    "eva-smis": eva_smis,
    "sim-xp": sim_xp,
    "xp-cci": xp_cci,
    "sim-oracle": sim_oracle,
    "oracle-dbapi": oracle_dbapi,
    "sim-host": sim_host,
    "sim-host-windows": sim_host_windows,
    "sim-sap": sap_subjects.sim_sap,
    "sap-brtools": sap_subjects.sap_brtools,
    "sim-vss": vss_subjects.sim_vss,
    "sim-mssql": vss_subjects.sim_mssql,
    "vss-diskshadow": vss_subjects.vss_diskshadow,
    "sim-exchange": vss_subjects.sim_exchange,
}

# Subjects that no registered driver names: the Windows storage stack is served by the
# sim-host driver (SimHostDriver.stack), so the kind registry declares no driver for it.
CONFORMANCE_ONLY = ("sim-host-windows",)

__all__ = ["CONFORMANCE_ONLY", "GIB", "SUBJECTS", "Subject"]
