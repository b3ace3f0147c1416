"""The product's VSSBAR backup flow on SQL Server: order of the requester's calls, Freeze
inside the window, vetoes, retries, type degradation and the options of a VSS spec."""

from __future__ import annotations

from typing import Any

import pytest

from apprm_ref.core.integrations.vss_options import parse_vss_options
from apprm_ref.errors import ConfigError, VssError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.sqlserver.vss_door import SimBackup
from apprm_ref.sim.vss.models import BackupType
from apprm_ref.sim.vss.xmldoc import parse_bcd
from apprm_ref.types import SessionStatus
from tests.vss.sqllab import VssLab

SQL = "SqlServerWriter"


def events(lab: VssLab) -> list[tuple[str, str]]:
    seen: list[tuple[str, str]] = []
    lab.world.subscribe(
        lambda ev: (
            seen.append((ev.data["writer"].split("/", 1)[1], ev.data["event"]))
            if ev.kind == "vss.event"
            else None
        )
    )
    return seen


def eva_targets(lab: VssLab) -> list[str]:
    eva = lab.world.arrays["eva1"]
    return sorted(v.id for v in eva.vdisks.values() if v.kind.value != "original")


def test_a_sql_backup_freezes_io_only_around_the_replica_and_records_the_vssdb() -> None:
    lab = VssLab()
    lab.spec()
    lab.sql.apply_workload(30)
    seen = events(lab)
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    rep = lab.repo.replicas_of_session(s.id)[0]
    vss = rep.details["vss"]
    assert [c["name"] for c in vss["components"]] == ["sales", "stock", "hr"]
    assert {c["name"]: c["alone"] for c in vss["components"]} == {
        "sales": False,
        "stock": False,
        "hr": True,
    }
    assert len(vss["shadows"]) == 3 and vss["wmds"] and "BACKUP_COMPONENTS" in vss["bcd"]
    sql_events = [e for w, e in seen if w == SQL]
    assert sql_events == [
        "PrepareForBackup",
        "PrepareForSnapshot",
        "Freeze",
        "Thaw",
        "PostSnapshot",
        "BackupComplete",
    ]
    log = [t for _, t in lab.sql.errorlog]
    frozen = [i for i, t in enumerate(log) if t.startswith("I/O is frozen on database")]
    resumed = [i for i, t in enumerate(log) if t.startswith("I/O was resumed on database")]
    assert len(frozen) == len(resumed) == 3 and max(frozen) < min(resumed)
    assert not lab.sql.in_backup_mode()
    assert [h[1:] for h in lab.sql.backup_history] == [
        ("sales", "full"),
        ("stock", "full"),
        ("hr", "full"),
    ]
    assert lab.vss().shadows == {}  # the product owns the replica (BreakSnapshotSet)
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("VC-P1")
def test_the_requester_calls_follow_the_documented_order() -> None:
    """IVssBackupComponents order (vss-and-core.md §3.1, VC-I1): the product's calls, logged
    at the door, are exactly the documented sequence."""
    lab = VssLab()
    lab.spec()
    calls: list[str] = []
    names = [
        "initialize_for_backup",
        "set_context",
        "set_backup_state",
        "gather_writer_metadata",
        "add_component",
        "start_snapshot_set",
        "add_to_snapshot_set",
        "prepare_for_backup",
        "do_snapshot_set",
        "freeze",
        "commit",
        "writer_status",
        "set_backup_succeeded",
        "backup_complete",
        "save_as_xml",
        "release",
    ]
    orig = {n: getattr(SimBackup, n) for n in names}

    def spy(n: str) -> Any:
        def call(self: Any, *a: Any, **k: Any) -> Any:
            calls.append(n)
            return orig[n](self, *a, **k)

        return call

    with pytest.MonkeyPatch.context() as mp:
        for n in names:
            mp.setattr(SimBackup, n, spy(n))
        s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED
    squeezed = [c for i, c in enumerate(calls) if i == 0 or calls[i - 1] != c]
    assert squeezed == [
        "initialize_for_backup",
        "set_context",
        "set_backup_state",
        "gather_writer_metadata",
        "writer_status",  # the writers of the chosen components must be stable
        "add_component",
        "start_snapshot_set",
        "add_to_snapshot_set",
        "prepare_for_backup",
        "do_snapshot_set",
        "freeze",
        "commit",
        "writer_status",
        "set_backup_succeeded",
        "backup_complete",
        "save_as_xml",
        "release",
    ]


