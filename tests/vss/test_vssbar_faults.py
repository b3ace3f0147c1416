"""Freeze pairing under every fault of the VSS flow (VC-P2), the flush-and-hold limit, and
a SQL writer that times out at Freeze: the session fails with nothing frozen, the next one
fails until the SQL Writer service restarts, then a backup succeeds (VC-P18)."""

from __future__ import annotations

import pytest

from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.sqlserver.failures import hang_writer, restart_writer_service
from apprm_ref.sim.vss.models import WriterState
from apprm_ref.types import SessionStatus
from tests.vss.sqllab import VssLab
from tests.vss.test_vssbar_backup import eva_targets, events

SITES = [
    "vss.identify",
    "vss.prepare_backup",
    "vss.prepare_snapshot",
    "vss.freeze",
    "vss.thaw",
    "vss.post_snapshot",
    "vss.backup_complete",
    "eva.create",
    "host.freeze",
]


def no_one_left_frozen(lab: VssLab) -> None:
    svc = lab.vss()
    assert all(st.state != WriterState.WAITING_FOR_THAW for st in svc.statuses.values())
    assert not svc.creating
    assert not lab.sql.in_backup_mode()
    assert not any(m.frozen for m in lab.world.hosts.host("win1").mounts.values())
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("VC-P2")
@pytest.mark.parametrize("site", SITES)
def test_every_writer_that_saw_freeze_sees_exactly_one_thaw_or_abort(site: str) -> None:
    lab = VssLab()
    lab.spec()
    lab.world.fault_plan.arm(FaultRule(site, times=0))
    seen = events(lab)
    s = lab.orch.run_backup("sqlspec")
    assert s.status in (SessionStatus.FAILED, SessionStatus.COMPLETED)
    for writer in {w for w, e in seen if e == "Freeze"}:
        ends = [e for w, e in seen if w == writer and e in ("Thaw", "Abort")]
        freezes = [e for w, e in seen if w == writer and e == "Freeze"]
        assert len(ends) == len(freezes), (writer, ends)  # one per attempt's Freeze
    no_one_left_frozen(lab)
    if s.status == SessionStatus.FAILED:
        assert eva_targets(lab) == [] and lab.repo.list_replicas(spec="sqlspec") == []


@pytest.mark.rule("VC-P2")
def test_a_replica_slower_than_the_hold_window_fails_the_set_and_is_undone() -> None:
    lab = VssLab()
    lab.world.arrays["eva1"].timing.create_snapclone_s = 12.0  # > 10 s flush-and-hold
    lab.spec()
    seen = events(lab)
    s = lab.orch.run_backup("sqlspec")
    assert s.status == SessionStatus.FAILED
    assert "VSS_E_HOLD_WRITES_TIMEOUT" in {m.code for m in s.messages}
    assert ("SqlServerWriter", "Abort") in seen and ("SqlServerWriter", "Thaw") not in seen
    assert eva_targets(lab) == []
    no_one_left_frozen(lab)


class _Fail:
    def __init__(self, app: str) -> None:
        self.app = app


@pytest.mark.rule("VC-P18")
def test_a_writer_timing_out_at_freeze_fails_until_its_service_restarts() -> None:
    lab = VssLab()
    lab.spec()
    hang_writer(lab.world, _Fail("sql1"))
    first = lab.orch.run_backup("sqlspec")
    assert first.status == SessionStatus.FAILED
    assert "VSS_E_WRITERERROR_TIMEOUT" in {m.code for m in first.messages}
    assert lab.states()["SqlServerWriter"] == (9, "VSS_E_WRITERERROR_TIMEOUT")
    no_one_left_frozen(lab)
    second = lab.orch.run_backup("sqlspec")
    assert second.status == SessionStatus.FAILED
    assert not any("I/O is frozen" in t for at, t in lab.sql.errorlog if at > (first.finished or 0))
    restart_writer_service(lab.world, _Fail("sql1"))
    assert lab.states()["SqlServerWriter"] == (1, "S_OK")
    third = lab.orch.run_backup("sqlspec")
    assert third.status == SessionStatus.COMPLETED, lab.messages(third)
    assert len(lab.repo.list_replicas(spec="sqlspec")) == 1
