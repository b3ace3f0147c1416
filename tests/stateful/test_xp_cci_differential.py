"""Stateful differential test (WIRE-P1, XP): random operation sequences through the
simulator's in-process XP door (``XpDriver``) and through the real RAID Manager driver
(``XpCciDriver``) over the CCI door, on two identical worlds. After every step both give the
same answer or the same refusal code and the same pair states, S-VOLs, sizes and WWNs; the
clocks are brought to the same instant (a wait on one side is time on both). HORCM
instances of the CCI side are shut down at random: the real driver starts them again and
nothing observable differs.

Batches are a whole HORCM group (one ``pairsplit -g``: one instant, as the backend splits a
batch) or a single pair, the two forms RAID Manager can make atomic.
"""

from __future__ import annotations

import pytest
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apprm_ref.errors import ApprmError
from apprm_ref.real.xp_cci import XpCciDriver
from apprm_ref.sim.world import World
from apprm_ref.sim.xp.backend import XpBackend
from apprm_ref.sim.xp.cci.runner import SimCciRunner
from apprm_ref.sim.xp.driver import XpDriver
from apprm_ref.types import Op

PAIRS = [("01:10", 0, "01:20"), ("01:11", 0, "01:22"), ("01:10", 1, "01:21"), ("01:11", 1, "01:23")]
GROUPS = {"G0": PAIRS[:2], "G1": PAIRS[2:]}
SIZE = 24  # extents


def _world(seed: int) -> World:
    world = World(seed)
    xp = world.add_array(XpBackend("xp1", serial=64123))
    for lid in ("01:10", "01:11", "01:20", "01:21", "01:22", "01:23"):
        xp.add_ldev(lid, SIZE)
    xp.block_write("01:10", {0: "a", 3: "b"})
    return world


def _conf(mine: int, other: int, side: int) -> str:
    lines = [
        "HORCM_MON",
        f"localhost {mine} 1000 3000",
        "HORCM_CMD",
        "\\\\.\\CMD-64123:/dev/sd",
        "HORCM_LDEV",
    ]
    for g, pairs in GROUPS.items():
        for p, mu, s in pairs:
            lines.append(f"{g} d{p.replace(':', '')} 64123 {p if side == 0 else s} {mu}")
    lines += ["HORCM_INST"] + [f"{g} localhost {other}" for g in GROUPS]
    return "\n".join(lines) + "\n"


class Twin:
    def __init__(self, seed: int = 5) -> None:
        self.wa, self.wb = _world(seed), _world(seed)
        self.sim = XpDriver(self.wa, "xp1")
        confs = {0: _conf(31000, 31001, 0), 1: _conf(31001, 31000, 1)}
        self.runner = SimCciRunner(self.wb, confs, {"HORCMINST": "0", "HORCC_MRCF": "1"})
        self.cci = XpCciDriver(
            self.runner, 0, groups=list(GROUPS), name="xp1", now=self.wb.now, partner_instance=1
        )

    def do(self, method: str, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
        a = _call(self.sim, method, args, kwargs)
        b = _call(self.cci, method, args, kwargs)
        if isinstance(a, ApprmError) or isinstance(b, ApprmError):
            assert getattr(a, "code", "ok") == getattr(b, "code", "ok"), (
                f"{method}{args}: {a!r} / {b!r}"
            )
        self.sync(a.done_at if isinstance(a, Op) else None)
        return getattr(a, "code", None) or "ok"

    def sync(self, done_at: float | None) -> None:
        t = max(self.wa.now(), self.wb.now(), done_at or 0.0)
        for w in (self.wa, self.wb):
            if w.now() < t:
                w.clock.run_until(t)

    def observe(self) -> None:
        for p, mu, _ in PAIRS:
            a, b = self.sim.pair_info(p, mu), self.cci.pair_info(p, mu)
            assert (a.state, a.svol) == (b.state, b.svol), (p, mu, a, b)
        for lid in ("01:10", "01:11", "01:20", "01:23"):
            a, b = self.sim.volume_info(lid), self.cci.volume_info(lid)
            assert (a.wwn, a.size_bytes) == (b.wwn, b.size_bytes), lid


def _call(driver, method: str, args, kwargs):  # type: ignore[no-untyped-def]
    try:
        return getattr(driver, method)(*args, **kwargs)
    except ApprmError as exc:
        return exc


_batch = st.one_of(
    st.sampled_from(sorted(GROUPS)).map(lambda g: [(p, mu) for p, mu, _ in GROUPS[g]]),
    st.sampled_from(PAIRS).map(lambda t: [(t[0], t[1])]),
)


class CciDifferential(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.twin = Twin()

    def _do(self, method: str, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        event(f"{method}: {self.twin.do(method, *args, **kwargs)}")

    @rule(i=st.integers(0, len(PAIRS) - 1))
    def create(self, i: int) -> None:
        p, mu, s = PAIRS[i]
        self._do("pair_create", p, s, mu)

    @rule(batch=_batch, quick=st.booleans())
    def split(self, batch, quick: bool) -> None:  # type: ignore[no-untyped-def]
        self._do("pair_split", batch, quick=quick)

    @rule(batch=_batch, restore=st.booleans(), quick=st.booleans())
    def resync(self, batch, restore: bool, quick: bool) -> None:  # type: ignore[no-untyped-def]
        self._do("pair_resync", batch, restore=restore, quick=quick)

    @rule(batch=_batch)
    def suspend(self, batch) -> None:  # type: ignore[no-untyped-def]
        self._do("pair_suspend", batch)

    @rule(i=st.integers(0, len(PAIRS) - 1))
    def delete(self, i: int) -> None:
        p, mu, _ = PAIRS[i]
        self._do("pair_delete", p, mu)

    @rule(batch=_batch, state=st.sampled_from(["PAIR", "PSUS", "SMPL"]))
    def wait(self, batch, state: str) -> None:  # type: ignore[no-untyped-def]
        self._do("wait_pairs", batch, state)

    @rule(seconds=st.sampled_from([0.5, 20.0, 300.0]))
    def advance(self, seconds: float) -> None:
        self.twin.sync(self.twin.wa.now() + seconds)

    @rule(inst=st.sampled_from([0, 1]))
    def horcm_down(self, inst: int) -> None:
        """An instance dies on the CCI host; the in-process door has no such thing."""
        self.twin.runner.cci.set_running(inst, False)

    @invariant()
    def same_observable_state(self) -> None:
        self.twin.observe()
        for w in (self.twin.wa, self.twin.wb):
            assert w.array("xp1").check_invariants() == []


CciDifferential.TestCase.settings = settings(
    settings.default,
    max_examples=max(10, settings.default.max_examples // 4),
    stateful_step_count=max(15, settings.default.stateful_step_count // 2),
)
TestCciDifferential = pytest.mark.rule("WIRE-P1")(CciDifferential.TestCase)


@pytest.mark.rule("WIRE-P1")
def test_driver_restarts_horcm_and_reports_size_and_wwn() -> None:
    twin = Twin()
    twin.runner.cci.running = set()  # the host booted without HORCM
    twin.do("pair_create", "01:10", "01:20", 0)
    assert twin.runner.cci.running == {0, 1} and twin.cci.horcm_starts == 2
    info = twin.cci.volume_info("01:10")
    assert info.size_bytes == twin.wb.array("xp1").ldev("01:10").data.size_bytes > 0
    assert info.wwn == twin.wb.array("xp1").volume_wwn("01:10")
    twin.observe()
