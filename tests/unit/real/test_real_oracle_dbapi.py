"""The real Oracle driver, run against the simulator's DB-API door: its SQL and parsing run
here, and it must observe exactly what the in-process simulator driver observes."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.drivers.oracle import OracleDriver
from apprm_ref.drivers.oracle import RecoveryTarget as RT
from apprm_ref.errors import OracleError
from apprm_ref.real.oracle_dbapi import OracleDbapiDriver
from apprm_ref.sim.oracle import dbapi, rman
from apprm_ref.sim.oracle.driver import OracleSimDriver
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.models import fold


def real_driver(e: Estate) -> OracleDbapiDriver:
    """The real driver built exactly as for python-oracledb, over the door's module object."""
    return OracleDbapiDriver.from_module(
        dbapi.module(e.world),
        dsn="db1:1521/PRD",
        user="sys",
        password="change_on_install",
        rman_fn=lambda script: rman.run(e.world, "PRD", script),
    )


def scenario(e: Estate, d: OracleDriver) -> tuple[Any, ...]:
    """Online ZDB, IR, recovery until a log sequence; returns what the driver observed."""
    e.db.workload(10)
    d.archive_log_current()
    for ts in d.tablespaces():
        d.begin_backup(ts)
    files = d.datafiles()
    d.backup_controlfile("/oraarch/ctlcp.ctl")
    copies = e.array.snap(["vdata"])
    for ts in d.tablespaces():
        d.end_backup(ts)
    d.archive_log_current()
    for _ in range(4):
        e.db.workload(5)
        d.switch_logfile()
    logs, archived = d.online_logs(), d.archived_logs()
    assert d.last_archived_sequence() == max(a.sequence for a in archived)
    history = list(e.db.history.commits)
    d.shutdown("IMMEDIATE")
    e.instant_recovery(copies)
    d.startup("MOUNT")
    headers = d.datafile_headers()
    target = archived[-2]
    result = d.recover(RT.until_sequence(target.sequence))
    with pytest.raises(OracleError) as exc:
        d.open()
    d.open(resetlogs=True)
    assert e.db.data() == fold(history, target.first_change)
    return (
        files, logs, archived, headers, result.end_scn, exc.value.code,
        d.database(), d.file_layout(), d.instance_status(), d.last_archived_sequence(),
    )  # fmt: skip


def test_real_driver_agrees_with_sim_driver() -> None:
    a, b = build_estate(21), build_estate(21)
    real = real_driver(b)
    assert isinstance(real, OracleDriver)
    assert scenario(a, OracleSimDriver(a.world, "PRD")) == scenario(b, real)


def test_errors_carry_ora_codes_and_stack() -> None:
    e = build_estate(1)
    d = real_driver(e)
    d.begin_backup("USERS")
    with pytest.raises(OracleError) as exc:
        d.begin_backup("USERS")
    assert exc.value.codes == ("ORA-01146", "ORA-01110")
    with pytest.raises(OracleError) as exc:
        d.shutdown("IMMEDIATE")
    assert exc.value.code == "ORA-01149"
    d.shutdown("ABORT")
    assert d.instance_status() == "SHUTDOWN"
    with pytest.raises(OracleError) as exc:
        d.startup()
    assert exc.value.code == "ORA-10873"
    with pytest.raises(OracleError) as exc:
        d.end_backup()  # SYSTEM was not in backup: a warning, USERS is ended anyway
    assert exc.value.code == "ORA-01260"
    d.open()
    assert d.instance_status() == "OPEN"


def test_restore_controlfile_through_rman_and_until_time() -> None:
    e = build_estate(8)
    d = real_driver(e)
    e.db.workload(5)
    d.begin_backup()
    d.backup_controlfile("/oraarch/c.ctl")
    copies = e.array.snap(["vdata"])
    d.end_backup()
    d.archive_log_current()
    e.world.advance(100)
    e.db.workload(5)
    stop = e.world.clock.datetime()
    e.world.advance(100)
    e.db.workload(5)
    d.archive_log_current()
    history = list(e.db.history.commits)
    d.shutdown("ABORT")
    e.instant_recovery(copies)
    d.startup("STARTED")
    d.restore_controlfile("/oraarch/c.ctl")
    d.mount()
    assert d.database().controlfile_type == "BACKUP"
    d.recover(RT.until_time(stop.replace(tzinfo=None)), using_backup_controlfile=True)
    d.open(resetlogs=True)
    cutoff = e.world.clock.seconds_of(stop)
    assert e.db.data() == fold([c for c in history if c.time < cutoff])


def _cancel_case(e: Estate, d: OracleDriver) -> tuple[Any, ...]:
    """Online backup restored, an archived log lost: UNTIL CANCEL stops before it."""
    e.db.workload(6)
    d.begin_backup()
    d.backup_controlfile("/oraarch/c.ctl")
    copies = e.array.snap(["vdata"])
    d.end_backup()
    for _ in range(6):
        e.db.workload(4)
        d.archive_log_current()
    lost = d.archived_logs()[-3]
    d.shutdown("ABORT")
    e.instant_recovery(copies)
    e.db.damage_archived_log(lost.sequence)
    d.startup("STARTED")
    d.restore_controlfile("/oraarch/c.ctl")
    d.mount()
    result = d.recover(RT.until_cancel(), using_backup_controlfile=True)
    d.open(resetlogs=True)
    return result.end_scn, e.db.data(), d.database(), lost.first_change


@pytest.mark.rule("WIRE-I4")
def test_real_driver_cancel_based_recovery_answers_as_oracle_does() -> None:
    """Over the door the driver sees ORA-00279 ... ORA-00308 and ends with RECOVER CANCEL;
    the outcome is the in-process driver's."""
    a, b = build_estate(4), build_estate(4)
    sim = _cancel_case(a, OracleSimDriver(a.world, "PRD"))
    real = _cancel_case(b, real_driver(b))
    assert sim == real
    assert b.db.data() == fold(list(b.db.history.commits), real[3])
