"""Instance states, backup mode, redo/archiving and persistence of the simulated database."""

from __future__ import annotations

import pytest

from apprm_ref.errors import HostError, OracleError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.models import fold
from apprm_ref.sim.world import World


def codes(exc: pytest.ExceptionInfo[OracleError]) -> tuple[str, ...]:
    return exc.value.codes


def test_create_workload_and_query(estate: Estate) -> None:
    db = estate.db
    commits = db.workload(30)
    assert [c.scn for c in commits] == list(range(commits[0].scn, commits[0].scn + 30))
    assert db.data() == fold(db.history.commits)
    assert estate.world.invariant_problems() == []


def test_refused_batch_changes_nothing(estate: Estate) -> None:
    db = estate.db
    db.transact([(("insert", "T_USERS", "a", "1"),)])
    before, scn = db.data(), db.scn
    with pytest.raises(OracleError) as exc:
        db.transact([(("insert", "T_USERS", "b", "2"),), (("insert", "T_USERS", "a", "3"),)])
    assert exc.value.code == "ORA-00001"
    assert (db.data(), db.scn) == (before, scn)


@pytest.mark.rule("OS-I1")
def test_scn_strictly_increases_and_archives_chain(estate: Estate) -> None:
    db = estate.db
    seen = []
    for i in range(12):
        seen += [c.scn for c in db.workload(5)]
        if i % 3 == 0:
            db.archive_log_current()
        else:
            db.switch_logfile()
    assert seen == sorted(set(seen))
    arch = sorted(db.cf["archives"], key=lambda a: a["seq"])
    assert all(a["next"] == b["first"] for a, b in zip(arch, arch[1:], strict=False))
    assert estate.world.invariant_problems() == []


@pytest.mark.rule("OS-I2")
def test_backup_mode_freezes_header_at_v_backup_change(estate: Estate) -> None:
    db = estate.db
    db.workload(10)
    begin = db.begin_backup("USERS")
    for _ in range(4):
        db.workload(10)
        db.switch_logfile()
    users = next(no for no, f in db.cf["files"].items() if f["ts"] == "USERS")
    system = next(no for no, f in db.cf["files"].items() if f["ts"] == "SYSTEM")
    assert db.backup_files() == {users: begin}
    assert db.read_header(db.cf["files"][users]["name"])["ckpt"] == begin
    assert db.read_header(db.cf["files"][system]["name"])["ckpt"] > begin
    assert estate.world.invariant_problems() == []


def test_backup_mode_errors(estate: Estate) -> None:
    db = estate.db
    db.begin_backup("USERS")
    with pytest.raises(OracleError) as exc:
        db.begin_backup("USERS")
    assert codes(exc) == ("ORA-01146", "ORA-01110")
    with pytest.raises(OracleError) as exc:
        db.begin_backup()
    assert exc.value.code == "ORA-01146"
    with pytest.raises(OracleError) as exc:
        db.end_backup("SYSTEM")
    assert exc.value.code == "ORA-01142"
    with pytest.raises(OracleError) as exc:
        db.end_backup()  # SYSTEM was not in backup: warning, but USERS is ended
    assert exc.value.code == "ORA-01260"
    assert db.backup_files() == {}


def test_noarchivelog_refuses_online_backup() -> None:
    from dataclasses import replace

    from apprm_ref.sim.oracle.models import simple_layout

    e = build_estate(layout=replace(simple_layout(), log_mode="NOARCHIVELOG"))
    with pytest.raises(OracleError) as exc:
        e.db.begin_backup()
    assert exc.value.code == "ORA-01123"


@pytest.mark.rule("OS-I8")
@pytest.mark.rule("OS-P10")
def test_crash_in_backup_mode_then_end_backup_and_open(estate: Estate) -> None:
    db = estate.db
    db.workload(20)
    db.begin_backup()
    db.workload(20)
    expected = fold(db.history.commits)
    for mode in ("NORMAL", "IMMEDIATE", "TRANSACTIONAL"):
        with pytest.raises(OracleError) as exc:
            db.shutdown(mode)
        assert exc.value.code == "ORA-01149"
        assert db.status == "OPEN"
    db.shutdown("ABORT")
    with pytest.raises(OracleError) as exc:
        db.startup()
    assert codes(exc)[0] == "ORA-10873"
    assert db.status == "MOUNTED"
    db.end_backup()
    db.open()
    assert db.data() == expected
    assert estate.world.invariant_problems() == []


