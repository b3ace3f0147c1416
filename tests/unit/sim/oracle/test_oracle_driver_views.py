"""The simulator driver's one-pass answers (``database``, ``tablespaces``, ``datafiles``,
``last_archived_sequence``, ``file_layout``) are what the V$ rows they used to be read
from give, after every kind of change the database goes through, refusals included.

Two estates of one seed take the same steps: one is read through the driver, the other
through the views (the answer built row by row, as before the one-pass reads); after each
step both answers and both worlds' digests must agree, so the driver's reads neither
differ from the views nor leave a different world behind.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from apprm_ref.drivers.oracle import DatabaseInfo, DatafileInfo, RecoveryTarget, layout_of
from apprm_ref.errors import OracleError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.oracle import views as V
from apprm_ref.sim.oracle.driver import OracleSimDriver
from apprm_ref.sim.oracle.estate import MOUNTS, Estate, build_estate
from apprm_ref.sim.oracle.models import simple_layout

# --- the answers as the view rows give them ---------------------------------------------


def ref_database(drv: OracleSimDriver) -> DatabaseInfo:
    r = V.v_database(drv.db)[0]
    return DatabaseInfo(
        name=r["NAME"],
        dbid=r["DBID"],
        log_mode=r["LOG_MODE"],
        open_mode=r["OPEN_MODE"],
        controlfile_type=r["CONTROLFILE_TYPE"],
        open_resetlogs=r["OPEN_RESETLOGS"],
        checkpoint_change=r["CHECKPOINT_CHANGE#"],
        current_scn=r["CURRENT_SCN"],
        resetlogs_change=r["RESETLOGS_CHANGE#"],
        prior_resetlogs_change=r["PRIOR_RESETLOGS_CHANGE#"],
        incarnation=r["INCARNATION#"],
        status=drv.db.status,
    )


def ref_tablespaces(drv: OracleSimDriver) -> list[str]:
    return [r["NAME"] for r in V.v_tablespace(drv.db)]


def ref_datafiles(drv: OracleSimDriver) -> list[DatafileInfo]:
    ts = {r["TS#"]: r["NAME"] for r in V.v_tablespace(drv.db)}
    bk = {r["FILE#"]: r for r in V.v_backup(drv.db)}
    return [
        DatafileInfo(
            r["FILE#"],
            r["NAME"],
            ts[r["TS#"]],
            r["CHECKPOINT_CHANGE#"],
            bk[r["FILE#"]]["STATUS"],
            bk[r["FILE#"]]["CHANGE#"],
        )
        for r in V.v_datafile(drv.db)
    ]


def ref_last_archived(drv: OracleSimDriver) -> int:
    return max((r["SEQUENCE#"] for r in V.v_archived_log(drv.db)), default=0)


READS: dict[str, tuple[Callable[[OracleSimDriver], Any], Callable[[OracleSimDriver], Any]]] = {
    "database": (lambda d: d.database(), ref_database),
    "tablespaces": (lambda d: d.tablespaces(), ref_tablespaces),
    "datafiles": (lambda d: d.datafiles(), ref_datafiles),
    "last_archived_sequence": (lambda d: d.last_archived_sequence(), ref_last_archived),
    "file_layout": (lambda d: d.file_layout(), layout_of),
}


def outcome(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except OracleError as exc:
        return ("error", exc.code, str(exc), exc.stack)


# --- the changes, each through the database's own commands ------------------------------


def _snap_during_backup(e: Estate) -> None:
    e.db.archive_log_current()
    e.db.begin_backup()
    e.world.advance(5)
    e.db.workload(4)
    e.copies = e.array.snap(["vdata"])  # type: ignore[attr-defined]
    e.db.end_backup()
    e.db.archive_log_current()


def _crash_host(e: Estate) -> None:
    e.world.hosts.crash("db1")


def _boot_host(e: Estate) -> None:
    e.world.hosts.boot("db1")
    e.mount_all(tuple(vol for vol, _, _ in MOUNTS))


def _restore_replica(e: Estate) -> None:
    e.db.shutdown("ABORT")
    e.instant_recovery(e.copies)  # type: ignore[attr-defined]
    e.db.startup("MOUNT")


def _restore_controlfile(e: Estate) -> None:
    e.db.shutdown("ABORT")
    e.db.startup("NOMOUNT")
    e.db.restore_controlfile("/oraarch/ctlcp.ctl")


def _end_backup_datafile(e: Estate) -> None:
    e.db.begin_backup("USERS")
    no = min(no for no, f in e.db.cf["files"].items() if f["ts"] == "USERS")
    e.db.end_backup_datafiles([no])


def _crash_in_begin_backup(e: Estate) -> None:
    e.world.fault_plan.arm(FaultRule(site="oracle.crash"))
    with pytest.raises(OracleError):
        e.db.begin_backup()


def _purge_archives(e: Estate) -> None:
    e.world.advance(3600)
    e.db.delete_archived_logs(e.world.now() - 1800)


def _refuse(fn: Callable[[], Any]) -> None:
    with pytest.raises(OracleError):
        fn()


STEPS: list[tuple[str, Callable[[Estate], Any]]] = [
    ("created", lambda e: None),
    ("workload", lambda e: (e.world.advance(10), e.db.workload(8))),
    ("checkpoint", lambda e: e.db.checkpoint()),
    ("log switch", lambda e: e.db.switch_logfile()),
    ("archive log current", lambda e: e.db.archive_log_current()),
    ("begin backup", lambda e: e.db.begin_backup()),
    ("workload in backup mode", lambda e: (e.world.advance(10), e.db.workload(5))),
    ("begin backup refused (ORA-01146)", lambda e: _refuse(e.db.begin_backup)),
    ("end backup", lambda e: e.db.end_backup()),
    ("end backup again (ORA-01260)", lambda e: _refuse(e.db.end_backup)),
    ("begin backup of a tablespace", lambda e: e.db.begin_backup("USERS")),
    ("end backup of a tablespace", lambda e: e.db.end_backup("USERS")),
    ("end backup of one datafile", _end_backup_datafile),
    ("end backup of the rest", lambda e: _refuse(e.db.end_backup)),
    ("backup control file", lambda e: e.db.backup_controlfile("/oraarch/ctlcp.ctl", reuse=True)),
    ("hot backup replica", _snap_during_backup),
    ("more redo", lambda e: (e.db.workload(6), e.db.archive_log_current())),
    ("purge archived logs", _purge_archives),
    ("shutdown immediate", lambda e: e.db.shutdown("IMMEDIATE")),
    ("startup nomount", lambda e: e.db.startup("NOMOUNT")),
    ("mount", lambda e: e.db.mount()),
    ("noarchivelog", lambda e: e.db.set_log_mode("NOARCHIVELOG")),
    ("archivelog", lambda e: e.db.set_log_mode("ARCHIVELOG")),
    ("open", lambda e: e.db.open()),
    ("crash in begin backup", _crash_in_begin_backup),
    ("startup mount in backup mode", lambda e: e.db.startup("MOUNT")),
    ("end backup mounted", lambda e: e.db.end_backup()),
    ("open after the crash", lambda e: e.db.open()),
    ("host crash", _crash_host),
    ("host boot", _boot_host),
    ("crash recovery at startup", lambda e: e.db.startup()),
    ("instant recovery of the replica", _restore_replica),
    ("recover until now", lambda e: e.db.recover(RecoveryTarget.now())),
    ("open after recovery", lambda e: e.db.open()),
    ("restore the backup control file", _restore_controlfile),
    ("mount the backup control file", lambda e: e.db.mount()),
    (
        "recover using it",
        lambda e: e.db.recover(RecoveryTarget.until_cancel(), using_backup_controlfile=True),
    ),
    ("open resetlogs", lambda e: e.db.open(resetlogs=True)),
    ("new incarnation's redo", lambda e: (e.db.workload(4), e.db.archive_log_current())),
    ("shutdown abort", lambda e: e.db.shutdown("ABORT")),
]


def _estate() -> Estate:
    return build_estate(23, simple_layout(tablespaces=("SYSTEM", "USERS", "APP"), files_per_ts=2))


@pytest.mark.rule("PERF-P1")
def test_driver_reads_are_the_view_answers_after_every_change() -> None:
    fast, slow = _estate(), _estate()
    d_fast, d_slow = OracleSimDriver(fast.world, "PRD"), OracleSimDriver(slow.world, "PRD")
    kinds = set()
    for step, change in STEPS:
        change(fast)
        change(slow)
        for name, (read, ref) in READS.items():
            got = outcome(lambda: read(d_fast))  # noqa: B023 - called at once
            want = outcome(lambda: ref(d_slow))  # noqa: B023
            assert got == want, (step, name)
            kinds.add((name, type(got).__name__))
        assert fast.world.digest() == slow.world.digest(), step
    # every read was seen both answering and refusing
    for name in READS:
        assert (name, "tuple") in kinds, name
    assert {k for k in kinds if k[1] != "tuple"} and len(kinds) >= 2 * len(READS)


def test_datafiles_see_backup_mode_as_v_backup_does() -> None:
    e = _estate()
    drv = OracleSimDriver(e.world, "PRD")
    e.db.begin_backup("APP")
    got = {f.tablespace: f.backup_status for f in drv.datafiles()}
    assert got == {"SYSTEM": "NOT ACTIVE", "USERS": "NOT ACTIVE", "APP": "ACTIVE"}
    scn = e.db.scn
    assert {f.backup_change for f in drv.datafiles() if f.tablespace == "APP"} == {scn}
    e.db.end_backup("APP")
    assert all(f.backup_change == 0 for f in drv.datafiles())
