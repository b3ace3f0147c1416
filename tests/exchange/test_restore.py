"""Instant recovery of Exchange replicas: a storage group comes back with exactly the mailbox
contents of the replica's instant (log replay at mount), single databases only where the
configuration check allows, the consistency check before IR, and the LCR/CCR steps."""

from __future__ import annotations

import pytest

from apprm_ref.core.integrations.exchange_options import ExchangeRecoveryOptions
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.sim.exchange import faults
from apprm_ref.types import SessionStatus

from .exlab import DB, SG, ExchangeLab

SWITCH = RestoreOptions(method="switch")


def _backed_up(lab, **app):
    lab.busy(8)
    lab.spec(**app)
    expect = lab.srv.data()
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    lab.busy(5)  # mail keeps arriving after the backup
    assert lab.srv.data() != expect
    return session, expect


@pytest.mark.rule("VC-P9")
def test_2003_storage_group_instant_recovery_brings_back_the_replica_instant():
    lab = ExchangeLab(2003)
    session, expect = _backed_up(lab, consistency_check=True)
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions())
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    assert lab.srv.data() == expect
    hdr = lab.srv.files("ex1").header("E:\\SG1\\Mailbox Store.edb")
    assert hdr["state"] == "Dirty Shutdown"  # mounted again, attached to the stream


def test_one_2003_database_sharing_its_volume_cannot_be_restored_alone():
    lab = ExchangeLab(2003)
    session, _ = _backed_up(lab)
    before = lab.srv.data()
    restore = lab.orch.restore(
        session.id, SWITCH, ExchangeRecoveryOptions(components=(f"{SG}\\Mailbox Store",))
    )
    assert restore.status == SessionStatus.FAILED
    assert "only the whole replica can be restored" in lab.messages(restore)
    assert lab.srv.data() == before  # nothing changed


def test_the_consistency_check_before_ir_refuses_a_replica_with_a_bad_page():
    lab = ExchangeLab()
    lab.busy(8)
    faults.bad_page(lab.srv, SG, DB)
    lab.spec()  # backed up without the check
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED
    before = lab.world.hosts.read_file("ex1", "E:\\SG1\\Mailbox Database.edb")
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions(check_before_ir=True))
    assert restore.status == SessionStatus.FAILED
    text = lab.messages(restore)
    assert "error -1018 (JET_errReadVerifyFailure" in text and "nothing was restored" in text
    assert lab.world.hosts.read_file("ex1", "E:\\SG1\\Mailbox Database.edb") == before


def test_ccr_instant_recovery_of_a_passive_copy_replica_moves_the_server_and_reseeds():
    lab = ExchangeLab(2007, "ccr")
    lab.busy(8)
    lab.spec(host="ex2", copy="passive", consistency_check=True)
    expect = lab.srv.copy_contents(SG, "passive")[DB]  # the passive copy at its replay point
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED
    lab.busy(5)
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions())
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    text = lab.messages(restore)
    for step in ("Suspend-StorageGroupCopy", "now the active copy", "Update-StorageGroupCopy"):
        assert step in text
    assert lab.srv.host == "ex2" and lab.srv.data()[f"{SG}/{DB}"] == expect
    sg = lab.srv.sg(SG)
    assert sg.active.host == "ex2" and sg.passive.host == "ex1" and not sg.suspended
    lab.busy(4)  # replication runs again, to the other node
    assert lab.srv.copy_contents(SG, "passive")[DB]
    assert set(lab.srv.files("ex1").closed_logs(sg, sg.passive, 2007))


def test_ccr_instant_recovery_of_the_active_copy_suspends_and_reseeds():
    lab = ExchangeLab(2007, "ccr")
    session, expect = _backed_up(lab, consistency_check=True)
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions())
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    assert lab.srv.host == "ex1" and lab.srv.data() == expect
    passive = lab.srv.copy_contents(SG, "passive")[DB]
    assert passive == expect[f"{SG}/{DB}"]  # reseeded from the restored database


