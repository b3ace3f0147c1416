"""Restore previews (OPS-I9) and their agreement with the recovery they preview (OPS-P1)."""

from __future__ import annotations

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from recover_lab import Saved, build

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.recoverability import Target, assess, choose
from apprm_ref.types import SessionStatus

SAVED = Saved.of(build())


def _targets() -> st.SearchStrategy[Target]:
    last = max(c.scn for c in SAVED.commits) + 1
    end = max(c.time for c in SAVED.commits)
    return st.one_of(
        st.just(Target()),
        st.integers(1000, last).map(lambda n: Target("scn", scn=n)),
        st.sampled_from(sorted({c.time for c in SAVED.commits}))
        .flatmap(lambda t: st.sampled_from([t - 1.0, t, t + 1.0]))
        .filter(lambda t: 0 <= t <= end)
        .map(lambda t: Target("time", time=t)),
    )


@pytest.mark.rule("OPS-P1")
@settings(max_examples=40)
@given(
    which=st.sampled_from([0, 1]),
    target=_targets(),
    lost=st.one_of(st.none(), st.sampled_from(sorted({a["seq"] for a in SAVED.archives}))),
)
def test_the_preview_agrees_with_the_recovery(which: int, target: Target, lost: int | None) -> None:
    lab = SAVED.fresh()
    if lost is not None:
        lab.db.damage_archived_log(lost)
    replica = lab.repo.list_replicas(spec="ora")[which]
    spec = lab.repo.get_spec("ora")
    verdict = assess(lab.drivers, spec, replica, target, now=lab.world.now())
    done = lab.restore(replica.id, target)
    reached = done.status == SessionStatus.COMPLETED and lab.db.data() == lab.expected(target)
    messages = "\n".join(f"{m.code} {m.text}" for m in done.messages)
    event(f"{verdict.restorable} {[r.code for r in verdict.reasons]}")
    assert verdict.restorable == reached, (verdict, done.status, messages)


@pytest.mark.rule("OPS-I9")
def test_choose_takes_the_newest_replica_that_reaches_the_target() -> None:
    lab = SAVED.fresh()
    spec, now = lab.repo.get_spec("ora"), lab.world.now()
    old, new = lab.repo.list_replicas(spec="ora")
    before = (lab.world.to_bytes(), lab.repo.list_sessions(), lab.repo.list_replicas())
    assert choose(lab.drivers, lab.repo, spec, Target(), now=now).replica_id == new.id
    mrp, floor = (
        new.details["oracle"]["min_recovery_scn"],
        new.details["oracle"]["min_recovery_time"],
    )
    by_scn = choose(lab.drivers, lab.repo, spec, Target("scn", scn=mrp - 1), now=now)
    assert by_scn.replica_id == old.id and by_scn.restorable
    assert [r.code for r in by_scn.skipped[0].reasons] == ["BEFORE_MIN_RECOVERY_POINT"]
    by_time = choose(lab.drivers, lab.repo, spec, Target("time", time=floor), now=now)
    assert by_time.replica_id == old.id and by_time.skipped[0].replica_id == new.id
    future = choose(lab.drivers, lab.repo, spec, Target("time", time=now + 1), now=now)
    assert not future.restorable and future.reasons[0].code == "TARGET_IN_FUTURE"
    assert "ORA" not in future.reasons[0].code
    ahead = assess(lab.drivers, spec, new, Target("scn", scn=10**9), now=now)
    assert [r.code for r in ahead.reasons] == ["TARGET_IN_FUTURE"]
    assert (lab.world.to_bytes(), lab.repo.list_sessions(), lab.repo.list_replicas()) == before


@pytest.mark.rule("OPS-I9")
def test_not_active_not_tracked_and_missing_logs_are_reasons() -> None:
    lab = SAVED.fresh()
    spec, now = lab.repo.get_spec("ora"), lab.world.now()
    old, new = lab.repo.list_replicas(spec="ora")
    new.status = ReplicaStatus.CONSUMED
    lab.repo.update_replica(new)
    old.tracked = False
    lab.repo.update_replica(old)
    verdict = choose(lab.drivers, lab.repo, spec, Target(), now=now)
    assert not verdict.restorable
    assert [v.reasons[0].code for v in (verdict, *verdict.skipped)] == [
        "NOT_ACTIVE",
        "NOT_TRACKED",
    ]
    lab = SAVED.fresh()
    (_, new) = lab.repo.list_replicas(spec="ora")
    online = {g.sequence for g in lab.drivers.apps["PRD"].online_logs()}
    lost = min(  # needed by recovery, archived, no longer in an online group
        a.sequence
        for a in lab.drivers.apps["PRD"].archived_logs()
        if a.sequence >= new.details["oracle"]["archived_through"] and a.sequence not in online
    )
    name = lab.db.damage_archived_log(lost)
    (reason,) = assess(lab.drivers, spec, new, Target(), now=now).reasons
    assert reason.code == "ARCHIVE_MISSING" and name in reason.message
    assert lab.restore(new.id, Target()).status == SessionStatus.FAILED  # and so it is


@pytest.mark.rule("OPS-I9")
@pytest.mark.rule("REL-I6")
def test_a_replica_whose_array_identity_changed_is_not_restorable() -> None:
    lab = SAVED.fresh()
    spec, now = lab.repo.get_spec("ora"), lab.world.now()
    _, new = lab.repo.list_replicas(spec="ora")
    field = sorted(new.targets[0].identity)[0]
    new.targets[0].identity[field] = "something else"  # as if re-created under the same name
    (reason,) = assess(lab.drivers, spec, new, Target(), now=now).reasons
    assert reason.code == "REPLICA_IDENTITY" and "no longer matches the array" in reason.message
