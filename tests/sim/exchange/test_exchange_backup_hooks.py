"""The store's side of a VSS backup: one backup per storage group, Freeze stamps the
headers, BackupComplete updates them and truncates logs only after a successful FULL, and a
passive-copy backup truncates on both copies only below the checkpoint and the replay point."""

from __future__ import annotations

import pytest

from apprm_ref.sim.exchange import backup as B
from apprm_ref.sim.exchange import formats as F
from apprm_ref.sim.exchange.labs import busy, world
from apprm_ref.sim.exchange.models import ExchangeError
from apprm_ref.sim.exchange.replication import replay_point

SG, DB = "First Storage Group", "Mailbox Database"
EDB = "E:\\SG1\\Mailbox Database.edb"


def _gens(srv, host):
    sg = srv.sg(SG)
    copy = sg.active if host == sg.active.host and sg.replication != "lcr" else None
    copies = [c for c in (sg.active, sg.passive) if c is not None and c.host == host]
    out = set()
    for c in copies if copy is None else [copy]:
        out |= set(srv.files(host).closed_logs(sg, c, srv.version))
    return out


def _backup(srv, kind="FULL", copy="active", succeeded=True, during=0):
    B.begin(srv, SG, copy, kind)
    B.freeze(srv, SG)
    bk = srv.backups[SG]
    lo, hi = bk.lo, bk.hi
    if copy == "passive":
        for _ in range(during):
            srv.apply_workload(5)
    B.thaw(srv, SG)
    return lo, hi, B.complete(srv, SG, succeeded=succeeded)


@pytest.mark.rule("VC-I19")
def test_a_second_backup_of_the_same_storage_group_is_refused_while_one_runs():
    srv = world(2007).app("EXCH")
    B.begin(srv, SG, "active", "FULL")
    with pytest.raises(ExchangeError) as err:
        B.begin(srv, SG, "active", "COPY")
    assert err.value.jet == -505 and err.value.code == "JET_errBackupInProgress"
    B.abort(srv, SG)
    B.begin(srv, SG, "active", "COPY")  # free again once the first one ended


def test_freeze_stamps_the_current_shadow_copy_and_holds_writes():
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, 8)
    B.begin(srv, SG, "active", "FULL")
    B.freeze(srv, SG)
    hdr = srv.files("ex1").header(EDB)
    bk = srv.backups[SG]
    assert hdr["current_shadow"][:2] == (bk.lo, bk.hi) and hdr["state"] == F.DIRTY
    with pytest.raises(ExchangeError):
        srv.deliver(SG, DB, "user1", "held", "b")
    B.thaw(srv, SG)
    srv.deliver(SG, DB, "user1", "after thaw", "b")
    B.complete(srv, SG, succeeded=True)
    assert srv.files("ex1").header(EDB)["current_shadow"] is None


@pytest.mark.rule("VC-P6")
def test_logs_shrink_after_a_successful_full_and_only_then():
    w = world(2007)
    srv = w.app("EXCH")
    busy(srv, 8)
    for kind, ok in (("COPY", True), ("DIFFERENTIAL", True), ("FULL", False)):
        before = _gens(srv, "ex1")
        _, _, gone = _backup(srv, kind, succeeded=ok)
        assert gone == [] and _gens(srv, "ex1") >= before, kind
        assert srv.files("ex1").header(EDB)["previous_full"] is None
        busy(srv, 2)
    before = _gens(srv, "ex1")
    lo, hi, gone = _backup(srv, "FULL")
    after = _gens(srv, "ex1")
    assert gone and after < before and min(after) == lo  # nothing the backup needs is gone
    assert srv.files("ex1").header(EDB)["previous_full"][:2] == (lo, hi)


@pytest.mark.rule("VC-P20")
@pytest.mark.parametrize("replication", ["ccr", "lcr"])
def test_a_passive_copy_backup_truncates_both_copies_below_checkpoint_and_replay_point(replication):
    w = world(2007, replication)
    srv = w.app("EXCH")
    sg = srv.sg(SG)
    busy(srv, 10)
    passive = sg.copy("passive")
    pfiles = srv.files(passive.host)
    assert replay_point(srv, sg) > 1
    lo, _, gone = _backup(srv, copy="passive", during=3)
    active_ckpt = srv.checkpoint_of(sg, srv.files("ex1").log("L:\\SG1\\E00.log")[0])
    limit = min(lo, active_ckpt, replay_point(srv, sg))
    assert gone
    for copy in (sg.active, passive):
        gens = set(srv.files(copy.host).closed_logs(sg, copy, 2007))
        assert gens and min(gens) == limit  # everything below is gone, nothing at or above
    # the active header got the backup; the passive one through the log stream
    assert srv.files("ex1").header(EDB)["previous_full"][:2] == (lo, lo)
    busy(srv, 3)
    assert pfiles.header(passive.edb(sg.databases[0]))["previous_full"][:2] == (lo, lo)


@pytest.mark.rule("VC-P20")
def test_logs_not_yet_replayed_on_the_passive_copy_are_kept_on_the_active_one():
    w = world(2007, "ccr")
    srv = w.app("EXCH")
    sg = srv.sg(SG)
    busy(srv, 4)
    shipped = set(srv.files("ex2").closed_logs(sg, sg.passive, 2007))
    w.hosts.crash("ex2")  # the passive node is down: generations wait in the copy queue
    busy(srv, 6)
    assert sg.pending and max(shipped) < min(sg.pending)
    before = set(srv.files("ex1").closed_logs(sg, sg.active, 2007))
    _, _, gone = _backup(srv, "FULL")
    assert gone == [] and set(srv.files("ex1").closed_logs(sg, sg.active, 2007)) == before
    w.hosts.boot("ex2")
    busy(srv, 2)  # the next roll ships the queue
    assert not sg.pending and replay_point(srv, sg) > max(shipped)
    lo, _, gone = _backup(srv, "FULL")
    assert gone and all(
        min(srv.files(c.host).closed_logs(sg, c, 2007)) == min(lo, replay_point(srv, sg))
        for c in (sg.active, sg.passive)
    )


def test_the_replica_writer_backs_up_only_replicated_storage_groups():
    srv = world(2007).app("EXCH")
    with pytest.raises(ExchangeError) as err:
        B.begin(srv, SG, "passive", "FULL")
    assert err.value.jet == -1003
