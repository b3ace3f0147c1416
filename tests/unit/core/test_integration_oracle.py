"""The Oracle integration end to end: online/offline ZDB on the EVA simulator, the IR
configuration check, instant recovery followed by database recovery."""

from __future__ import annotations

import pytest
from oracle_lab import OracleLab

from apprm_ref.core.integrations.oracle_config import (
    decode_keep_name,
    make_config,
    parse_options,
)
from apprm_ref.errors import ApprmError, ConfigError, HostError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import SessionStatus


def order(lab: OracleLab, *kinds: str) -> list[float]:
    """The time of the first event of each kind; fails if one is missing."""
    out = []
    for kind in kinds:
        out.append(next(i for i, (_, k) in enumerate(lab.events) if k == kind))
    return out


@pytest.mark.rule("OS-I13")
@pytest.mark.rule("OS-I14")
@pytest.mark.rule("OS-I10")
def test_online_zdb_backup_mode_only_around_the_replica() -> None:
    lab = OracleLab()
    lab.orch.repo.save_config(make_config(
        sid="PRD", host="app1", oracle_home="/oracle/10g", user="system", password="manager",
        ctlcp_location="/var/opt/omni/tmp", seal=lambda p: "fernet:sealed",
    ).to_app_config())  # fmt: skip
    lab.spec()
    lab.work()
    session = lab.backup()
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    assert lab.db.backup_files() == {}
    begin, ctl, end, arch = order(
        lab,
        "oracle.begin_backup",
        "oracle.backup_controlfile",
        "oracle.end_backup",
        "oracle.archive",
    )
    snap = next(i for i, (_, k) in enumerate(lab.events) if k == "eva.create" and i > begin)
    assert begin < ctl < snap < end  # control-file copy, then the replica, inside backup mode
    assert any(k == "oracle.archive" for _, k in lab.events[end:])  # archived after END BACKUP
    assert arch < begin  # and the current log was archived before BEGIN BACKUP
    (replica,) = lab.active()
    assert {t.source.volume for t in replica.targets} == {
        lab.drivers.host.volumes_under("app1", "/oradata/system01.dbf")[0].volume
    }  # datafile volumes only: no control file, online log or archive volume
    details = replica.details["oracle"]
    assert details["ctlcp"].startswith("/var/opt/omni/tmp/ctrlPRD_")
    assert details["min_recovery_scn"] > details["begin_scn"]
    assert session.backup_mode_seconds >= 0


@pytest.mark.rule("OS-P3")
@pytest.mark.rule("OS-I12")
def test_ir_then_complete_recovery_loses_nothing() -> None:
    lab = OracleLab()
    lab.spec()
    lab.work()
    session = lab.backup()
    lab.world.hosts.create_file("app1", "/oradata/notes.txt", 1)
    lab.work(4)
    lab.db.switch_logfile()
    lab.work(2)
    expected, inc = lab.expected(), len(lab.db.cf["incarnations"])
    restore = lab.restore(session.id, until="now")
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    assert lab.db.status == "OPEN"
    assert lab.db.data() == expected
    assert len(lab.db.cf["incarnations"]) == inc
    assert not lab.world.hosts.file_exists("app1", "/oradata/notes.txt")  # whole volume reverted


@pytest.mark.rule("OS-P1")
def test_ir_until_scn_and_refusals_before_anything_stops() -> None:
    lab = OracleLab()
    lab.spec()
    lab.work()
    session = lab.backup()
    lab.work(4)
    (replica,) = lab.active()
    mrp = replica.details["oracle"]["min_recovery_scn"]
    for opts, code in (
        ({"until": "scn", "scn": mrp - 1}, "ORA-01195"),
        ({"until": "now", "open_resetlogs": True}, "ORA-01139"),
        ({"until": "scn", "scn": mrp + 5, "open_resetlogs": False}, "ORA-01589"),
        ({"until": "time"}, "BAD_OPTION"),
    ):
        refused = lab.restore(session.id, **opts)
        assert refused.status == SessionStatus.FAILED
        assert code in lab.messages(refused)
        assert lab.db.status == "OPEN"  # refused up front: the database kept running
    x = mrp + 7
    expected = lab.expected(x)
    done = lab.restore(session.id, until="scn", scn=x)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.db.data() == expected
    assert "RESETLOGS" in lab.messages(done)


