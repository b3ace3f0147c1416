"""Random split / resync / restore / write / advance sequences on one P-VOL with three MUs,
compared after every step with a small model: the S-VOL of a split pair reads exactly the
P-VOL of the split instant plus its own writes, the bitmaps hold exactly the tracks written
on either side since the split, a resync copies only those (everything after PSUE), and a
refused command or write changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apprm_ref import persist
from apprm_ref.errors import XpError
from apprm_ref.sim.world import World
from apprm_ref.sim.xp.backend import XpBackend

P = "01:00"
SVOLS = {0: "01:10", 1: "01:11", 2: "01:12"}
SIZE = 8
STATES = [
    "SMPL",
    "COPY(PD)",
    "PAIR",
    "COPY(SP)",
    "PSUS(SP)",
    "PSUS",
    "COPY(RS)",
    "COPY(RS-R)",
    "PSUE",
]
TABLE = {  # the model's own copy of the acceptance table (protocols.md 2.3 / arrays.md 3.3)
    "create": "Ok Np Np Np Ab Ab Np Np Ab",
    "split": "Ab Ab Ok Np Np Np Ab Ab Ab",
    "resync": "Ab Np Np Ab Ok Ok Np Np Ok",
    "restore": "Ab Np Np Ab Ok Ok Np Np Ab",
    "delete": "Np Ok Ok Ok Ab Ok Ok Ok Ok",
    "suspend": "Ab Ok Ok Ok Ok Ok Ok Ok Np",
}  # fmt: skip
FOLLOWING = {"COPY(PD)", "PAIR", "COPY(RS)"}
TRACKING = {"COPY(SP)", "PSUS(SP)", "PSUS"}


def expected(command: str, state: str) -> str:
    return TABLE[command].split()[STATES.index(state)]


class XpPairs(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World(11)
        self.xp = self.world.add_array(XpBackend("xp"))
        for lid in [P, *SVOLS.values()]:
            self.xp.add_ldev(lid, SIZE)
        self.p: dict[int, object] = {}
        self.s: dict[int, dict[int, object]] = {mu: {} for mu in SVOLS}
        self.changed: dict[int, set[int]] = {mu: set() for mu in SVOLS}
        self.n = 0
        self.xp.block_write(P, {0: "v0"}, host="h")
        self.p[0] = "v0"
        for mu in (0, 1):  # start with two established pairs, MU 2 left SMPL
            self.xp.paircreate(P, SVOLS[mu], mu)
        self.world.advance(5)

    # --- helpers --------------------------------------------------------------------------

    def state(self, mu: int) -> str:
        return self.xp.pair_state(P, mu)

    def value(self) -> str:
        self.n += 1
        return f"v{self.n}"

    def attempt(self, outcome: str, action) -> bool:  # type: ignore[no-untyped-def]
        before = persist.dump(self.xp)
        if outcome == "Ab":
            with pytest.raises(XpError):
                action()
            assert persist.dump(self.xp) == before, "refusal changed the array"
            return False
        action()
        if outcome == "Np":
            assert persist.dump(self.xp) == before, "Np changed the array"
        return outcome == "Ok"

    def own_copy_of_p(self, mu: int) -> None:
        self.s[mu] = dict(self.p)

    # --- rules ------------------------------------------------------------------------------

    @rule(mu=st.sampled_from(sorted(SVOLS)))
    def create(self, mu: int) -> None:
        state, outcome = self.state(mu), expected("create", self.state(mu))
        if state == "SMPL" and any(self.state(m) == "COPY(RS-R)" for m in SVOLS if m != mu):
            outcome = "Ab"  # no new pair while the P-VOL is being restored (arrays.md 3.3)
        if self.attempt(outcome, lambda: self.xp.paircreate(P, SVOLS[mu], mu)):
            self.changed[mu] = set()

    @rule(mu=st.sampled_from(sorted(SVOLS)), quick=st.booleans())
    def split(self, mu: int, quick: bool) -> None:
        if self.attempt(
            expected("split", self.state(mu)), lambda: self.xp.pairsplit([(P, mu)], quick=quick)
        ):
            self.own_copy_of_p(mu)
            self.changed[mu] = set()

    @rule(mu=st.sampled_from(sorted(SVOLS)))
    def resync(self, mu: int) -> None:
        state = self.state(mu)
        if self.attempt(expected("resync", state), lambda: self.xp.pairresync([(P, mu)])):
            pair = self.xp.pairs[f"{P}/{mu}"]
            want = SIZE if state == "PSUE" else len(self.changed[mu])
            assert pair.copy_tracks == want  # ARR-I11: differences only, all after PSUE
            self.changed[mu] = set()

    @rule(mu=st.sampled_from(sorted(SVOLS)), quick=st.booleans())
    def restore(self, mu: int, quick: bool) -> None:
        state = self.state(mu)
        outcome = expected("restore", state)
        others = [self.state(m) for m in SVOLS if m != mu]
        if outcome == "Ok" and any(o not in ("SMPL", "PSUS", "PSUS(SP)", "PSUE") for o in others):
            outcome = "Ab"
        action = lambda: self.xp.pairresync([(P, mu)], restore=True, quick=quick)  # noqa: E731
        if self.attempt(outcome, action):
            old_p = dict(self.p)
            self.p = dict(self.s[mu])
            if quick:
                self.s[mu] = old_p
            for m in SVOLS:
                if m != mu and self.state(m) in TRACKING:
                    self.changed[m] |= self.changed[mu]
            self.changed[mu] = set()

    @rule(mu=st.sampled_from(sorted(SVOLS)))
    def delete(self, mu: int) -> None:
        state = self.state(mu)
        done = self.attempt(expected("delete", state), lambda: self.xp.pairdelete([(P, mu)]))
        if done and state in FOLLOWING:
            self.own_copy_of_p(mu)

    @rule(mu=st.sampled_from(sorted(SVOLS)))
    def suspend(self, mu: int) -> None:
        state = self.state(mu)
        done = self.attempt(expected("suspend", state), lambda: self.xp.pairsuspend([(P, mu)]))
        if done and state in FOLLOWING:
            self.own_copy_of_p(mu)

    @rule(track=st.integers(0, SIZE - 1))
    def write_p(self, track: int) -> None:
        states = [self.state(m) for m in SVOLS]
        outcome = "Ab" if "COPY(RS-R)" in states else "Ok"
        v = self.value()
        if self.attempt(outcome, lambda: self.xp.block_write(P, {track: v}, host="h")):
            self.p[track] = v
            for m in SVOLS:
                if self.state(m) in TRACKING:
                    self.changed[m].add(track)

    @rule(mu=st.sampled_from(sorted(SVOLS)), track=st.integers(0, SIZE - 1))
    def write_s(self, mu: int, track: int) -> None:
        state = self.state(mu)
        outcome = "Ok" if state in ("SMPL", "PSUS", "PSUS(SP)") else "Ab"
        v = self.value()
        if self.attempt(outcome, lambda: self.xp.block_write(SVOLS[mu], {track: v}, host="h")):
            self.s[mu][track] = v
            if state != "SMPL":
                self.changed[mu].add(track)

    @rule(seconds=st.sampled_from([0.5, 1.0, 3.0, 30.0]))
    def advance(self, seconds: float) -> None:
        self.world.advance(seconds)

    # --- comparison with the model ------------------------------------------------------------

    @invariant()
    def matches_model(self) -> None:
        xp = self.xp
        assert {i: v for i, v in xp.content(P).written().items() if v is not None} == self.p
        for mu, svol in SVOLS.items():
            state = self.state(mu)
            if state in FOLLOWING:
                self.own_copy_of_p(mu)
            got = {i: v for i, v in xp.content(svol).written().items() if v is not None}
            assert got == self.s[mu], (mu, state)
            if state in TRACKING:
                pair = xp.pairs[f"{P}/{mu}"]
                assert pair.pdiff | pair.sdiff == self.changed[mu]
        assert self.world.invariant_problems() == []


TestXpPairs = XpPairs.TestCase  # settings: the profile loaded by tests/conftest.py
TestXpPairs.pytestmark = [
    pytest.mark.rule("ARR-I10"),
    pytest.mark.rule("ARR-I11"),
    pytest.mark.rule("ARR-I12"),
    pytest.mark.rule("ARR-P3"),
]
