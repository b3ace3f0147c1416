"""XP split-mirror replication through the orchestrator: options, rotation in place over
the MU list, synchronise at start, exclude file, atomicity, and the backup-system mount."""

from __future__ import annotations

import pytest
from xp_estate import SOURCES, make_estate, spec, svol

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.split_mirror_options import parse_mu_list, parse_xp_options
from apprm_ref.errors import ConfigError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.types import SessionStatus, Severity


@pytest.mark.parametrize(
    ("value", "mus"),
    [(0, (0,)), ("0-2", (0, 1, 2)), ("0,1,2", (0, 1, 2)), ([2, 0], (2, 0)), ("1", (1,))],
)
def test_mu_list_forms(value, mus) -> None:  # type: ignore[no-untyped-def]
    assert parse_mu_list(value) == mus


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ({"mu": "0-3"}, "replication.mu"),
        ({"mu": "2-0"}, "replication.mu"),
        ({"mu": "0,0"}, "replication.mu"),
        ({"mu": "a"}, "replication.mu"),
        ({"mu": True}, "replication.mu"),
        ({"keep_replica": False}, "replication.keep_replica"),
        ({"sync_at_start": "yes"}, "replication.sync_at_start"),
        ({"split_mode": "fast"}, "replication.split_mode"),
        ({"snapshot_type": "vsnap"}, "replication.snapshot_type"),
    ],
)
def test_bad_options_name_the_field(raw, field) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ConfigError) as err:
        parse_xp_options(raw, spec_name="s")
    assert err.value.field == field


def test_options_are_checked_at_spec_creation() -> None:
    est = make_estate()
    with pytest.raises(ConfigError) as err:
        est.orch.create_spec(spec("bad", {"mu": "0-5"}))
    assert err.value.field == "replication.mu"
    opts = parse_xp_options(
        {"mu": "0-1", "keep_for_ir": False, "keep_replica": False}, spec_name="s"
    )
    assert (opts.mus, opts.keep_replica, opts.default_restore) == ((0, 1), False, "quick")


@pytest.mark.rule("ARR-P1")
@pytest.mark.rule("ARR-P2")
@pytest.mark.rule("ARR-I13")
def test_rotation_in_place_over_the_mu_list() -> None:
    est = make_estate({"mu": "0-2"})
    made = []
    for k in range(1, 6):
        est.write(f"run{k}")
        session = est.backup()
        assert session.status == SessionStatus.COMPLETED
        made.append(est.repo.get_replica(session.replica_id))
        active = est.active()
        assert len(active) == min(k, 3)  # never more replicas than MUs
        assert [r.id for r in active] == [r.id for r in made[-3:]]  # the newest kept
        times = [r.created_at for r in active]
        assert times == sorted(times) and len(set(times)) == len(times)
        est.advance()
    assert [r.mu for r in made] == [0, 1, 2, 0, 1]  # run 4 re-used run 1's MU
    first = est.repo.get_replica(made[0].id)
    assert first.status == ReplicaStatus.DELETED and first.details["rotated_out_by"]
    for r in est.active():
        for t in r.targets:
            assert est.state(t.source.volume, r.mu) == "PSUS"


@pytest.mark.rule("ARR-P3")
def test_replica_holds_the_source_at_the_split() -> None:
    est = make_estate({"mu": "0-1"})
    est.write("A")
    expected = est.contents()
    rep = est.repo.get_replica(est.backup().replica_id)
    est.write("B")
    for t in rep.targets:
        assert est.xp.content(t.target.volume).written() == expected[t.source.volume]


@pytest.mark.rule("ARR-P10")
def test_sync_at_start_resyncs_a_split_pair() -> None:
    est = make_estate({"mu": 0})
    for src in SOURCES:
        est.xp.pairsplit([(src, 0)])
    est.advance(60)
    est.write("A")
    session = est.backup()
    assert session.status == SessionStatus.COMPLETED
    assert all(est.state(s, 0) == "PSUS" for s in SOURCES)
    rep = est.repo.get_replica(session.replica_id)
    assert est.xp.content(rep.targets[0].target.volume).written() == est.contents()[SOURCES[0]]


@pytest.mark.rule("ARR-P10")
def test_without_sync_at_start_a_split_pair_fails_the_run_and_nothing_changes() -> None:
    est = make_estate({"mu": 0, "sync_at_start": False})
    est.xp.pairsplit([(SOURCES[0], 0)])
    est.advance(60)
    states = {s: est.state(s, 0) for s in SOURCES}
    commands = est.xp.pair_commands
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "XP_NOT_PAIR" for m in session.messages)
    assert {s: est.state(s, 0) for s in SOURCES} == states and est.xp.pair_commands == commands
    assert est.active() == []


@pytest.mark.rule("ARR-P11")
@pytest.mark.parametrize("which", ["pvol", "svol"])
def test_excluded_ldev_fails_before_any_pair_command(which: str) -> None:
    est = make_estate({"mu": "0-2"})
    est.xp.exclude(SOURCES[1] if which == "pvol" else svol(SOURCES[1], 0))
    commands = est.xp.pair_commands
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    crit = [m for m in session.messages if m.severity == Severity.CRITICAL]
    assert crit and crit[0].code == "XP_EXCLUDED"
    assert est.xp.pair_commands == commands
    assert est.repo.list_replicas(spec="fs1") == []