@pytest.mark.rule("OS-P7")
@pytest.mark.rule("OS-I11")
@pytest.mark.parametrize("check_order", ["before", "after"])
def test_controlfile_with_datafiles_aborts_unless_included(check_order: str) -> None:
    lab = OracleLab(colocate="controlfile")
    lab.spec("ora", check_order=check_order)
    session = lab.backup("ora")
    assert session.status == SessionStatus.FAILED
    assert "ZDB_ORA_CHECKCONF_IR" in lab.messages(session)
    assert lab.active() == []
    assert lab.db.status == "OPEN" and lab.db.backup_files() == {}
    lab.spec("ora2", ZDB_ORA_INCLUDE_CF_OLF=1)
    ok = lab.backup("ora2")
    assert ok.status == SessionStatus.COMPLETED, lab.messages(ok)
    (replica,) = lab.active("ora2")
    ctl_vol = lab.drivers.host.volumes_under("app1", "/oractl/control02.ctl")[0].volume
    assert ctl_vol in {t.source.volume for t in replica.targets}


@pytest.mark.rule("OS-P8")
def test_spfile_with_datafiles_aborts_unless_included_and_ir_overwrites_it() -> None:
    lab = OracleLab(colocate="spfile")
    lab.spec("ora")
    assert lab.backup("ora").status == SessionStatus.FAILED
    lab.spec("ora2", ZDB_ORA_INCLUDE_SPF=1)
    session = lab.backup("ora2")
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    before = lab.read("/oradata/spfile.ora")
    params = dict(before[0][1][1])
    edited = ("ORA_SPF", ("{}", tuple(sorted({**params, "comment": "edited"}.items()))))
    lab.world.hosts.write_file("app1", "/oradata/spfile.ora", {0: edited})
    assert lab.read("/oradata/spfile.ora") != before
    lab.work()
    done = lab.restore(session.id, until="now")
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.read("/oradata/spfile.ora") == before


@pytest.mark.rule("OS-P9")
@pytest.mark.rule("OS-I13")
def test_replica_failure_after_begin_backup_still_ends_backup_mode() -> None:
    lab = OracleLab()
    lab.spec()
    lab.world.fault_plan.arm(FaultRule(site="eva.create", code="EVA_FAILURE"))
    session = lab.backup()
    assert session.status == SessionStatus.FAILED
    kinds = [k for _, k in lab.events]
    assert kinds.index("oracle.begin_backup") < kinds.index("oracle.end_backup")
    assert lab.db.backup_files() == {}
    assert lab.active() == []
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("OS-P6")
def test_offline_replica_with_cf_olf_opens_without_recovery() -> None:
    lab = OracleLab()
    lab.spec(mode="offline", ZDB_ORA_INCLUDE_CF_OLF=1)
    lab.work()
    expected = lab.expected()
    session = lab.backup()
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    assert lab.db.status == "OPEN"
    lab.work(3)
    done = lab.restore(session.id, recover=False)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.db.status == "OPEN"
    assert lab.db.data() == expected


