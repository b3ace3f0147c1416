"""XP instant recovery through the orchestrator: exactness, consumption, the product's
data-loss risk (kept as an option) and the default safety copy that rolls a failed restore
back."""

from __future__ import annotations

import pytest
from xp_estate import SOURCES, make_estate, svol

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions, SplitMirrorRestoreOptions
from apprm_ref.core.replication.split_mirror import SplitMirrorReplication
from apprm_ref.core.replication.split_mirror_options import parse_xp_options
from apprm_ref.core.session import Session
from apprm_ref.errors import RecoveryError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import SessionStatus, SessionType, Severity


def two_backups(replication=None, pairs=(0, 1, 2), spares=2):  # type: ignore[no-untyped-def]
    est = make_estate(replication or {"mu": "0-2"}, pairs=pairs, spares=spares)
    est.write("A")
    r1 = est.repo.get_replica(est.backup().replica_id)
    at_r1 = est.contents()
    est.advance()
    est.write("B")
    r2 = est.repo.get_replica(est.backup().replica_id)
    at_r2 = est.contents()
    est.advance()
    est.write("C")
    return est, r1, at_r1, r2, at_r2


@pytest.mark.rule("ARR-P4")
@pytest.mark.rule("ARR-P5")
@pytest.mark.parametrize("method", ["normal", "quick"])
@pytest.mark.parametrize("keep", [True, False])
def test_ir_exactness_and_consumption(method: str, keep: bool) -> None:
    est, r1, at_r1, r2, at_r2 = two_backups()
    session = est.orch.restore(r1.id, RestoreOptions(method=method, keep_replica=keep))
    assert session.status == SessionStatus.COMPLETED, [m.text for m in session.messages]
    assert est.contents() == at_r1  # every volume of the volume group, selected or not
    assert est.read()[:3] == ("A:0", "A:1", "A:2")
    assert "/data" in est.world.hosts.host("app").mounts
    rep = est.repo.get_replica(r1.id)
    est.advance(600)
    states = {est.state(s, 0) for s in SOURCES}
    if keep:
        assert rep.status == ReplicaStatus.ACTIVE and states == {"PSUS"}
        for t in rep.targets:
            assert est.xp.content(t.target.volume).written() == at_r1[t.source.volume]
    else:
        assert rep.status == ReplicaStatus.CONSUMED and states == {"PAIR"}
        assert r1.id not in [r.id for r in est.active()]
    other = est.repo.get_replica(r2.id)  # the other replica is untouched and still usable
    assert other.status == ReplicaStatus.ACTIVE
    for t in other.targets:
        assert est.xp.content(t.target.volume).written() == at_r2[t.source.volume]
    assert {est.state(s, 2) for s in SOURCES} == {"PAIR"}  # the borrowed safety MU follows again
    est.world.check_invariants()


def test_ir_then_backup_again() -> None:
    est, r1, at_r1, _r2, _ = two_backups()
    est.orch.restore(r1.id, RestoreOptions(method="normal", keep_replica=True))
    est.advance()
    assert est.backup().status == SessionStatus.COMPLETED


@pytest.mark.rule("ARR-P14", "OPS-I2")
def test_failed_restore_loses_the_source_with_the_products_behaviour() -> None:
    est, r1, at_r1, r2, at_r2 = two_backups({"mu": "0-1"}, pairs=(0, 1))
    before = est.contents()
    est.world.fault_plan.arm(FaultRule("xp.restore_abort"))
    session = est.orch.restore(
        r1.id, SplitMirrorRestoreOptions(method="normal", retain_source=False)
    )
    assert session.status == SessionStatus.FAILED
    lost = [m for m in session.messages if m.code == "XP_SOURCE_LOST"]
    assert lost and lost[0].severity == Severity.CRITICAL
    now = est.contents()
    assert now != before and now != at_r1  # neither the old data nor the replica
    assert est.xp.ldevs[SOURCES[0]].inconsistent  # the pair whose copy died half-way
    held = [est.xp.ldevs[lid].data.written() for lid in sorted(est.xp.ldevs)]
    for src in SOURCES:  # no pre-IR copy of the source exists anywhere on the array
        assert before[src] not in held
    assert_left_stopped(
        session, "the sources hold neither their data before the IR nor the replica"
    )


def assert_left_stopped(session, state: str) -> None:  # type: ignore[no-untyped-def]
    """No undo remounted sources that hold neither point in time (OPS-I2): the volume group
    stays released and /data dismounted, each step left named Critical with what stays."""
    texts = [m.text for m in session.messages]
    assert not any(t.startswith("Undo ") for t in texts), texts
    left = [m for m in session.messages if m.text.startswith("Not undone")]
    assert [(m.severity, m.text) for m in left] == [
        (Severity.CRITICAL, f"Not undone, {state}: activate vg01; vg01 is released on app"),
        (Severity.CRITICAL, f"Not undone, {state}: remount /data; /data is not mounted on app"),
    ]


