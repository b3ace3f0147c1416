"""Exchange backups through the VSSBAR flow: storage-group specs, the consistency check of the
replica on the backup system, log truncation, one backup per storage group, the writer
stabilisation wait, and the passive-copy backup of LCR/CCR."""

from __future__ import annotations

import pytest

from apprm_ref.errors import ConfigError
from apprm_ref.sim.exchange import faults
from apprm_ref.sim.exchange.replication import replay_point
from apprm_ref.types import SessionStatus, Severity

from .exlab import DB, SG, ExchangeLab


def _closed(lab, host="ex1"):
    return {n for n in lab.logs(host) if n != "E00.log"}


@pytest.mark.rule("VC-P6")
def test_a_full_backup_truncates_the_logs_and_a_copy_backup_does_not():
    lab = ExchangeLab()
    lab.busy(8)
    lab.spec("copy", backup_type="copy")
    lab.spec("full")
    before = _closed(lab)
    assert lab.orch.run_backup("copy").status == SessionStatus.COMPLETED
    assert _closed(lab) >= before  # nothing went
    hdr = lab.srv.files("ex1").header("E:\\SG1\\Mailbox Database.edb")
    assert hdr["previous_full"] is None
    session = lab.orch.run_backup("full")
    assert session.status == SessionStatus.COMPLETED
    after = _closed(lab)
    assert after < before | after and before - after
    assert lab.srv.files("ex1").header("E:\\SG1\\Mailbox Database.edb")["previous_full"]


@pytest.mark.rule("VC-I20")
@pytest.mark.rule("VC-P6")
def test_a_corrupt_page_found_by_the_consistency_check_fails_the_backup_and_keeps_the_logs():
    lab = ExchangeLab()
    lab.busy(8)
    lab.spec(consistency_check=True)
    faults.bad_page(lab.srv, SG, DB)
    before = _closed(lab)
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.FAILED
    text = lab.messages(session)
    assert (
        "[MAJOR] Consistency check of storage group First Storage Group failed: eseutil /k" in text
    )
    assert "error -1018 (JET_errReadVerifyFailure" in text
    assert "its transaction logs are not truncated" in text
    assert _closed(lab) >= before  # no log truncated
    assert lab.repo.list_replicas() == [] or all(
        r.status == "deleted" for r in lab.repo.list_replicas()
    )
    assert lab.srv.files("ex1").header("E:\\SG1\\Mailbox Database.edb")["previous_full"] is None


def _two_groups():
    from apprm_ref.core.service import Orchestrator
    from apprm_ref.idb.engine import make_engine
    from apprm_ref.idb.repository import SqlRepository
    from apprm_ref.sim.build import sim_drivers
    from apprm_ref.sim.estate import Estate, build_world
    from apprm_ref.sim.exchange import labs

    doc = labs.estate(2007)
    sgs = doc["applications"][1]["storage_groups"]
    second = dict(sgs[0], name="Second Storage Group", log_path="L:\\SG2", data_path="E:\\SG2")
    second["databases"] = [{"name": "Sales Database", "messages": 3}]
    sgs.append(second)
    lab = ExchangeLab.__new__(ExchangeLab)
    lab.world = build_world(Estate.model_validate(doc), 3)
    lab.drivers = sim_drivers(lab.world)
    lab.repo = SqlRepository(make_engine("sqlite://"))
    lab.orch = Orchestrator(lab.drivers, lab.repo, lab.world.env)
    lab.srv = lab.world.apps["EXCH"]
    return lab


@pytest.mark.rule("VC-I20")
def test_a_failed_check_skips_truncation_for_that_storage_group_only():
    lab = _two_groups()
    lab.busy(12)
    lab.spec(consistency_check=True, objects=(SG, "Second Storage Group"))
    faults.bad_page(lab.srv, "Second Storage Group", "Sales Database")
    files = lab.srv.files("ex1")
    sg1, sg2 = lab.srv.sg(SG), lab.srv.sg("Second Storage Group")
    before1 = set(files.closed_logs(sg1, sg1.active, 2007))
    before2 = set(files.closed_logs(sg2, sg2.active, 2007))
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED_FAILURE
    status = {o.name: o.status for o in session.objects}
    assert status == {SG: "Completed", "Second Storage Group": "Failed"}
    assert set(files.closed_logs(sg2, sg2.active, 2007)) >= before2  # kept
    assert set(files.closed_logs(sg1, sg1.active, 2007)) < before1  # truncated
    assert session.replica_id is not None