@pytest.mark.rule("OS-P17")
@pytest.mark.rule("OS-I15")
def test_keep_current_controlfiles_and_logs() -> None:
    lab = OracleLab()
    lab.spec(ZDB_ORA_INCLUDE_CF_OLF=1)
    lab.work()
    session = lab.backup()
    lab.work(3)
    expected = lab.expected()
    lab.db.shutdown("IMMEDIATE")
    files = ["/oractl/control01.ctl", "/oractl/control02.ctl", "/oractl/redo01a.log"]
    before = {f: lab.read(f) for f in files}
    lab.db.startup()
    done = lab.restore(session.id, until="now", keep_current_cf_olf=True)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.db.data() == expected
    lab.db.shutdown("IMMEDIATE")
    after = {f: lab.read(f) for f in files}
    # the online logs are byte-identical to the pre-IR ones (the replica's were overwritten)
    assert {f: after[f] for f in files if "redo" in f} == {
        f: before[f] for f in files if "redo" in f
    }
    kept = lab.world.hosts.list_files("app1", "/var/opt/omni/tmp")
    assert {decode_keep_name(k) for k in kept} >= set(files)
    lab.db.startup()
    lab.world.advance(24 * 3600)  # the copy-back of the first IR completes
    # a second IR fails after the replica overwrote the control files: copies stay, decodable
    real_copy = lab.drivers.host.copy_file

    def failing(host: str, src: str, dst: str) -> None:
        if src.startswith("/var/opt/omni/tmp/"):
            raise HostError("temp area unavailable", code="EIO")
        real_copy(host, src, dst)

    lab.drivers.host.copy_file = failing  # type: ignore[method-assign]
    failed = lab.restore(session.id, until="now", keep_current_cf_olf=True)
    assert failed.status == SessionStatus.FAILED, lab.messages(failed)
    kept2 = lab.world.hosts.list_files("app1", "/var/opt/omni/tmp")
    assert set(kept) < set(kept2)  # copies of the earlier session are still there
    replica_cf = lab.db.read_controlfile("/oractl/control01.ctl")
    assert replica_cf is not None and replica_cf["ckpt_scn"] < lab.db.history.commits[-1].scn


@pytest.mark.rule("OS-I16")
def test_replica_not_in_the_zdb_database_cannot_be_restored() -> None:
    lab = OracleLab()
    lab.spec()
    with pytest.raises(ApprmError):
        lab.restore("ora#99", until="now")
    assert lab.db.status == "OPEN"


@pytest.mark.rule("OS-P5")
def test_missing_archive_is_reported_clearly() -> None:
    lab = OracleLab()
    lab.spec()
    lab.work()
    session = lab.backup()
    for _ in range(4):
        lab.work(1)
        lab.db.switch_logfile()
    (replica,) = lab.active()
    lost = next(
        a
        for a in lab.db.cf["archives"]
        if a["seq"] == replica.details["oracle"]["archived_through"] + 1
    )
    lab.db.damage_archived_log(lost["seq"])
    done = lab.restore(session.id, until="now")
    assert done.status == SessionStatus.FAILED
    text = lab.messages(done)
    assert "missing" in text and lost["name"] in text and "ORA-00308" in text
    assert lab.db.status == "MOUNTED"


@pytest.mark.rule("OS-I14")
@pytest.mark.rule("OS-P4")
def test_backup_controlfile_when_current_ones_are_lost() -> None:
    lab = OracleLab()
    lab.spec(ctlcp_location="/var/opt/omni/tmp")
    lab.work()
    session = lab.backup()
    lab.work(3)
    lab.db.switch_logfile()
    lab.work(2)
    expected, inc = lab.expected(), len(lab.db.cf["incarnations"])
    lab.db.shutdown("ABORT")
    for cf in ("/oractl/control01.ctl", "/oractl/control02.ctl"):
        lab.world.hosts.write_file("app1", cf, {0: None})  # current control files lost
    done = lab.restore(session.id, until="now", use_backup_controlfile=True)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.db.data() == expected
    assert len(lab.db.cf["incarnations"]) == inc + 1


@pytest.mark.rule("REL-I3")
def test_configuration_never_keeps_a_clear_password(tmp_path, monkeypatch) -> None:
    from apprm_ref import credentials
    from apprm_ref.core.integrations.oracle_config import password_of

    def seal(p: str) -> str:
        return credentials.encrypt(p, tmp_path)

    cfg = make_config(
        sid="PRD", host="app1", oracle_home="/o", user="system", password="s3cret", seal=seal
    )
    stored = cfg.to_app_config()
    assert "s3cret" not in repr(stored) and "s3cret" not in repr(cfg)
    assert cfg.target.password_ref.startswith("fernet:")
    assert password_of(cfg.target, tmp_path) == "s3cret"
    with pytest.raises(ConfigError):
        make_config(sid="PRD", host="app1", oracle_home="/o", user="internal", password="x")
    with pytest.raises(ConfigError, match="no secret store"):
        make_config(sid="PRD", host="app1", oracle_home="/o", user="system", password="x")
    monkeypatch.setenv("PW", "from-env")
    env = make_config(sid="PRD", host="a", oracle_home="/o", user="system", password_ref="env:PW")
    assert env.target.password_ref == "env:PW" and password_of(env.target, tmp_path) == "from-env"


