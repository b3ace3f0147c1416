"""What an EVA session reads before anything changes grows with what it touches, not with
the spec's history or the array: the narrower reads give what the full ones gave."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from eva_lab import Lab

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication import snapshot_repoint as rp
from apprm_ref.core.replication import snapshot_space as space
from apprm_ref.errors import ApprmError
from apprm_ref.types import ReplicaType, SessionStatus, VolumeRef


class SpyRepo:
    """The lab's IDB, with every list query recorded and writes refused on request."""

    def __init__(self, repo: Any, *, writable: bool = True) -> None:
        self.repo, self.writable = repo, writable
        self.lists: list[tuple[str | None, str | None, str | None]] = []

    def list_replicas(self, *, spec=None, array=None, status=None):  # type: ignore[no-untyped-def]
        self.lists.append((spec, array, status))
        return self.repo.list_replicas(spec=spec, array=array, status=status)

    def update_replica(self, replica):  # type: ignore[no-untyped-def]
        assert self.writable, f"unexpected write of {replica.id}"
        self.repo.update_replica(replica)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.repo, name)


def _no_array(name: str) -> Any:
    raise AssertionError(f"array {name} asked")


def _history(lab: Lab, n: int = 4) -> None:
    lab.spec(replicas=2, snapshot_type="vsnap")
    for i in range(n):
        lab.write(f"v{i}")
        assert lab.backup().status == SessionStatus.COMPLETED
        lab.advance(600)


def _full_scan(repo: Any, spec: str) -> list[str]:
    """What the former pass over every replica the spec ever had would settle, with the
    IDB and the arrays left alone: the replicas it would start on."""
    out = []
    for rep in repo.list_replicas(spec=spec):
        if rep.details.get(rp.SWITCHING) and rep.status == ReplicaStatus.CONSUMED:
            out.append(rep.id)
            continue
        moved = rp._moves(rep.details.get(rp.SWITCHED, {}))
        if moved and rp.followers(repo, rep, moved):
            out.append(rep.id)
    return out


def _asked(repo: Any, spec: str) -> list[str]:
    """The replicas the new pass starts on: those with a switch on record, filtered the
    same way."""
    keys = (rp.SWITCHING, rp.SWITCHED)
    return [
        r.id
        for r in repo.replicas_with_details(spec, keys)
        if (r.details.get(rp.SWITCHING) and r.status == ReplicaStatus.CONSUMED)
        or ((moved := rp._moves(r.details.get(rp.SWITCHED, {}))) and rp.followers(repo, r, moved))
    ]


def test_no_switch_reads_no_list_of_the_spec() -> None:
    lab = Lab()
    _history(lab)
    assert any(r.status == ReplicaStatus.DELETED for r in lab.repo.list_replicas(spec="fs"))
    spy = SpyRepo(lab.repo, writable=False)
    assert rp.repoint_pending(spy, "fs", _no_array) == []
    assert spy.lists == []  # not the whole history, not even the live replicas
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == []


@pytest.mark.parametrize("status", [*ReplicaStatus.LIVE])
def test_a_live_snapclone_follower_is_found_as_before(status: str) -> None:
    """Mutated through update_replica (status, type, details) and add_replica."""
    lab = Lab()
    _history(lab)
    old = next(r for r in lab.repo.list_replicas(spec="fs") if r.status == "deleted")
    switched = lab.active()[0]
    switched.status = ReplicaStatus.CONSUMED
    switched.details[rp.SWITCHED] = {str(t.source): str(t.target) for t in switched.targets}
    lab.repo.update_replica(switched)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == []  # no follower yet
    old.replica_type, old.status = ReplicaType.SNAPCLONE, status
    old.targets = [
        dataclasses.replace(t, source=s.source)
        for t, s in zip(old.targets, switched.targets, strict=False)
    ]
    lab.repo.update_replica(old)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == [switched.id]
    old.status = ReplicaStatus.DELETED
    lab.repo.update_replica(old)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == []
    new = dataclasses.replace(old, id="fs#99", sequence=99, status=status, details={})
    lab.repo.add_replica(new)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == [switched.id]