def test_crash_recovery_keeps_every_commit(estate: Estate) -> None:
    db = estate.db
    for i in range(8):
        db.workload(15)
        if i == 3:
            db.switch_logfile()
    expected = fold(db.history.commits)
    db.shutdown("ABORT")
    db.startup()
    assert db.data() == expected
    db.workload(5)
    assert db.data() == fold(db.history.commits)


def test_host_crash_kills_instance(estate: Estate) -> None:
    db = estate.db
    db.workload(10)
    expected = fold(db.history.commits)
    estate.world.hosts.crash("db1")
    assert db.alive() is False
    estate.world.hosts.boot("db1")
    estate.mount_all(("vdata", "vctl", "varch"))
    db.startup()
    assert db.data() == expected


def test_running_instance_holds_its_filesystems(estate: Estate) -> None:
    with pytest.raises(HostError) as exc:
        estate.world.hosts.unmount("db1", "/oradata")
    assert exc.value.code == "EBUSY"
    estate.db.shutdown("IMMEDIATE")
    estate.world.hosts.unmount("db1", "/oradata")


def test_state_errors(estate: Estate) -> None:
    db = estate.db
    with pytest.raises(OracleError) as exc:
        db.startup()
    assert exc.value.code == "ORA-01081"
    with pytest.raises(OracleError) as exc:
        db.open()
    assert exc.value.code == "ORA-01531"
    db.shutdown("IMMEDIATE")
    with pytest.raises(OracleError) as exc:
        db.begin_backup()
    assert exc.value.code == "ORA-01034"
    db.startup("NOMOUNT")
    with pytest.raises(OracleError) as exc:
        db.open()
    assert exc.value.code == "ORA-01507"
    db.mount()
    with pytest.raises(OracleError) as exc:
        db.begin_backup()
    assert exc.value.code == "ORA-01109"
    db.open()


@pytest.mark.rule("OS-I7")
def test_unarchived_group_is_never_reused(estate: Estate) -> None:
    db, world = estate.db, estate.world
    world.fault_plan.arm(FaultRule(site="oracle.archive", times=0))
    db.workload(3)
    db.switch_logfile()  # seq 1 not archived
    with pytest.raises(OracleError):
        db.archive_log_current()  # seq 2: waits for the archiver, which fails
    assert [g["archived"] for g in db.cf["groups"].values()] == [False, False, False]
    seq = db.cf["cur_seq"]
    with pytest.raises(OracleError) as exc:
        db.switch_logfile()  # group 1 (seq 1) would be overwritten
    assert exc.value.code == "ORA-00257"
    assert db.cf["cur_seq"] == seq
    assert world.invariant_problems() == []
    world.fault_plan.disarm("oracle.archive")
    db.switch_logfile()
    assert {a["seq"] for a in db.cf["archives"]} >= {1}
    assert world.invariant_problems() == []


def test_log_full_switches_automatically(estate: Estate) -> None:
    db = estate.db
    seq = db.cf["cur_seq"]
    for _ in range(20):
        db.workload(2)
    assert db.cf["cur_seq"] > seq + 1
    assert len(db.cf["archives"]) >= 2


def test_fault_sites_leave_state_unchanged(estate: Estate) -> None:
    db, world = estate.db, estate.world
    world.fault_plan.arm(FaultRule(site="oracle.begin_backup", code="ORA-00600"))
    with pytest.raises(OracleError) as exc:
        db.begin_backup()
    assert exc.value.code == "ORA-00600"
    assert db.backup_files() == {}


def test_save_load_gives_equal_world(tmp_path) -> None:  # type: ignore[no-untyped-def]
    e = build_estate(seed=7)
    e.db.workload(10)
    e.db.begin_backup("USERS")
    e.db.workload(10)
    path = tmp_path / "w.json"
    e.world.save(path)
    loaded = World.load(path)
    assert loaded.digest() == e.world.digest()
    for w in (e.world, loaded):
        db = w.app("PRD")
        db.workload(7)
        db.end_backup("USERS")
        db.archive_log_current()
    assert loaded.digest() == e.world.digest()
    assert loaded.app("PRD").data() == e.db.data()


def test_workload_on_a_database_that_is_down_is_ora_01034(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A workload against a shut-down instance fails as Oracle does, not with a Python error."""
    import pytest as _pytest

    from apprm_ref.errors import OracleError
    from apprm_ref.sim.estate import build_world, default_estate

    world = build_world(default_estate(), 1)
    db = world.app("PROD")
    db.shutdown("IMMEDIATE") if hasattr(db, "shutdown") else db.drop_instance()
    with _pytest.raises(OracleError) as err:
        db.workload(5)
    assert err.value.code == "ORA-01034"
