"""Hypothesis state machines for any conformance subject, compared with a model after every
step (the house pattern of tests/stateful/test_xp_pairs.py), observe-only: the driver's own
answers are judged against the model, so they run on wire-door drivers as on the sims.

``snapshot_machine(factory)`` / ``split_mirror_machine(factory)`` return a machine class
bound to a subject factory (``apprm_ref.conformance.subjects.SUBJECTS[name]``); a test
runs its ``TestCase`` under the project's Hypothesis profile. Every refusal the model
predicts must come with its exact code and change nothing the driver reports.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from apprm_ref.conformance import snapshot_checks as sc
from apprm_ref.conformance import split_checks as xc
from apprm_ref.conformance.snapshot_replica_checks import SECOND
from apprm_ref.conformance.suite import Ctx, Subject
from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.errors import ApprmError

Factory = Callable[[int], Subject]


@dataclass
class Target:
    source: str
    rtype: str
    hosts: set[str] = field(default_factory=set)


class _SubjectMachine(RuleBasedStateMachine):
    factory: Factory
    observe: Callable[[Subject], Any]

    def __init__(self) -> None:
        super().__init__()
        self.subject = type(self).factory(0)
        self.ctx = Ctx(self.subject, type(self).observe, observe_only=True)

    def attempt(self, fn: Callable[[], Any], code: str | None) -> Any:
        """``code`` None: must be accepted; else refused with it, nothing changed."""
        if code is not None:
            self.ctx.refused(fn, code, repeat=1)
            return None
        return fn()


class SnapshotModel(_SubjectMachine):
    """Replicas of two fixture sources, presented to two hosts, deleted, normalized."""

    observe = staticmethod(sc.observe)

    def __init__(self) -> None:
        super().__init__()
        self.targets: dict[str, Target] = {}
        self.clones_copying: set[str] = set()

    def _code(self, source: str, rtype: str) -> str | None:
        caps = self.subject.driver.capabilities()
        mine = [t for t in self.targets.values() if t.source == source]
        for t in mine:
            if t.rtype == "snapclone" and t.source in self.clones_copying:
                return SECOND[("snapclone", rtype)]
        for t in mine:
            if t.rtype != "snapclone" and SECOND[(t.rtype, rtype)] is not None:
                return SECOND[(t.rtype, rtype)]
        limit = self.subject.driver.snapshot_limit(source)
        if rtype != "snapclone" and sum(t.rtype != "snapclone" for t in mine) >= limit:
            return "EVA_SNAPSHOT_LIMIT"
        return None if caps.has(rtype) else "skip"

    @rule(i=st.integers(0, 1), rtype=st.sampled_from(sorted(sc.TYPES)))
    def create(self, i: int, rtype: str) -> None:
        source = sc.src(self.ctx, i)
        code = self._code(source, rtype)
        if code == "skip":
            return
        req = [ReplicaRequest(source, sc.TYPES[rtype])]
        op = self.attempt(lambda: self.subject.driver.create_replicas(req), code)
        if op is not None:
            (t,) = op.result
            self.targets[t.target.volume] = Target(source, rtype)
            if rtype == "snapclone":
                self.clones_copying.add(source)

    @rule(data=st.data())
    def delete(self, data: st.DataObject) -> None:
        if not self.targets:
            return
        vol = data.draw(st.sampled_from(sorted(self.targets)))
        t = self.targets[vol]
        code = "EVA_VDISK_PRESENTED" if t.hosts else None
        if t.rtype == "snapclone" and t.source in self.clones_copying:
            self.normalize()
        self.attempt(lambda: self.subject.driver.delete_volume(vol), code)
        if code is None:
            del self.targets[vol]

    @rule(data=st.data(), host=st.sampled_from(("conf-h1", "conf-h2")), on=st.booleans())
    def presentation(self, data: st.DataObject, host: str, on: bool) -> None:
        if not self.targets or not self.subject.driver.capabilities().has("present"):
            return
        vol = data.draw(st.sampled_from(sorted(self.targets)))
        hosts = self.targets[vol].hosts
        d = self.subject.driver
        if on:
            code = "EVA_ALREADY_PRESENTED" if host in hosts else None
            self.attempt(lambda: d.present(vol, host), code)
            hosts.add(host)
        else:
            code = None if host in hosts else "EVA_NOT_PRESENTED"
            self.attempt(lambda: d.unpresent(vol, host), code)
            hosts.discard(host)

    @rule()
    def normalize(self) -> None:
        for vol, t in sorted(self.targets.items()):
            if t.rtype == "snapclone":
                sc.settle(self.ctx, vol)
        self.clones_copying.clear()

    @invariant()
    def driver_matches_model(self) -> None:
        d = self.subject.driver
        listed = {v.ref.volume: v for v in d.list_volumes() if v.role == "target"}
        assert sorted(listed) == sorted(self.targets), (sorted(listed), sorted(self.targets))
        for vol, t in self.targets.items():
            v = listed[vol]
            assert v.source is not None and v.source.volume == t.source, v
            assert v.replica_type == sc.TYPES[t.rtype], v
            assert set(v.presented_to) == t.hosts, (v.presented_to, t.hosts)


# stable pair states after a waited operation: (state, op) -> new state, or the refusal code
PAIR_MODEL: dict[tuple[str, str], str] = {
    ("SMPL", "create"): "PAIR", ("SMPL", "split"): "!EX_INVVOL", ("SMPL", "resync"): "!EX_INVVOL",
    ("SMPL", "suspend"): "!EX_INVVOL", ("SMPL", "delete"): "SMPL", ("SMPL", "restore"): "!EX_INVVOL",
    ("PAIR", "create"): "PAIR", ("PAIR", "split"): "PSUS", ("PAIR", "resync"): "PAIR",
    ("PAIR", "suspend"): "PSUE", ("PAIR", "delete"): "SMPL", ("PAIR", "restore"): "PAIR",
    ("PSUS", "create"): "!EX_CMDRJE", ("PSUS", "split"): "PSUS", ("PSUS", "resync"): "PAIR",
    ("PSUS", "suspend"): "PSUE", ("PSUS", "delete"): "SMPL", ("PSUS", "restore"): "PAIR",
    ("PSUE", "create"): "!EX_CMDRJE", ("PSUE", "split"): "!EX_CMDRJE", ("PSUE", "resync"): "PAIR",
    ("PSUE", "suspend"): "PSUE", ("PSUE", "delete"): "SMPL", ("PSUE", "restore"): "!EX_CMDRJE",
}  # fmt: skip
_CALL: dict[str, Callable[[Any, str, str, int], Any]] = {
    "create": lambda d, p, s, mu: d.pair_create(p, s, mu),
    "split": lambda d, p, s, mu: d.pair_split([(p, mu)]),
    "resync": lambda d, p, s, mu: d.pair_resync([(p, mu)]),
    "restore": lambda d, p, s, mu: d.pair_resync([(p, mu)], restore=True),
    "suspend": lambda d, p, s, mu: d.pair_suspend([(p, mu)]),
    "delete": lambda d, p, s, mu: d.pair_delete(p, mu),
}
_NEEDS = {"create": "pair-create", "restore": "reverse-restore"}


class SplitMirrorModel(_SubjectMachine):
    """Pairs of two fixture P-VOLs on MU#0 and #1 through every RAID Manager operation."""

    observe = staticmethod(xc.observe)

    def __init__(self) -> None:
        super().__init__()
        self.states = {(i, mu): "SMPL" for i in (0, 1) for mu in (0, 1)}

    @rule(i=st.integers(0, 1), mu=st.integers(0, 1), op=st.sampled_from(sorted(_CALL)))
    def operate(self, i: int, mu: int, op: str) -> None:
        need = _NEEDS.get(op)
        if need and not self.subject.driver.capabilities().has(need):
            return
        s = self.subject.fixture.sets[i]
        before = self.states[(i, mu)]
        after = PAIR_MODEL[(before, op)]
        if op == "restore" and before == "PSUS" and self._others_busy(i, mu):
            after = "!EX_CMDRJE"  # arrays.md 3.7: every other MU of the P-VOL split first
        code = after[1:] if after.startswith("!") else None
        self.attempt(lambda: _CALL[op](self.subject.driver, s.pvol, s.svols[mu], mu), code)
        if code is None:
            xc.wait(self.ctx, [(s.pvol, mu)], after)  # the stable state the model knows
            self.states[(i, mu)] = after

    def _others_busy(self, i: int, mu: int) -> bool:
        return any(
            st_ not in ("SMPL", "PSUS", "PSUE")
            for (j, m), st_ in self.states.items()
            if j == i and m != mu
        )

    @invariant()
    def driver_matches_model(self) -> None:
        d = self.subject.driver
        for (i, mu), want in self.states.items():
            s = self.subject.fixture.sets[i]
            got = d.pair_info(s.pvol, mu)
            assert got.state == want, f"{s.pvol} MU#{mu}: driver {got.state}, model {want}"
            assert got.svol == (None if want == "SMPL" else s.svols[mu]), got
        for i in (0, 1):
            pvol = self.subject.fixture.sets[i].pvol
            mus = [p.mu for p in d.pairs_of(pvol)]
            assert mus == [mu for mu in (0, 1) if self.states[(i, mu)] != "SMPL"], mus


def _bound(base: type[_SubjectMachine], factory: Factory, name: str) -> Any:
    return type(name, (base,), {"factory": staticmethod(factory)})


def snapshot_machine(factory: Factory) -> Any:
    return _bound(SnapshotModel, factory, "SnapshotModelOf")


def split_mirror_machine(factory: Factory) -> Any:
    return _bound(SplitMirrorModel, factory, "SplitMirrorModelOf")


__all__ = ["ApprmError", "snapshot_machine", "split_mirror_machine"]