@pytest.mark.rule("VC-I19")
@pytest.mark.rule("VC-P14")
def test_two_sessions_on_one_storage_group_queue_and_never_overlap():
    lab = _two_groups()
    lab.busy(6)
    lab.spec("both", objects=(SG, "Second Storage Group"))
    lab.spec("second", objects=("Second Storage Group",))
    env = lab.world.env
    first, second = lab.orch.start_backup("both"), lab.orch.start_backup("second")
    env.run(until=env.now + 1e-9)
    assert any(s.status == SessionStatus.QUEUING for s in lab.orch.running.values())
    env.run(until=env.all_of([first, second]))
    a, b = sorted((first.value, second.value), key=lambda s: s.finished)
    assert a.status == b.status == SessionStatus.COMPLETED
    started_b = min(m.at for m in b.messages if "started for specification" in m.text)
    assert a.finished is not None and started_b >= a.finished  # In Progress never overlap


def test_the_writer_stabilisation_wait_is_10_minutes_unless_omnirc_says_otherwise():
    lab = ExchangeLab()
    lab.busy(4)
    lab.orch.create_spec(
        {
            "name": "default",
            "type": "exchange",
            "application_system": "ex1",
            "array": "eva1",
            "objects": [SG],
            "replication": {"snapshot_type": "snapclone", "replicas": 2},
        }
    )
    lab.spec("none")  # OB2VSS_EXCHANGE_WRITER_STABILIZATION: 0
    quick = lab.orch.run_backup("none")
    slow = lab.orch.run_backup("default")
    assert "stabilize" not in lab.messages(quick)
    assert "Waiting 10 minutes for the Exchange writer to stabilize" in lab.messages(slow)
    waited = next(m.at for m in slow.messages if "stabilize" in m.text)
    assert slow.finished - waited >= 600 > quick.finished - quick.started


@pytest.mark.parametrize(
    ("app", "message"),
    [
        ({"copy": "both"}, "must be active or passive"),
        ({"consistency_check": "yes"}, "must be true or false"),
        ({"omnirc": {"OB2VSS_EXCHANGE_WRITER_STABILIZATION": -1}}, "minutes from 0"),
        ({"omnirc": {"OTHER": 1}}, "omnirc takes only"),
    ],
)
def test_bad_options_are_refused_at_spec_creation(app, message):
    lab = ExchangeLab()
    with pytest.raises(ConfigError, match=message):
        lab.spec(**app)


@pytest.mark.rule("VC-P20")
def test_a_ccr_passive_copy_backup_truncates_the_logs_of_both_copies():
    lab = ExchangeLab(2007, "ccr")
    lab.busy(8)
    lab.spec(host="ex2", copy="passive", consistency_check=True)
    sg = lab.srv.sg(SG)
    point = replay_point(lab.srv, sg)
    before1, before2 = _closed(lab, "ex1"), _closed(lab, "ex2")
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    assert "Microsoft Exchange Replica Writer" in lab.messages(session)
    for host, before in (("ex1", before1), ("ex2", before2)):
        gens = set(
            lab.srv.files(host).closed_logs(
                sg, sg.copy("active" if host == "ex1" else "passive"), 2007
            )
        )
        assert gens and min(gens) == point and _closed(lab, host) < before
    # the active copy's header holds the passive backup
    assert lab.srv.files("ex1").header("E:\\SG1\\Mailbox Database.edb")["previous_full"][:2] == (
        point,
        point,
    )


def test_a_passive_copy_backup_of_a_group_without_a_copy_is_refused():
    lab = ExchangeLab()
    lab.spec(copy="passive")
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.FAILED
    assert any(m.severity == Severity.CRITICAL for m in session.messages)