def test_a_restore_to_a_replicated_group_without_suspending_is_refused_by_the_writer():
    from apprm_ref.sim.exchange.writer import ExchangeWriter
    from apprm_ref.sim.vss.writers import Event, WriterContext
    from apprm_ref.sim.vss.xmldoc import BcdComponent

    lab = ExchangeLab(2007, "ccr")
    writer = ExchangeWriter(lab.world, "EXCH", "ex1", "Microsoft Exchange Writer")
    sg = lab.srv.sg(SG)
    comp = BcdComponent("x", sg.guid, database=True)
    ctx = WriterContext(Event.PRE_RESTORE, "ex1", components=[comp], world=lab.world)
    assert writer.handle(ctx) is False and ctx.failure == "VSS_E_WRITERERROR_NONRETRYABLE"
    assert lab.srv.mounted  # nothing dismounted


def test_a_replica_whose_group_failed_its_check_is_not_offered():
    lab = ExchangeLab()
    lab.busy(8)
    replica = None
    lab.spec()
    session = lab.orch.run_backup("exch")
    replica = lab.orch.find_replica(session.id)
    replica.details["exchange"]["check_failed"] = [SG]
    lab.repo.update_replica(replica)
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions())
    assert restore.status == SessionStatus.FAILED
    assert "not offered for its instant recovery" in lab.messages(restore)


RSG = "Recovery Storage Group"


def test_a_2007_database_restored_to_the_recovery_storage_group_beside_production():
    lab = ExchangeLab(2007)
    session, expect = _backed_up(lab, consistency_check=True)
    production = lab.srv.data()[f"{SG}/{DB}"]
    restore = lab.orch.restore(
        session.id, SWITCH, ExchangeRecoveryOptions(components=(f"{SG}\\{DB}",), recovery_group=RSG)
    )
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    data = lab.srv.data()
    assert data[f"{RSG}/{DB}"] == expect[f"{SG}/{DB}"]  # the replica's instant, by content
    assert data[f"{SG}/{DB}"] == production  # production untouched and still mounted
    assert "mounted in the recovery storage group" in lab.messages(restore)
    hdr = lab.srv.files("ex1").header(f"E:\\RSG\\{DB}.edb")
    assert hdr["state"] == "Dirty Shutdown"  # attached to the RSG's own R00 stream
    assert lab.world.hosts.file_exists("ex1", "L:\\RSG\\R00.log")


def test_a_recovery_storage_group_restore_of_2003_or_of_two_databases_is_refused():
    lab = ExchangeLab(2003)
    session, _ = _backed_up(lab)
    restore = lab.orch.restore(
        session.id, SWITCH, ExchangeRecoveryOptions(components=(SG,), recovery_group=RSG)
    )
    assert restore.status == SessionStatus.FAILED
    assert "needs Exchange 2007" in lab.messages(restore)


def test_lcr_instant_recovery_of_the_passive_copy_switches_the_copies_on_the_server():
    lab = ExchangeLab(2007, "lcr")
    lab.busy(8)
    lab.spec(copy="passive", consistency_check=True)
    expect = lab.srv.copy_contents(SG, "passive")[DB]
    session = lab.orch.run_backup("exch")
    assert session.status == SessionStatus.COMPLETED, lab.messages(session)
    lab.busy(4)
    restore = lab.orch.restore(session.id, SWITCH, ExchangeRecoveryOptions())
    assert restore.status == SessionStatus.COMPLETED, lab.messages(restore)
    sg = lab.srv.sg(SG)
    assert lab.srv.host == "ex1" and sg.active.data_path == "P:\\SG1"  # the LCR copy is active
    assert lab.srv.data()[f"{SG}/{DB}"] == expect
    lab.busy(4)
    assert sg.passive.data_path == "E:\\SG1" and not sg.pending  # replicating to the old one
