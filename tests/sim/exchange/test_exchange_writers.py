"""The Exchange writers on the VSS simulator: names, shared writer ID and distinct instances
(sap-vss-addendum VSS-5), components (VSS-7), the set's volumes (VSS-14), one backup per
storage group (VC-I19) and a failed writer that stays failed until its service restarts."""

from __future__ import annotations

import pytest

from apprm_ref.sim.exchange import backup as B
from apprm_ref.sim.exchange.labs import busy, world
from apprm_ref.sim.exchange.writer import EXCHANGE_WRITER_ID, REPLICA_WRITER, STORE_WRITER
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.vss.backend import vss_service
from apprm_ref.sim.vss.models import BackupType, WriterState
from apprm_ref.sim.vss.requester import BackupComponents

SG = "First Storage Group"


def _exchange(svc):
    return {
        w.key.split("/", 1)[1]: svc.status(w)
        for w in svc.writers()
        if w.key.startswith(EXCHANGE_WRITER_ID)
    }


def test_ccr_store_writer_on_the_active_node_replica_writer_on_the_passive_one():
    w = world(2007, "ccr")
    active, passive = _exchange(vss_service(w, "ex1")), _exchange(vss_service(w, "ex2"))
    assert list(active) == [STORE_WRITER] and list(passive) == [REPLICA_WRITER]


def test_lcr_both_writers_share_the_writer_id_with_different_instances():
    w = world(2007, "lcr")
    found = _exchange(vss_service(w, "ex1"))
    assert sorted(found) == sorted([STORE_WRITER, REPLICA_WRITER])
    assert {st.writer_id for st in found.values()} == {EXCHANGE_WRITER_ID}
    assert len({st.instance_id for st in found.values()}) == 2


def test_exchange_2003_has_no_replica_writer():
    assert list(_exchange(vss_service(world(2003), "ex1"))) == [STORE_WRITER]


def _requester(w, host="ex1", kind=BackupType.FULL):
    req = BackupComponents(vss_service(w, host))
    req.initialize_for_backup()
    req.set_backup_state(True, False, kind)
    found = req.gather_writer_metadata()
    return req, found


def test_the_wmd_has_a_storage_group_component_and_its_databases_below():
    w = world(2003)
    _req, found = _requester(w)
    meta = next(i.meta for i in found if i.meta.name == STORE_WRITER)
    sg = [c for c in meta.components if c.selectable]
    dbs = [c for c in meta.components if not c.selectable]
    assert [c.caption for c in sg] == [SG]
    assert sg[0].logical_path == "Microsoft Exchange Server\\Microsoft Information Store\\ex1"
    assert sorted(c.caption for c in dbs) == ["Mailbox Store", "Public Folder Store"]
    assert all(c.logical_path == sg[0].full_path and c.selectable_for_restore for c in dbs)
    logs = {f.filespec for f in sg[0].files}
    assert logs == {"E00*.log", "E00.chk"} and all(f.log for f in sg[0].files)
    assert {f.filespec for c in dbs for f in c.files} >= {"Mailbox Store.edb", "Mailbox Store.stm"}


def _add_sg(req, found, name=STORE_WRITER):
    ident = next(i for i in found if i.meta.name == name)
    comp = next(c for c in ident.meta.components if c.selectable)
    req.add_component(ident.instance_id, comp.logical_path, comp.name)
    return ident


def test_a_set_without_the_log_volume_is_an_inconsistent_shadow_copy():
    w = world(2007)
    req, found = _requester(w)
    ident = _add_sg(req, found)
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:\\")
    req.prepare_for_backup()
    job = req.do_snapshot_set()
    assert job.finished and not job.ok
    st = vss_service(w, "ex1").status(ident.writer)
    assert st.state == WriterState.FAILED_AT_PREPARE_SNAPSHOT
    assert st.last_error == "VSS_E_WRITERERROR_INCONSISTENTSNAPSHOT"


@pytest.mark.rule("VC-I19")
def test_a_second_requester_on_a_storage_group_in_backup_gets_a_retryable_writer_error():
    w = world(2007)
    busy(w.app("EXCH"), 2)
    B.begin(w.app("EXCH"), SG, "active", "FULL")  # another backup holds the storage group
    req, found = _requester(w)
    ident = _add_sg(req, found)
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:\\")
    req.add_to_snapshot_set("L:\\")
    req.prepare_for_backup()
    st = vss_service(w, "ex1").status(ident.writer)
    assert st.state == WriterState.FAILED_AT_PREPARE_BACKUP
    assert st.last_error == "VSS_E_WRITERERROR_RETRYABLE"


def test_a_writer_failed_at_freeze_stays_failed_until_msexchangeis_restarts():
    w = world(2007)
    w.fault_plan.arm(FaultRule("exchange.freeze", nth=1))
    req, found = _requester(w)
    ident = _add_sg(req, found)
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:\\")
    req.add_to_snapshot_set("L:\\")
    req.prepare_for_backup()
    job = req.do_snapshot_set()
    while not job.finished:
        w.advance(max(0.0, job.wait_until - w.now()))
        job.advance()
    assert not job.ok
    svc = vss_service(w, "ex1")
    assert svc.status(ident.writer).state == WriterState.FAILED_AT_FREEZE
    assert not w.app("EXCH").backups and not w.app("EXCH").sg(SG).frozen  # Abort let go
    req.release()
    assert svc.status(ident.writer).state.failed  # outlives the session
    svc.restart_service("MSExchangeIS")
    assert svc.status(ident.writer).state == WriterState.STABLE