@pytest.mark.rule("ARR-P12")
@pytest.mark.rule("ARR-I14")
@pytest.mark.rule("ARR-I16")
def test_split_failure_records_nothing_and_releases_the_filesystem() -> None:
    est = make_estate({"mu": "0-2"})
    est.world.fault_plan.arm(FaultRule("xp.pairsplit", nth=2, code="EX_CMDRJE"))
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    assert est.repo.list_replicas(spec="fs1") == []
    assert all(est.state(s, 0) == "PAIR" for s in SOURCES)  # no half-split replica
    mnt = est.world.hosts.host("app").mounts["/data"]
    assert not mnt.frozen
    assert est.world.hosts.host("bkp").mounts == {}
    assert est.backup().status == SessionStatus.COMPLETED  # the fault is spent


@pytest.mark.rule("ARR-P12")
def test_failure_creating_the_kth_pair_removes_the_pairs_made() -> None:
    est = make_estate({"mu": "0", "create_pairs": True}, pairs=())
    est.world.fault_plan.arm(FaultRule("xp.paircreate", nth=2, code="EX_CMDRJE"))
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    assert est.xp.pairs == {} and est.repo.list_replicas(spec="fs1") == []
    session = est.backup()
    assert session.status == SessionStatus.COMPLETED
    assert all(est.state(s, 0) == "PSUS" for s in SOURCES)


def test_backup_system_sees_the_replica_and_lets_go() -> None:
    est = make_estate({"mu": "0-2", "leave_backup_system_enabled": True})
    est.write("A")
    session = est.backup()
    mounts = est.repo.get_replica(session.replica_id).details["backup_system_mounts"]
    assert mounts == [f"/zdb/app/{session.id}/data"]
    assert est.world.hosts.read_file("bkp", f"{mounts[0]}/f")[0] == "A:0"
    est2 = make_estate({"mu": "0-2"})
    est2.backup()
    assert est2.world.hosts.host("bkp").mounts == {}
    assert all(est2.xp.presented_to(svol(s, 0)) == () for s in SOURCES)


def test_replica_not_kept_is_resynced_at_the_end() -> None:
    est = make_estate({"mu": "0-1", "keep_replica": False, "keep_for_ir": False})
    session = est.backup()
    rep = est.repo.get_replica(session.replica_id)
    assert session.status == SessionStatus.COMPLETED
    assert rep.status == ReplicaStatus.DELETED and not rep.tracked
    est.advance(60)
    assert all(est.state(s, 0) == "PAIR" for s in SOURCES)


def test_prepare_next_mirror() -> None:
    est = make_estate({"mu": "0-1", "prepare_next_mirror": True})
    est.backup()
    est.advance()
    second = est.backup()  # MU 1; prepares MU 0 (rotating its replica out now)
    assert [r.id for r in est.active()] == [second.replica_id]
    est.advance(60)
    assert all(est.state(s, 0) == "PAIR" for s in SOURCES)
    assert est.repo.get_replica(second.replica_id).mu == 1


def test_smpl_pair_fails_unless_pairs_may_be_created() -> None:
    est = make_estate({"mu": "0"}, pairs=())
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "XP_PAIR_SMPL" for m in session.messages)


def test_wait_for_replica_warns() -> None:
    est = make_estate({"mu": "0", "wait_for_replica": True})
    session = est.backup()
    assert session.status == SessionStatus.COMPLETED
    assert any(m.severity == Severity.WARNING for m in session.messages)


def test_delete_gives_the_mu_back() -> None:
    est = make_estate({"mu": "0-2"})
    rid = est.backup().replica_id
    est.orch.delete_replica(rid)
    est.advance(60)
    assert est.repo.get_replica(rid).status == ReplicaStatus.DELETED
    assert all(est.state(s, 0) == "PAIR" for s in SOURCES)


@pytest.mark.rule("ARR-P11")
def test_an_mu_holding_another_specs_replica_is_refused_before_any_pair_command() -> None:
    est = make_estate({"mu": "0-2"})
    est.orch.create_spec(spec("fs2", {"mu": 0}))
    est.orch.create_spec(spec("fs3", {"mu": 1}))
    first = est.backup("fs1")  # fs1 takes MU#0
    assert first.status == SessionStatus.COMPLETED
    est.advance()
    commands = est.xp.pair_commands
    session = est.backup("fs2")
    assert session.status == SessionStatus.FAILED
    crit = [m for m in session.messages if m.severity == Severity.CRITICAL]
    assert crit and crit[0].code == "XP_MU_IN_USE" and first.replica_id in crit[0].text
    assert est.xp.pair_commands == commands and est.active("fs2") == []
    assert [r.id for r in est.active("fs1")] == [first.replica_id]
    assert est.backup("fs3").status == SessionStatus.COMPLETED  # MU#1 holds nothing foreign