@pytest.mark.rule("VC-P1")
def test_an_out_of_order_call_at_the_door_is_bad_state_and_changes_nothing() -> None:
    lab = VssLab()
    b = lab.drivers.apps["vss"].backup("win1")
    for call in (b.prepare_for_backup, b.start_snapshot_set, b.backup_complete):
        with pytest.raises(VssError) as exc:
            call()
        assert exc.value.code == "VSS_E_BAD_STATE"
    b.initialize_for_backup()
    with pytest.raises(VssError):
        b.gather_writer_metadata()  # SetBackupState first
    b.set_backup_state(True, "full")
    assert [w.name for w in b.gather_writer_metadata()][-1] == SQL


@pytest.mark.rule("VC-P7")
def test_an_incremental_request_is_a_full_backup_of_the_sql_writer() -> None:
    lab = VssLab()
    lab.spec(application={"backup_type": "incremental"})
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    bcd = parse_bcd(lab.repo.replicas_of_session(s.id)[0].details["vss"]["bcd"])
    assert bcd.backup_type == BackupType.INCREMENTAL  # what was asked
    (writer,) = bcd.writers
    assert writer.backup_schema == 881 and writer.backup_type == BackupType.FULL
    assert {h[2] for h in lab.sql.backup_history} == {"full"}


@pytest.mark.rule("VC-I15")
def test_tracking_forces_keep_replica_and_fixes_the_replica_type() -> None:
    with pytest.raises(ConfigError) as e1:
        parse_vss_options({"keep_replica": False}, spec_name="s")
    assert e1.value.field == "application.keep_replica"
    with pytest.raises(ConfigError) as e2:
        parse_vss_options({"replica_type": "clone"}, spec_name="s")
    assert e2.value.field == "application.replica_type"
    free = parse_vss_options(
        {"track_replica": False, "keep_replica": False, "replica_type": "snapshot"}, spec_name="s"
    )
    assert (free.track_replica, free.keep_replica, free.replica_type) == (False, False, "snapshot")
    with pytest.raises(ConfigError):
        parse_vss_options({"mount_everything": True}, spec_name="s")


@pytest.mark.rule("VC-I15")
def test_an_untracked_replica_is_not_offered_for_instant_recovery() -> None:
    lab = VssLab()
    lab.spec(
        application={"track_replica": False},
        replication={"snapshot_type": "snapclone", "keep_for_ir": False},
    )
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    r = lab.orch.restore(s.id)
    assert r.status == SessionStatus.FAILED
    assert "was not tracked for instant recovery" in lab.messages(r)
    # the spec's VSS tracking and the array's must agree
    lab.spec("mixed", application={"track_replica": False})
    m = lab.orch.run_backup("mixed")
    assert m.status == SessionStatus.FAILED and "TRACK_MISMATCH" in {x.code for x in m.messages}


@pytest.mark.rule("VC-P4")
@pytest.mark.parametrize("site", ["vss.prepare_snapshot", "vss.freeze"])
def test_a_veto_leaves_no_replica_and_every_writer_gets_abort(site: str) -> None:
    lab = VssLab()
    lab.spec()
    lab.world.fault_plan.arm(FaultRule(site, times=0))
    seen = events(lab)
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.FAILED
    assert eva_targets(lab) == [] and lab.vss().shadows == {}
    assert lab.repo.list_replicas(spec="sqlspec") == []
    got_freeze = {w for w, e in seen if e == "Freeze"}
    aborted = {w for w, e in seen if e == "Abort"}
    assert got_freeze <= aborted and SQL in aborted
    assert not lab.sql.in_backup_mode()
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("VC-P5")
def test_a_retryable_writer_error_is_retried_three_times_ten_minutes_apart() -> None:
    lab = VssLab()
    lab.spec()
    lab.world.fault_plan.arm(
        FaultRule(
            "vss.freeze", times=0, match={"writer": f"a65faa63-5ea8-4ebc-9dbd-a0c4db26912a/{SQL}"}
        )
    )
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.FAILED
    retries = [m for m in s.messages if "retrying in 10 minutes" in m.text]
    assert len(retries) == 2  # three attempts in all
    assert retries[1].at - retries[0].at == pytest.approx(600.0)
    # a writer that failed stays failed until its service restarts (VC-P18): the later
    # attempts find it failed before anything is frozen
    assert s.messages[-1].text.startswith("writer SqlServerWriter is in state [9] Failed")
    assert eva_targets(lab) == [] and not lab.sql.in_backup_mode()


