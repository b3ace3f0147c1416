"""ZDB of an SAP system through BR*Tools, and instant recovery with BRRECOVER (oracle-sap.md
§7.2-7.3, §9.3; sap-vss-addendum.md SAP-10, SAP-13, SAP-16): the simulator's BRBACKUP
calls the product's split command, inside which the replica is made, and the product's
backint; BRRECOVER recovers after IR, restoring missing archives with BRRESTORE -a."""

from __future__ import annotations

import pytest

from apprm_ref.core.session import SessionStatus
from apprm_ref.sim.oracle.models import fold

from .sap_lab import SapLab


def _in_backup(lab: SapLab) -> list[str]:
    return [f.name for f in lab.ora.datafiles() if f.backup_status == "ACTIVE"]


@pytest.mark.rule("OS-P14")
def test_online_split_makes_the_replica_inside_the_split_window() -> None:
    """OS-P14: BEGIN and END BACKUP pair up, the replica is made while every datafile is in
    backup mode, the detail log is .anf, rc 0 with every file #SAVED, nothing left ACTIVE."""
    lab = SapLab()
    lab.work()
    lab.spec()
    seen: list[list[str]] = []
    made = lab.drivers.arrays["eva1"].create_replicas

    def spy(reqs):  # type: ignore[no-untyped-def]
        seen.append([f.backup_status for f in lab.ora.datafiles()])
        return made(reqs)

    lab.drivers.arrays["eva1"].create_replicas = spy
    session = lab.backup()
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    assert seen == [["ACTIVE", "ACTIVE"]]
    text = lab.messages(session)
    assert text.count("begin backup' successful") == text.count("end backup' successful") == 2
    (replica,) = lab.repo.list_replicas(spec="sap")
    log = replica.details["sap"]["detail_log"]
    assert log.endswith(".anf") and replica.details["sap"]["rc"] == 0
    detail = lab.brtools.read_log(log)
    assert "#SAVED.... APPRM" in detail and "BR0052I BRBACKUP completed successfully" in detail
    summary = lab.brtools.read_log("backPRD.log").splitlines()[-1].split()
    assert summary[:2] == log.split(".") and summary[6] == "0"
    assert _in_backup(lab) == []
    saved = {c.path for c in lab.store.copies("PRD")}
    assert {f.name for f in lab.ora.datafiles()} <= saved


@pytest.mark.rule("OS-P14")
@pytest.mark.parametrize("where", ["array", "backint"])
def test_a_failing_split_or_device_leaves_nothing_in_backup_mode(where: str) -> None:
    """OS-P14 with faults: the array refusing the replica inside the split (BRBACKUP sees a
    failed split, BR0289E) or backint failing every file: the session fails, no replica
    stays, no tablespace is in backup mode, the database stays open."""
    from apprm_ref.errors import EvaError

    lab = SapLab()
    lab.work()
    lab.spec()
    if where == "array":

        def refuse(reqs):  # type: ignore[no-untyped-def]
            raise EvaError("disk group full", code="EVA_NO_SPACE")

        lab.drivers.arrays["eva1"].create_replicas = refuse
    else:
        lab.brtools.files.read = _unreadable  # type: ignore[method-assign]
    session = lab.backup()
    assert session.status == SessionStatus.FAILED, lab.messages(session)
    assert _in_backup(lab) == []
    assert lab.repo.list_replicas(spec="sap") == []
    assert lab.ora.database().status == "OPEN"
    if where == "array":
        assert "BR0289E" in lab.messages(session)


def _unreadable(path: str) -> bytes:
    raise OSError(5, "I/O error", path)


