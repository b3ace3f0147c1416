"""The real VSS driver (vssadmin + diskshadow over a CommandRunner) against the VSS
simulator's doors: its own command building and parsing run unchanged."""

from __future__ import annotations

import pytest

from apprm_ref.drivers.vss import PERSISTENT, TRANSPORTABLE, VssDriver
from apprm_ref.errors import VssError
from apprm_ref.real.vss_diskshadow import DiskshadowVssDriver
from apprm_ref.sim.sqlserver.failures import hang_writer
from apprm_ref.sim.vss.runner import SimWindowsRunner
from apprm_ref.types import ReplicaType, TargetVolume, VolumeRef
from tests.vss.sqllab import VssLab

SQL_ID = "a65faa63-5ea8-4ebc-9dbd-a0c4db26912a"


def driver(lab: VssLab) -> tuple[DiskshadowVssDriver, SimWindowsRunner]:
    runner = SimWindowsRunner(lab.world, "win1")
    return DiskshadowVssDriver({"win1": runner}, {"win1": runner.write_file}), runner


def test_writers_and_their_state_come_from_vssadmin() -> None:
    lab = VssLab()
    drv, runner = driver(lab)
    assert isinstance(drv, VssDriver)
    svc = lab.vss()
    want = [(svc.status(w).writer_id, int(svc.status(w).state)) for w in svc.writers()]
    got = drv.writers("win1")
    assert [(w.writer_id, w.state) for w in got] == want
    assert got[-1].name == "SqlServerWriter" and got[-1].last_error == "S_OK"
    assert runner.calls == [["vssadmin", "list", "writers"]]


def test_a_writer_failed_at_freeze_reads_failed_with_its_error() -> None:
    lab = VssLab()
    lab.spec()
    hang_writer(lab.world, type("F", (), {"app": "sql1"})())
    lab.orch.run_backup("sqlspec")
    drv, _ = driver(lab)
    sql = drv.writers("win1")[-1]
    assert (sql.state, sql.state_text, sql.last_error) == (9, "Failed", "VSS_E_WRITERERROR_TIMEOUT")
    assert sql.failed


def test_writer_metadata_lists_the_sql_components_and_their_files() -> None:
    lab = VssLab()
    drv, _ = driver(lab)
    b = drv.backup("win1")
    b.initialize_for_backup()
    b.set_context(PERSISTENT)
    b.set_backup_state(True, "full")
    sql = next(w for w in b.gather_writer_metadata() if w.writer_id == SQL_ID)
    assert [(c.logical_path, c.name) for c in sql.components] == [
        ("WIN1", "hr"),
        ("WIN1", "sales"),
        ("WIN1", "stock"),
    ]
    sales = next(c for c in sql.components if c.name == "sales")
    assert sales.files == ("E:\\MSSQL\\sales.mdf", "F:\\MSSQL\\sales_log.ldf")
    assert sql.state == 1 and sql.instance_id


def _provider_backup(lab: VssLab, backup_type: str) -> list:  # type: ignore[type-arg]
    drv, runner = driver(lab)
    b = drv.backup("win1")
    b.initialize_for_backup()
    b.set_context(PERSISTENT | TRANSPORTABLE)
    b.set_backup_state(True, backup_type)
    b.gather_writer_metadata()
    b.add_component(SQL_ID, "WIN1", "sales")
    b.add_component(SQL_ID, "WIN1", "stock")
    b.start_snapshot_set()
    for vol in ("E:\\", "F:\\"):
        b.add_to_snapshot_set(vol)
    b.prepare_for_backup()
    b.do_snapshot_set()
    b.freeze()
    b.commit(None)
    if backup_type == "full":
        b.backup_complete()
    script = runner.read_file(runner.calls[-1][2]) or ""
    assert ("begin backup" in script) == (backup_type == "full")
    assert 'writer verify "SqlServerWriter:\\WIN1\\sales"' in script
    assert "set option transportable" in script
    return b.shadows()


@pytest.mark.rule("VC-I24")
def test_a_full_backup_script_ends_with_backup_complete_and_a_copy_without() -> None:
    lab = VssLab()
    shadows = _provider_backup(lab, "full")
    svc = lab.vss()
    assert sorted(s.shadow_id for s in shadows) == sorted(svc.shadows)
    assert {s.volume for s in shadows} == {"E:\\", "F:\\"}
    assert len({s.set_id for s in shadows}) == 1
    assert all(s.attributes & PERSISTENT and s.attributes & TRANSPORTABLE for s in shadows)
    assert {h[1] for h in lab.sql.backup_history} == {"sales", "stock"}
    lab2 = VssLab()
    _provider_backup(lab2, "copy")
    assert lab2.sql.backup_history == []  # no BackupComplete: no history, no truncation


def test_what_a_script_cannot_do_is_refused() -> None:
    lab = VssLab()
    drv, _ = driver(lab)
    b = drv.backup("win1")
    with pytest.raises(VssError) as bad:
        b.gather_writer_metadata()
    assert bad.value.code == "VSS_E_BAD_STATE"
    b.initialize_for_backup()
    b.set_context(PERSISTENT)
    with pytest.raises(VssError):
        b.set_backup_state(True, "incremental")  # diskshadow has FULL or COPY only
    b.set_backup_state(True, "full")
    b.gather_writer_metadata()
    b.start_snapshot_set()
    b.add_to_snapshot_set("G:\\")
    b.prepare_for_backup()
    b.do_snapshot_set()
    b.freeze()
    mine = [
        TargetVolume(
            VolumeRef("eva1", "vd0003"), VolumeRef("eva1", "vd0009"), ReplicaType.SNAPCLONE
        )
    ]
    with pytest.raises(VssError) as made:
        b.commit(mine)
    assert made.value.code == "E_NOTIMPL"
    assert lab.vss().shadows == {}  # nothing ran
    with pytest.raises(VssError) as rst:
        drv.restore("win1", "", [])
    assert rst.value.code == "E_NOTIMPL"