@pytest.mark.rule("VC-P5")
def test_a_non_retryable_writer_error_is_not_retried() -> None:
    lab = VssLab()
    lab.spec()
    lab.sql.databases["stock"].state = "OFFLINE"  # the writer's Freeze fails: 942
    lab.sql.close_database(lab.sql.databases["stock"])
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.FAILED
    assert not any("retrying" in m.text for m in s.messages)
    assert lab.states()[SQL] == (9, "VSS_E_WRITERERROR_NONRETRYABLE")
    assert eva_targets(lab) == []


_CALLS = {
    "initialize_for_backup": lambda b: b.initialize_for_backup(),
    "set_context": lambda b: b.set_context(0x9),
    "set_backup_state": lambda b: b.set_backup_state(True, "full"),
    "gather_writer_metadata": lambda b: b.gather_writer_metadata(),
    "add_component": lambda b: b.add_component(
        "a65faa63-5ea8-4ebc-9dbd-a0c4db26912a", "WIN1", "hr"
    ),
    "start_snapshot_set": lambda b: b.start_snapshot_set(),
    "add_to_snapshot_set": lambda b: b.add_to_snapshot_set("G:\\"),
    "prepare_for_backup": lambda b: b.prepare_for_backup(),
    "backup_complete": lambda b: b.backup_complete(),
    "set_backup_succeeded": lambda b: b.set_backup_succeeded(
        "a65faa63-5ea8-4ebc-9dbd-a0c4db26912a", "WIN1", "hr", True
    ),
}


@pytest.mark.rule("VC-P1")
def test_random_call_sequences_at_the_door_refuse_out_of_order_calls_unchanged() -> None:
    """Random sequences of the Protocol's calls: a call out of order is VSS_E_BAD_STATE and
    leaves the requester's state as it was; the in-order prefix goes through."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    lab = VssLab()
    door = lab.drivers.apps["vss"]

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.sampled_from(sorted(_CALLS)), min_size=1, max_size=10))
    def run(seq: list[str]) -> None:
        b = door.backup("win1")
        try:
            for name in seq:
                before = (b.req.phase, len(b.req.volumes), len(b.req.bcd.writers))
                try:
                    _CALLS[name](b)
                except VssError as exc:
                    if exc.code == "VSS_E_BAD_STATE":
                        assert (b.req.phase, len(b.req.volumes), len(b.req.bcd.writers)) == before
        finally:
            b.release()
        assert not lab.vss().creating

    run()


@pytest.mark.rule("VC-I15")
def test_an_untracked_replica_type_must_be_what_the_array_makes() -> None:
    lab = VssLab()
    untracked = {"track_replica": False, "replica_type": "snapshot"}
    lab.spec(
        application=untracked, replication={"snapshot_type": "snapclone", "keep_for_ir": False}
    )
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.FAILED
    assert "REPLICA_TYPE_MISMATCH" in {m.code for m in s.messages}
    assert eva_targets(lab) == [] and not lab.sql.in_backup_mode()
    lab.spec(
        "snap", application=untracked, replication={"snapshot_type": "vsnap", "keep_for_ir": False}
    )
    ok = lab.orch.run_backup("snap")
    assert ok.status == SessionStatus.COMPLETED, lab.messages(ok)


@pytest.mark.rule("VC-I9")
def test_a_copy_backup_sends_backup_complete_and_leaves_the_history() -> None:
    """The requester completes a COPY like any backup; the writer keeps no history of it."""
    lab = VssLab()
    lab.spec(application={"backup_type": "copy"})
    seen = events(lab)
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert ("SqlServerWriter", "BackupComplete") in seen
    assert lab.sql.backup_history == []
    assert lab.repo.replicas_of_session(s.id)[0].details["vss"]["backup_type"] == "copy"