@pytest.mark.rule("OS-P16")
def test_ir_then_brrecover_until_time_brings_back_the_rows_committed_before_it() -> None:
    lab = SapLab()
    lab.work()
    lab.spec()
    assert lab.backup().status == SessionStatus.COMPLETED
    for _ in range(3):
        lab.work(2)
        lab.db.switch_logfile()
    (replica,) = lab.repo.list_replicas(spec="sap")
    times = sorted({c.time for c in lab.db.history.commits if c.time > replica.created_at})
    stop = float(int(times[len(times) // 2]) + 1)  # BR*Tools name a whole second
    expected = fold([c for c in lab.db.history.commits if c.time < stop])
    assert expected != fold(lab.db.history.commits)
    done = lab.restore(replica.id, until="time", time=stop)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert "-t dbpit -pit" in lab.messages(done)
    assert lab.db.data() == expected


def _archives_saved_and_deleted(lab: SapLab) -> None:
    """Production's BRARCHIVE -sd after more work: archives only in the backint store."""
    for _ in range(3):
        lab.work(2)
        lab.db.switch_logfile()
    res = lab.brtools.brarchive(
        ["-u", "/", "-c", "force", "-sd", "-d", "util_file"], store=lab.store
    )
    assert res.rc == 0, res.output
    assert not [p for p in lab.world.hosts.list_files("app1", "/oraarch") if p.endswith(".arc")]


@pytest.mark.rule("OS-P16")
def test_ir_with_archives_missing_on_disk_restores_them_with_brrestore_a() -> None:
    """OS-P16: archived logs gone from saparch are restored by BRRESTORE -a <range> from
    the product's backint store, and the complete recovery reaches the last commit."""
    lab = SapLab()
    lab.work()
    lab.spec(archive="save_delete")
    assert lab.backup().status == SessionStatus.COMPLETED
    _archives_saved_and_deleted(lab)
    expected = fold(lab.db.history.commits)
    (replica,) = lab.repo.list_replicas(spec="sap")
    done = lab.restore(replica.id)
    text = lab.messages(done)
    assert done.status == SessionStatus.COMPLETED, text
    assert "-t complete" in text and "BR0402I BRRESTORE completed successfully" in text
    assert "-f restore" in text  # through the product's backint
    assert lab.db.data() == expected


@pytest.mark.rule("OS-P16")
def test_a_device_other_than_the_archive_backups_fails_the_recovery() -> None:
    """OS-P16 / S-6: brrecover -d disk cannot find archives saved through backint: BRRESTORE
    fails, BRRECOVER ends rc 5, the IR session fails and the database is not opened."""
    lab = SapLab()
    lab.work()
    lab.spec(archive="save_delete")
    assert lab.backup().status == SessionStatus.COMPLETED
    _archives_saved_and_deleted(lab)
    (replica,) = lab.repo.list_replicas(spec="sap")
    done = lab.restore(replica.id, device="disk")
    assert done.status == SessionStatus.FAILED
    assert "BR0404I BRRESTORE terminated with errors" in lab.messages(done)
    assert lab.ora.database().status != "OPEN"


def test_recovery_options_brrecover_cannot_do_are_refused_before_anything_stops() -> None:
    lab = SapLab()
    lab.work()
    lab.spec()
    assert lab.backup().status == SessionStatus.COMPLETED
    (replica,) = lab.repo.list_replicas(spec="sap")
    done = lab.restore(replica.id, until="cancel")
    assert done.status == SessionStatus.FAILED and "until cancel" in lab.messages(done)
    assert lab.ora.database().status == "OPEN"


@pytest.mark.rule("OS-P14")
def test_offline_split_on_xp_splits_while_the_database_is_down() -> None:
    """offline_split on XP: BRBACKUP shuts the database down, the pairs are split inside the
    split command (control files and online logs in the replica), the database is open
    again, the detail log is .aff; IR then opens it with no log needed."""
    lab = SapLab(array="xp", profile={"backup_type": "offline_split"})
    lab.work()
    lab.spec(mode="offline")
    seen: list[str] = []
    xp = lab.drivers.arrays["xp1"]
    split = xp.pair_split

    def spy(pairs, **kw):  # type: ignore[no-untyped-def]
        seen.append(lab.db.status)
        return split(pairs, **kw)

    xp.pair_split = spy
    session = lab.backup()
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    assert seen == ["SHUTDOWN"]
    (replica,) = lab.repo.list_replicas(spec="sap")
    assert len(replica.targets) == 2 and replica.details["sap"]["detail_log"].endswith(".aff")
    assert lab.ora.database().status == "OPEN"
    at_backup = fold(lab.db.history.commits)
    lab.work(2)
    done = lab.restore(replica.id, recover=False)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert "Database opened without recovery" in lab.messages(done)
    assert lab.db.data() == at_backup


def test_scheduled_sap_spec_runs_and_rotates_its_replicas() -> None:
    """A scheduled SAP spec: three hourly sessions through BRBACKUP, rotation keeping the
    spec's two replicas (the oldest deleted), nothing left in backup mode."""
    from apprm_ref.core.scheduler import Scheduler
    from apprm_ref.core.specs import ScheduleEntry

    lab = SapLab()
    lab.orch.create_spec(
        {
            "name": "sap",
            "type": "sap",
            "application_system": "app1",
            "array": "eva1",
            "objects": ["PRD"],
            "replication": {"mount": False, "snapshot_type": "snapclone", "replicas": 2},
            "schedules": [ScheduleEntry(start="01:00", repeat_hours=1).model_dump()],
        }
    )
    sched = Scheduler(lab.world.env, lab.world.clock.epoch, lab.orch.start_backup)
    sched.run(lab.repo.list_specs(), 4 * 3600 - 1)
    lab.world.env.run(until=4 * 3600)
    sessions = [s for s in lab.repo.list_sessions(spec="sap")]
    assert [s.status for s in sessions] == [SessionStatus.COMPLETED] * 3, [
        lab.messages(s) for s in sessions
    ]
    active = lab.repo.list_replicas(spec="sap", status="active")
    assert [r.sequence for r in active] == [2, 3]
    assert _in_backup(lab) == []


@pytest.mark.rule("OS-I18")
def test_online_split_with_util_file_online_runs_backint_file_online() -> None:
    """util_file_online in a split run: BRBACKUP announces BR0142I and calls backint -t
    file_online for the database files; the split files need no tablespace switch (SAP-9),
    and nothing is left in backup mode."""
    lab = SapLab(profile={"backup_dev_type": "util_file_online"})
    lab.work()
    lab.spec(device="util_file_online")
    session = lab.backup()
    text = lab.messages(session)
    assert session.status == SessionStatus.COMPLETED, text
    assert "BR0142I" in text and "-f backup -t file_online" in text
    assert _in_backup(lab) == []


def test_keep_current_control_files_and_redo_logs_across_the_ir() -> None:
    """SAP-16 / OS-I15: the current control files, online logs and the SPFILE are copied to
    the SAP configuration's TMP_DIR before the volumes are overwritten and back after;
    BRRECOVER's complete recovery then reaches the last commit."""
    lab = SapLab()
    lab.work()
    lab.spec()
    assert lab.backup().status == SessionStatus.COMPLETED
    lab.work(2)
    expected = fold(lab.db.history.commits)
    (replica,) = lab.repo.list_replicas(spec="sap")
    done = lab.restore(replica.id, keep_current_cf_olf=True)
    text = lab.messages(done)
    assert done.status == SessionStatus.COMPLETED, text
    assert "copied to /var/opt/omni/tmp" in text and "copied back" in text
    kept = lab.world.hosts.list_files("app1", "/var/opt/omni/tmp")
    assert any("spfile" in p for p in kept) and any("control" in p for p in kept)
    assert lab.db.data() == expected


@pytest.mark.rule("OS-P14")
@pytest.mark.parametrize(
    "site", ["oracle.end_backup", "oracle.begin_backup", "oracle.crash", "oracle.log_switch"]
)
def test_oracle_faults_inside_brbackup_leave_nothing_in_backup_mode(site: str) -> None:
    """OS-P14 with the Oracle simulator's fault sites firing inside BRBACKUP's bracket (an
    END BACKUP refused, a BEGIN BACKUP refused, the instance crashing after BEGIN BACKUP, a
    log switch failing): whatever BRBACKUP leaves, the session ends with no datafile in
    backup mode, no replica it does not keep, and the database open again."""
    from apprm_ref.sim.faults import FaultRule

    lab = SapLab()
    lab.work()
    lab.spec()
    lab.world.fault_plan.arm(FaultRule(site, nth=1, code="ORA-00600", message="injected"))
    session = lab.backup()
    assert not lab.db.in_backup_mode(), lab.messages(session)
    if session.status != SessionStatus.COMPLETED:
        assert lab.repo.list_replicas(spec="sap") == []
    assert lab.db.status == "OPEN" and _in_backup(lab) == []