@pytest.mark.rule("ARR-P14", "OPS-I2")
def test_a_source_without_a_safety_copy_keeps_the_rolled_back_one_stopped_too() -> None:
    """One source has a safety copy, the other none (its only free S-VOL is excluded): the
    first is rolled back, the second keeps what the restore left (here the replica's data),
    so the filesystem over both would mix two points in time and is not remounted (the
    undo used to remount it)."""
    est, r1, at_r1, r2, at_r2 = two_backups({"mu": "0-1"}, pairs=(0, 1), spares=0)
    est.xp.exclude(svol(SOURCES[1], 2))
    before = est.contents()
    est.world.fault_plan.arm(FaultRule("xp.restore_abort"))
    session = est.orch.restore(r1.id, RestoreOptions(method="normal"))
    assert session.status == SessionStatus.FAILED
    codes = [m.code for m in session.messages]
    assert "XP_NO_SAFETY_COPY" in codes and "XP_ROLLED_BACK" in codes
    failed = next(m for m in session.messages if m.text.startswith("Instant recovery failed"))
    assert failed.code == "XP_SOURCE_LOST" and f"all but {SOURCES[1]}" in failed.text
    now = est.contents()
    assert now[SOURCES[0]] == before[SOURCES[0]]  # rolled back from its safety copy
    assert now[SOURCES[1]] != before[SOURCES[1]]  # its copy had ended: the replica's data
    assert "/data" not in est.world.hosts.host("app").mounts
    assert_left_stopped(session, "only some sources were rolled back to their data before the IR")
    est.world.check_invariants()


@pytest.mark.rule("ARR-P14")
def test_failed_restore_is_rolled_back_from_the_safety_copy() -> None:
    est, r1, at_r1, r2, at_r2 = two_backups({"mu": "0-1"}, pairs=(0, 1))
    before = est.contents()
    est.world.fault_plan.arm(FaultRule("xp.restore_abort"))
    session = est.orch.restore(r1.id, RestoreOptions(method="normal"))
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "XP_ROLLED_BACK" for m in session.messages)
    assert est.contents() == before
    assert est.read()[0] == "C:0" and "/data" in est.world.hosts.host("app").mounts
    # the safety copies (MU#2) were released once used: no pair and no orphan S-VOL is left
    assert not any(f"{s}/2" in est.xp.pairs for s in SOURCES)
    est.world.check_invariants()


def test_no_free_mu_means_a_warning_and_the_products_risk() -> None:
    est, r1, at_r1, _r2, _ = two_backups({"mu": "0-2"}, spares=0)
    est.advance()
    est.backup()  # the third replica: every MU holds one
    session = est.orch.restore(r1.id, RestoreOptions(method="normal"))
    assert session.status == SessionStatus.COMPLETED
    assert any(
        m.code == "XP_NO_SAFETY_COPY" and m.severity == Severity.WARNING for m in session.messages
    )
    assert est.contents() == at_r1


@pytest.mark.rule("ARR-I15")
def test_untracked_replica_is_not_ir_capable() -> None:
    est = make_estate({"mu": "0-1", "keep_for_ir": False})
    est.write("A")
    rid = est.backup().replica_id
    assert not est.repo.get_replica(rid).tracked
    commands = est.xp.pair_commands
    session = est.orch.restore(rid)
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "NOT_TRACKED" for m in session.messages)
    assert est.xp.pair_commands == commands


@pytest.mark.rule("ARR-I17")
def test_ir_refuses_while_a_source_filesystem_is_mounted() -> None:
    est, r1, *_ = two_backups()
    spec = est.repo.get_spec("fs1")
    session = Session("x", SessionType.RESTORE, "fs1", est.world.now())
    ctx = SessionContext(est.world.env, est.orch.drivers, est.repo, session, spec)
    ctx.options = parse_xp_options({"mu": "0-2"}, spec_name="fs1")
    commands = est.xp.pair_commands
    with pytest.raises(RecoveryError) as err:
        next(SplitMirrorReplication().restore(ctx, r1, RestoreOptions()))
    assert err.value.code == "MOUNTED" and est.xp.pair_commands == commands


@pytest.mark.rule("REL-I6")
def test_ir_needs_the_pair_still_split() -> None:
    est, r1, *_ = two_backups()
    est.xp.pairresync([(s, 0) for s in SOURCES])  # someone resynced MU 0 by hand
    session = est.orch.restore(r1.id)
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "REPLICA_IDENTITY" for m in session.messages)
    assert "/data" in est.world.hosts.host("app").mounts


def test_restore_refused_by_the_array_changes_nothing() -> None:
    est, r1, *_ = two_backups()
    before = est.contents()
    est.world.fault_plan.arm(FaultRule("xp.restore", code="EX_CMDRJE"))
    session = est.orch.restore(r1.id, RestoreOptions(method="normal"))
    assert session.status == SessionStatus.FAILED
    assert est.contents() == before and est.read()[0] == "C:0"
    est.advance(600)
    assert {est.state(s, 2) for s in SOURCES} == {"PAIR"}
    assert est.repo.get_replica(r1.id).status == ReplicaStatus.ACTIVE