def test_a_consumed_replica_holding_its_write_ahead_is_found_as_before() -> None:
    lab = Lab()
    _history(lab)
    rep = lab.active()[0]
    rep.status = ReplicaStatus.CONSUMED
    lab.repo.update_replica(rep)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == []
    rep.details[rp.SWITCHING] = {str(t.source): str(t.target) for t in rep.targets}
    lab.repo.update_replica(rep)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == [rep.id]
    rep.details.pop(rp.SWITCHING)
    rep.details[rp.SWITCHED] = {str(t.source): str(t.target) for t in rep.targets}
    lab.repo.update_replica(rep)  # switched, followed by no live snapclone
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == []


def test_a_snapclone_switch_is_still_settled_by_the_next_session() -> None:
    """The full scan still runs for a spec with snapclones (followers exist): an IR whose
    repoint the IDB did not take is repointed by the next session, as before."""
    from apprm_ref.core.replication.base import RestoreOptions

    lab = Lab()
    lab.spec(replicas=2, snapshot_type="snapclone")
    older = lab.backup().replica_id
    lab.advance(3600)  # snapclones normalize
    lab.write("b")
    newer = lab.backup().replica_id
    lab.advance(3600)
    s = lab.orch.restore(older, RestoreOptions(method="switch"))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    other = lab.repo.get_replica(newer)
    moved = {t.source.volume for t in other.targets}
    # the IDB as if the repoint write had been refused: the follower on the old sources
    rep = lab.repo.get_replica(older)
    other.targets = [
        dataclasses.replace(t, source=VolumeRef(t.source.array, src.source.volume))
        for t, src in zip(other.targets, rep.targets, strict=True)
    ]
    lab.repo.update_replica(other)
    assert _asked(lab.repo, "fs") == _full_scan(lab.repo, "fs") == [older]
    assert rp.repoint_pending(lab.repo, "fs", lab.drivers.array) == [newer]
    assert {t.source.volume for t in lab.repo.get_replica(newer).targets} == moved


def test_no_failed_clone_reads_no_replica_of_the_array() -> None:
    lab = Lab()
    _history(lab, 2)
    ctx = _ctx(lab)
    spy = SpyRepo(lab.repo, writable=False)
    ctx.repo = spy  # type: ignore[assignment]
    sources = [VolumeRef("eva1", v) for v in ("vd0001", "vd0002")]
    space.report_failed_clones(ctx, lab.drv, sources)
    space.report_frozen(ctx, lab.drv, sources)
    assert spy.lists == []
    assert ctx.session.messages == []


def _ctx(lab: Lab) -> Any:
    from apprm_ref.core.context import SessionContext
    from apprm_ref.core.session import Session
    from apprm_ref.types import SessionType

    spec = lab.repo.get_spec("fs")
    return SessionContext(
        lab.world.env, lab.drivers, lab.repo, Session("t", SessionType.BACKUP, "fs", 0.0), spec
    )


class CountingDriver:
    """The EVA driver with its ``targets_of`` calls counted."""

    def __init__(self, drv: Any) -> None:
        self.drv = drv
        self.calls: list[str] = []

    def targets_of(self, volume: str) -> Any:
        self.calls.append(volume)
        return self.drv.targets_of(volume)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.drv, name)


def test_the_checks_ask_the_array_for_each_source_s_targets_once() -> None:
    lab = Lab()
    _history(lab, 3)
    counting = CountingDriver(lab.drv)
    lab.drivers.arrays["eva1"] = counting  # type: ignore[index]
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    # the checks once per source; the rotation's room check once more, after them
    assert counting.calls == ["vd0001", "vd0002", "vd0001", "vd0002"]


def test_seen_targets_equal_the_array_s_and_a_refusal_is_not_remembered() -> None:
    lab = Lab()
    _history(lab, 2)
    counting = CountingDriver(lab.drv)
    seen = space.SeenTargets(counting)
    assert seen("vd0001") == lab.drv.targets_of("vd0001") != []
    assert seen("vd0001") is seen("vd0001")
    assert counting.calls == ["vd0001"]
    for _ in range(2):  # refused where the array refuses, every time
        with pytest.raises(ApprmError) as refused:
            seen("vd9999")
        assert refused.value.code == "EVA_NO_SUCH_OBJECT"
    assert counting.calls == ["vd0001", "vd9999", "vd9999"]
