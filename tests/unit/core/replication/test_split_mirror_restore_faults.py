"""XP instant recovery and split undo under the faults the swarm combined: the IDB and the
array agree afterwards, and whatever stays split on the array is named Critical (REL-I1,
REL-I6; OPS-I2). The pair states are those of RAID Manager's pairdisplay (``arrays.md``
§3.6-3.7): a reverse resync needs every other pair of its P-VOL split (PSUS/PSUE)."""

from __future__ import annotations

import pytest
from test_split_mirror_restore import assert_left_stopped, two_backups
from xp_estate import SOURCES, make_estate, svol

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.idb.reconcile import ORPHAN, reconcile
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import SessionStatus, Severity


def _findings(est):  # type: ignore[no-untyped-def]
    return reconcile(est.repo.list_replicas(), est.orch.drivers.arrays)


def _critical(session) -> list[str]:  # type: ignore[no-untyped-def]
    return [m.text for m in session.messages if m.severity == Severity.CRITICAL]


@pytest.mark.rule("REL-I6")
def test_a_kept_replica_whose_split_is_refused_is_consumed_and_the_restore_stands() -> None:
    est, r1, at_r1, *_ = two_backups()
    est.world.fault_plan.arm(FaultRule("xp.pairsplit", match={"mu": "0"}))
    session = est.orch.restore(r1.id, RestoreOptions(method="normal", keep_replica=True))
    assert session.status != SessionStatus.FAILED, [m.text for m in session.messages]
    assert any(m.code == "XP_NOT_KEPT" for m in session.messages)
    assert est.contents() == at_r1 and "/data" in est.world.hosts.host("app").mounts
    assert est.repo.get_replica(r1.id).status == ReplicaStatus.CONSUMED
    est.advance(600)
    assert {est.state(s, 0) for s in SOURCES} == {"PAIR"}
    assert _findings(est) == []


@pytest.mark.rule("REL-I1")
def test_a_kept_irs_final_write_refused_leaves_named_svols_not_a_stale_replica() -> None:
    est, r1, at_r1, *_ = two_backups()
    est.repo.faults = est.world.faults
    # the IR's last write of the replica, once the restore has copied (seconds later)
    late = est.world.now() + 3.0  # dismount and safety split: 2 s, the copy: 4 s more
    est.world.fault_plan.arm(FaultRule("idb.commit", match={"replica": r1.id}, at_or_after=late))
    session = est.orch.restore(r1.id, RestoreOptions(method="normal", keep_replica=True))
    assert [f.site for f in est.world.fault_plan.log] == ["idb.commit"]
    assert est.contents() == at_r1
    assert est.repo.get_replica(r1.id).status == ReplicaStatus.CONSUMED
    est.advance(600)
    found = _findings(est)
    assert {f.kind for f in found} == {ORPHAN}  # no identity-changed replica
    critical = _critical(session)
    for f in found:
        assert any(f.volume in text for text in critical), (f, critical)


@pytest.mark.rule("REL-I1", "OPS-I2")
def test_a_rollback_the_array_refuses_keeps_the_safety_copies_split_and_named() -> None:
    est, r1, *_ = two_backups({"mu": "0-1"}, pairs=(0, 1))
    before = est.contents()
    est.world.fault_plan.arm(FaultRule("xp.restore_abort"))
    est.world.fault_plan.arm(FaultRule("xp.restore", match={"mu": "2"}))  # the rollback
    session = est.orch.restore(r1.id, RestoreOptions(method="normal"))
    assert session.status == SessionStatus.FAILED
    left = [m for m in session.messages if m.code == "XP_SAFETY_LEFT"]
    assert left and left[0].severity == Severity.CRITICAL
    for src in SOURCES:  # the sources' content before the IR is on their safety S-VOLs
        safety = est.xp.pairs[f"{src}/2"].svol
        assert safety in left[0].text
        assert est.xp.content(safety).written() == before[src]
    # the sources are half restored: nothing is remounted over them (OPS-I2)
    assert "/data" not in est.world.hosts.host("app").mounts
    assert_left_stopped(session, "the sources' data before the IR is only on the safety S-VOLs")
    est.advance(600)
    critical = _critical(session)
    for f in _findings(est):
        assert f.kind != ORPHAN or any(f.volume in t for t in critical), (f, critical)
    est.world.check_invariants()


@pytest.mark.rule("OPS-I2")
def test_an_undo_resync_the_array_suspends_is_reported_critical_by_its_svol() -> None:
    est = make_estate({"mu": "0-2"})
    est.repo.faults = est.world.faults
    est.write("A")
    est.world.fault_plan.arm(FaultRule("idb.commit"))  # the new replica is never recorded
    est.world.fault_plan.arm(FaultRule("xp.copy_psue", match={"pvol": SOURCES[1]}))
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    assert est.state(SOURCES[1], 0) == "PSUE"
    critical = _critical(session)
    assert any("Undo 'pairresync MU#0' failed" in t and svol(SOURCES[1], 0) in t for t in critical)
    assert [f.volume for f in _findings(est)] == [svol(SOURCES[1], 0)]


@pytest.mark.rule("OPS-I2")
def test_a_delete_whose_resync_the_array_suspends_says_so_with_the_record() -> None:
    """Deleting a replica gives its MU back by a resync; a copy the array suspends leaves an
    S-VOL that follows nothing, which the deleted record names (it was silent)."""
    est = make_estate({"mu": "0-2"})
    est.write("A")
    rid = est.backup().replica_id
    est.world.fault_plan.arm(FaultRule("xp.copy_psue", match={"pvol": SOURCES[1]}))
    rep = est.orch.delete_replica(rid)
    assert est.state(SOURCES[1], 0) == "PSUE" and est.state(SOURCES[0], 0) != "PSUE"
    stored = est.repo.get_replica(rid)
    assert stored.status == ReplicaStatus.DELETED
    assert (
        stored.details["delete_problems"]
        == rep.details["delete_problems"]
        == [
            f"[CRITICAL] {SOURCES[1]} MU#0 is PSUE (suspended by error), S-VOL {svol(SOURCES[1], 0)}: "
            "no replica on those S-VOLs; the next session resyncs them"
        ]
    )


def test_a_clean_delete_records_no_problems() -> None:
    est = make_estate({"mu": "0-2"})
    est.write("A")
    rid = est.backup().replica_id
    est.orch.delete_replica(rid)
    stored = est.repo.get_replica(rid)
    assert stored.status == ReplicaStatus.DELETED and "delete_problems" not in stored.details
