"""Random backups, instant recoveries, deletions and writes of one XP specification against
a small model of the replica set: the MU chosen by each run, which replicas are kept, and
the exact content each replica and each restored source holds."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

sys.path.insert(0, str(Path(__file__).parents[1] / "unit" / "core" / "replication"))
from xp_estate import make_estate  # noqa: E402

from apprm_ref.core.replication.base import RestoreOptions  # noqa: E402
from apprm_ref.types import SessionStatus  # noqa: E402

MUS = (2, 0, 1)  # a list out of numeric order: rotation follows the list


class XpRotation(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.est = make_estate({"mu": list(MUS)})
        self.replicas: list[dict] = []  # model: id, mu, created, content (oldest first)
        self.n = 0

    def next_mu(self) -> int:
        held = {r["mu"]: r for r in self.replicas}
        free = [m for m in MUS if m not in held]
        if free:
            return free[0]
        return min(MUS, key=lambda m: held[m]["created"])

    @rule()
    def write(self) -> None:
        self.n += 1
        self.est.write(f"w{self.n}")

    @rule()
    def backup(self) -> None:
        mu = self.next_mu()
        session = self.est.backup()
        assert session.status == SessionStatus.COMPLETED, [m.text for m in session.messages]
        rep = self.est.repo.get_replica(session.replica_id)
        assert rep.mu == mu
        self.replicas = [r for r in self.replicas if r["mu"] != mu]
        self.replicas.append(
            {"id": rep.id, "mu": mu, "created": rep.created_at, "content": self.est.contents()}
        )
        self.est.advance(600)

    @precondition(lambda self: self.replicas)
    @rule(data=st.data(), keep=st.booleans(), method=st.sampled_from(["normal", "quick"]))
    def restore(self, data, keep: bool, method: str) -> None:  # type: ignore[no-untyped-def]
        model = data.draw(st.sampled_from(self.replicas))
        session = self.est.orch.restore(
            model["id"], RestoreOptions(method=method, keep_replica=keep)
        )
        assert session.status == SessionStatus.COMPLETED, [m.text for m in session.messages]
        assert self.est.contents() == model["content"]  # ARR-P4
        if not keep:
            self.replicas.remove(model)
        self.est.advance(600)

    @precondition(lambda self: self.replicas)
    @rule(data=st.data())
    def delete(self, data) -> None:  # type: ignore[no-untyped-def]
        model = data.draw(st.sampled_from(self.replicas))
        self.est.orch.delete_replica(model["id"])
        self.replicas.remove(model)
        self.est.advance(600)

    @invariant()
    def set_matches_model(self) -> None:
        active = self.est.active()
        assert len(active) <= len(MUS)  # ARR-I13
        assert sorted(r.id for r in active) == sorted(r["id"] for r in self.replicas)
        by_id = {r["id"]: r for r in self.replicas}
        for rep in active:
            assert rep.tracked and rep.mu == by_id[rep.id]["mu"]
            for t in rep.targets:
                got = self.est.xp.content(t.target.volume).written()
                assert got == by_id[rep.id]["content"][t.source.volume]
        self.est.world.check_invariants()


TestXpRotation = XpRotation.TestCase
TestXpRotation.settings = settings(settings.default, max_examples=15, stateful_step_count=15)
TestXpRotation.pytestmark = [
    pytest.mark.rule("ARR-P1"),
    pytest.mark.rule("ARR-P2"),
    pytest.mark.rule("ARR-I13"),
    pytest.mark.rule("ARR-P4"),
    pytest.mark.rule("ARR-P5"),
]