def test_spec_options_validated() -> None:
    assert parse_options({"ZDB_ORA_INCLUDE_CF_OLF": 1}, spec_name="x").include_cf_olf
    assert parse_options({"ZDB_ORA_INCLUDE_SPF": True}, spec_name="x").include_spf
    for raw, field in (
        ({"ZDB_ORA_INCLUDE_CF_OLF": 2}, "application.ZDB_ORA_INCLUDE_CF_OLF"),
        ({"backup_mode": "file"}, "application.backup_mode"),
        ({"colour": 1}, "application.colour"),
    ):
        with pytest.raises(ConfigError) as exc:
            parse_options(raw, spec_name="x")
        assert exc.value.field == field


@pytest.mark.rule("OS-P2")
@pytest.mark.rule("OS-I9")
def test_ir_until_time_and_until_sequence() -> None:
    lab = OracleLab()
    lab.spec()
    lab.work()
    session = lab.backup()
    for _ in range(4):
        lab.work(2)
        lab.db.switch_logfile()
    (replica,) = lab.active()
    times = sorted(
        {
            c.time
            for c in lab.db.history.commits
            if c.scn > replica.details["oracle"]["min_recovery_scn"]
        }
    )
    stop = times[len(times) // 2]
    expected = lab.expected()
    expected_t = [c for c in lab.db.history.commits if c.time < stop]
    done = lab.restore(session.id, until="time", time=stop)
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    from apprm_ref.sim.oracle.models import fold

    assert lab.db.data() == fold(expected_t)
    assert lab.db.data() != expected
    lab2 = OracleLab(seed=6)
    lab2.spec()
    lab2.work()
    s2 = lab2.backup()
    for _ in range(4):
        lab2.work(2)
        lab2.db.switch_logfile()
    seq = lab2.db.cf["archives"][-2]
    expected_s = lab2.expected(seq["first"])
    done = lab2.restore(s2.id, until="sequence", sequence=seq["seq"])
    assert done.status == SessionStatus.COMPLETED, lab2.messages(done)
    assert lab2.db.data() == expected_s
    assert lab2.db.cf["cur_seq"] == 1


def test_nothing_left_in_backup_mode_is_visible_with_the_instance_down() -> None:
    lab = OracleLab()
    lab.db.begin_backup()
    lab.db.shutdown("ABORT")
    assert lab.db.in_backup_mode()
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("OS-P4")
@pytest.mark.rule("OS-I10")
def test_cf_olf_replica_without_keep_forces_backup_controlfile_and_resetlogs() -> None:
    """Reference 4.1: IR overwrites control files and online logs; redo only in the lost
    online log is gone, everything archived is recovered, RESETLOGS is mandatory."""
    lab = OracleLab()
    lab.spec(ZDB_ORA_INCLUDE_CF_OLF=1)
    lab.work()
    session = lab.backup()
    for _ in range(3):
        lab.work(2)
        lab.db.switch_logfile()
    lab.work(2)  # only in the current online log
    last = lab.db.cf["archives"][-1]
    expected, inc = lab.expected(last["next"]), len(lab.db.cf["incarnations"])
    refused = lab.restore(session.id, until="now", open_resetlogs=False)
    assert refused.status == SessionStatus.FAILED and "ORA-01589" in lab.messages(refused)
    done = lab.restore(session.id, until="now")
    assert done.status == SessionStatus.COMPLETED, lab.messages(done)
    assert lab.db.data() == expected
    assert len(lab.db.cf["incarnations"]) == inc + 1
    assert not any(
        a["name"]
        for a in lab.db.cf["archives"]
        if "/oractl" in a["name"] or "/oradata" in a["name"]
    )
