"""Stateful property test of the EVA replication method over the simulator: rotation bound
and order (ARR-P1, ARR-P2, ARR-I13), one type per session (ARR-I18), IR exactness and
consumption (ARR-P4, ARR-P5), no orphan target, invariants after every step."""

from __future__ import annotations

import sys
from pathlib import Path

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.idb.reconcile import reconcile
from apprm_ref.types import SessionStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit" / "core"))
import pytest  # noqa: E402
from eva_lab import Lab  # noqa: E402


class RotationMachine(RuleBasedStateMachine):
    @initialize(kind=st.sampled_from(["standard", "vsnap", "snapclone"]), n=st.integers(1, 3))
    def setup(self, kind: str, n: int) -> None:
        self.lab = Lab("2GiB")
        self.lab.spec(snapshot_type=kind, replicas=n)
        self.kind, self.n = kind, n
        self.made: list[tuple[str, tuple]] = []  # (replica id, content at backup), oldest first
        self.gone: set[str] = set()
        self.tag = 0

    def kept(self) -> list[tuple[str, tuple]]:
        return [m for m in self.made if m[0] not in self.gone][-self.n :]

    @rule()
    def write(self) -> None:
        self.tag += 1
        self.lab.write(str(self.tag))

    @rule()
    def backup(self) -> None:
        content = self.lab.content()
        s = self.lab.backup()
        assert s.status == SessionStatus.COMPLETED, self.lab.messages(s)
        rep = self.lab.repo.get_replica(s.replica_id)
        assert {t.replica_type for t in rep.targets} == {rep.replica_type}  # ARR-I18
        for old in self.kept()[: max(0, len(self.kept()) - self.n + 1)]:
            self.gone.add(old[0])  # the oldest leaves first (ARR-P2)
        self.made.append((s.replica_id, content))
        self.lab.advance(900)  # unsharing and copies end before the next step

    @precondition(lambda self: bool(self.kept()))
    @rule(data=st.data(), keep=st.booleans(), switch=st.booleans())
    def restore(self, data, keep: bool, switch: bool) -> None:  # type: ignore[no-untyped-def]
        rid, content = data.draw(st.sampled_from(self.kept()))
        switch = switch and self.kind == "snapclone"
        opts = RestoreOptions(method="switch" if switch else "copy-back", keep_replica=keep)
        s = self.lab.orch.restore(rid, opts)
        assert s.status == SessionStatus.COMPLETED, self.lab.messages(s)
        assert self.lab.content() == content  # ARR-P4
        if switch or not keep:
            self.gone.add(rid)  # ARR-P5
        self.lab.advance(900)

    @rule(seconds=st.sampled_from([60.0, 3600.0]))
    def advance(self, seconds: float) -> None:
        self.lab.advance(seconds)

    @invariant()
    def matches(self) -> None:
        if not hasattr(self, "lab"):
            return
        active = self.lab.active()
        assert [r.id for r in active] == [m[0] for m in self.kept()]  # ARR-P1, ARR-I13
        assert all(a.created_at < b.created_at for a, b in zip(active, active[1:], strict=False))
        live = {t.target.volume for r in active for t in r.targets}
        assert set(self.lab.targets()) == live  # nothing left behind, nothing lost
        assert reconcile(self.lab.repo.list_replicas(), self.lab.drivers.arrays) == []
        assert self.lab.world.invariant_problems() == []
        for rid in self.gone:
            assert self.lab.repo.get_replica(rid).status in (
                ReplicaStatus.DELETED,
                ReplicaStatus.CONSUMED,
            )


TestEvaRotation = pytest.mark.rule("ARR-P1", "ARR-P2", "ARR-P4", "ARR-P5", "ARR-I13", "ARR-I18")(
    RotationMachine.TestCase
)
