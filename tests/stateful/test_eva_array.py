"""Stateful property test of the EVA backend against a small independent model.

After every step the array must hold exactly the vdisks, states, contents and free space
the model predicts, refusals must carry the predicted EVA code and change nothing, and
ARR-I1..I8 must hold. Covers snapshots of each type, writes (vsnap growth until the disk
group is full), time passing (unsharing, copy-back), deletes, presentation and both IR
methods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.backend import EvaBackend
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.sim.storage import MIB
from apprm_ref.sim.world import World

EXTENTS = 64  # per vdisk, 1 MiB extents
CAPACITY = 260  # raw extents in the disk group
RATIO = {"vraid0": (1, 1), "vraid1": (2, 1), "vraid5": (5, 4)}
RANK = {"vraid0": 0, "vraid5": 1, "vraid1": 3}
NORMALIZE_S = EXTENTS * MIB / (100.0 * MIB)
COPY_BACK_S = EXTENTS * MIB / (150.0 * MIB)
KINDS = ["snapshot", "vsnap", "snapclone"]


def raw(n: int, vraid: str) -> int:
    num, den = RATIO[vraid]
    return -(-n * num // den)


@dataclass
class M:
    kind: str
    source: str | None
    vraid: str
    content: dict[int, Any]
    state: str = "available"
    cow: set[int] = field(default_factory=set)
    presented: bool = False
    done_at: float | None = None  # normalize or copy-back end
    peer: str | None = None  # copy-back replica
    drop_peer: bool = False

    @property
    def snap(self) -> bool:
        return self.kind in ("snapshot", "vsnap")

    def alloc(self) -> int:
        return raw(len(self.cow), self.vraid) if self.kind == "vsnap" else raw(EXTENTS, self.vraid)


class EvaMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = World(3)
        self.eva = self.world.add_array(EvaBackend("eva", max_vdisks=10))
        self.eva.add_disk_group("dg", CAPACITY * MIB)
        self.m: dict[str, M] = {}
        for name in ("a", "b"):
            v = self.eva.create_vdisk(name, EXTENTS * MIB, "dg", "vraid5")
            self.m[v.id] = M("original", None, "vraid5", {})

    # --- model helpers ----------------------------------------------------------------

    def free(self) -> int:
        return CAPACITY - sum(v.alloc() for v in self.m.values())

    def targets(self, sid: str) -> list[str]:
        return sorted(k for k, v in self.m.items() if v.source == sid)

    def snaps(self, sid: str) -> list[str]:
        return [k for k in self.targets(sid) if self.m[k].snap and self.m[k].state != "invalid"]

    def cloning(self, sid: str) -> bool:
        return any(self.m[k].state == "normalizing" for k in self.targets(sid))

    def frozen(self, sid: str) -> bool:
        return any(self.m[k].state == "failed" for k in self.targets(sid))

    def restoring(self, vid: str) -> bool:
        return self.m[vid].peer is not None

    def settle_model(self) -> None:
        now = self.world.now()
        due = sorted(
            (v.done_at, k) for k, v in self.m.items() if v.done_at is not None and v.done_at <= now
        )
        for _, k in due:
            v = self.m[k]
            v.done_at = None
            if v.state == "normalizing":
                v.state = "normalized"
                continue
            peer, v.peer = v.peer, None
            if v.drop_peer and peer in self.m and not self.m[peer].presented:
                self.remove(peer)

    def remove(self, vid: str) -> None:
        for k in self.snaps(vid):
            self.m[k].state = "invalid"
        del self.m[vid]

    def expect(self, code: str | None, fn, *args, **kw):  # type: ignore[no-untyped-def]
        event(f"{fn.__name__}: {code or 'ok'}")
        before = self.world.digest()
        if code is None:
            return fn(*args, **kw)
        with pytest.raises(EvaError) as info:
            fn(*args, **kw)
        assert info.value.code == code, (code, info.value)
        if code != "EVA_WRITE_FROZEN" or self.world.digest() == before:
            assert self.world.digest() == before
        return None

    def pick(self, data, pred=lambda k, v: True):  # type: ignore[no-untyped-def]
        ids = sorted(k for k, v in self.m.items() if pred(k, v))
        if not ids:
            return None
        return data.draw(st.sampled_from(ids))

    # --- rules --------------------------------------------------------------------------

    def create_code(self, sid: str, kind: str, vraid: str | None) -> str | None:
        s = self.m[sid]
        if s.snap:
            return "EVA_SOURCE_IS_SNAPSHOT"
        if s.state == "normalizing" or self.restoring(sid):
            return "EVA_SOURCE_NORMALIZING"
        if self.cloning(sid):
            return "EVA_CLONE_IN_PROGRESS"
        vr = vraid or s.vraid
        if kind == "snapclone":
            if self.snaps(sid):
                return "EVA_HAS_SNAPSHOTS"
            need = raw(EXTENTS, vr)
        else:
            if RANK[vr] > RANK[s.vraid]:
                return "EVA_VRAID_TOO_HIGH"
            if any(self.m[k].kind != kind or self.m[k].vraid != vr for k in self.snaps(sid)):
                return "EVA_SNAPSHOT_MISMATCH"
            need = raw(EXTENTS, vr) if kind == "snapshot" else 0
        if need > self.free():
            return "EVA_INSUFFICIENT_SPACE"
        if len(self.m) + 1 > 10:
            return "EVA_VDISK_LIMIT"
        return None

    @rule(
        data=st.data(),
        kind=st.sampled_from(KINDS),
        vraid=st.sampled_from([None, None, "vraid0", "vraid1"]),
        of_target=st.sampled_from([False, False, False, True]),
    )
    def create(self, data, kind, vraid, of_target):  # type: ignore[no-untyped-def]
        """Mostly of a source; sometimes of a snapshot or normalizing clone (refused)."""
        self.eva.settle()
        self.settle_model()
        sid = self.pick(
            data,
            lambda k, v: v.snap or v.state == "normalizing" if of_target else v.kind == "original",
        )
        if sid is None:
            return
        code = self.create_code(sid, kind, vraid)
        spec = TargetSpec(sid, VdiskKind(kind), vraid=vraid)
        made = self.expect(code, self.eva.create_targets, [spec])
        if code is None:
            [t] = made
            s = self.m[sid]
            self.m[t.id] = M(kind, sid, vraid or s.vraid, dict(s.content))
            if kind == "snapclone":
                self.m[t.id].state = "normalizing"
                self.m[t.id].done_at = self.world.now() + NORMALIZE_S

    @rule(
        data=st.data(),
        extents=st.one_of(
            st.lists(st.integers(0, EXTENTS - 1), min_size=1, max_size=8, unique=True),
            st.integers(0, 3).map(lambda q: list(range(q * 8, q * 8 + 40))),
        ),
        tag=st.integers(0, 3),
        to_source=st.sampled_from([True, True, False]),
    )
    def write(self, data, extents, tag, to_source):  # type: ignore[no-untyped-def]
        """Small writes or 40-extent bursts, mostly to sources (vsnaps grow, E11)."""
        vid = self.pick(data, lambda k, v: (v.kind == "original") == to_source)
        if vid is not None:
            self.write_items(vid, extents, tag)

    def write_items(self, vid: str, extents: list[int], tag: int) -> None:
        v = self.m[vid]
        items = {e: f"{vid}:{e}:{tag}" for e in extents}
        origin = v.source if v.snap else vid
        code = None
        needs: dict[str, set[int]] = {}
        if v.state == "failed":
            code = "EVA_SNAPSHOT_FAILED"
        elif v.state == "invalid":
            code = "EVA_SNAPSHOT_INVALID"
        elif origin in self.m and self.frozen(origin):
            code = "EVA_WRITE_FROZEN"
        else:
            vsnaps = (
                [vid]
                if v.kind == "vsnap"
                else []
                if v.kind == "snapshot"
                else [k for k in self.snaps(vid) if self.m[k].kind == "vsnap"]
            )
            needs = {k: set(extents) - self.m[k].cow for k in vsnaps}
            need = sum(raw(len(n), self.m[k].vraid) for k, n in needs.items())
            if need and need > self.free():
                code = "EVA_WRITE_FROZEN"
                for k in self.snaps(origin):
                    if self.m[k].kind == "vsnap":
                        self.m[k].state = "failed"
        self.expect(code, self.eva.block_write, vid, items)
        if code is None:
            v.content.update(items)
            for k, n in needs.items():
                self.m[k].cow |= n

    @rule(data=st.data(), source=st.sampled_from([False, False, False, True]))
    def delete(self, data, source):  # type: ignore[no-untyped-def]
        """Mostly targets; sometimes a source (its snapshots become invalid, E13)."""
        self.eva.settle()
        self.settle_model()
        vid = self.pick(data, lambda k, v: (v.kind == "original") == source)
        if vid is None:
            return
        v = self.m[vid]
        code = None
        if v.presented:
            code = "EVA_VDISK_PRESENTED"
        elif self.cloning(vid):
            code = "EVA_UNSHARING"
        elif self.restoring(vid) or any(m.peer == vid for m in self.m.values()):
            code = "EVA_RESTORE_IN_PROGRESS"
        self.expect(code, self.eva.delete_vdisk, vid)
        if code is None:
            self.remove(vid)

    @precondition(
        lambda self: any(v.kind == "vsnap" and v.state == "available" for v in self.m.values())
    )
    @rule(data=st.data(), tag=st.integers(0, 3))
    def burst_under_vsnaps(self, data, tag):  # type: ignore[no-untyped-def]
        """Rewrite a whole source that has vsnaps: drives the disk group towards E11."""
        sources = sorted(
            {v.source for v in self.m.values() if v.kind == "vsnap" and v.state == "available"}
        )
        sid = data.draw(st.sampled_from(sources))
        self.write_items(sid, list(range(EXTENTS)), tag)

    @rule(data=st.data())
    def toggle_presentation(self, data):  # type: ignore[no-untyped-def]
        vid = self.pick(data, lambda k, v: v.state not in ("failed", "invalid"))
        if vid is None:
            return
        if self.m[vid].presented:
            self.eva.unpresent(vid, "bk")
        else:
            self.eva.present(vid, "bk")
        self.m[vid].presented = not self.m[vid].presented

    @rule(seconds=st.sampled_from([0.25, 1.0, 5.0]))
    def advance(self, seconds):  # type: ignore[no-untyped-def]
        self.world.advance(seconds)

    @rule(data=st.data(), keep=st.booleans())
    def copy_back(self, data, keep):  # type: ignore[no-untyped-def]
        self.eva.settle()
        self.settle_model()
        tid = self.pick(data, lambda k, v: v.source is not None)
        if tid is None:
            return
        t = self.m[tid]
        s = self.m.get(t.source)  # type: ignore[arg-type]
        code = None
        if s is None:
            code = "EVA_NO_SUCH_OBJECT"
        elif t.state in ("failed", "invalid"):
            code = "EVA_SNAPSHOT_FAILED" if t.state == "failed" else "EVA_SNAPSHOT_INVALID"
        elif self.restoring(t.source) or self.restoring(tid) or t.state == "normalizing":
            code = "EVA_RESTORE_IN_PROGRESS"
        elif not keep and t.presented:
            code = "EVA_VDISK_PRESENTED"
        elif self.frozen(t.source):
            code = "EVA_WRITE_FROZEN"
        if code is None:
            changed = {
                k for k in set(s.content) | set(t.content) if s.content.get(k) != t.content.get(k)
            }
            vsnaps = [k for k in self.snaps(t.source) if self.m[k].kind == "vsnap"]
            needs = {k: changed - self.m[k].cow for k in vsnaps}
            if sum(raw(len(n), self.m[k].vraid) for k, n in needs.items()) > self.free():
                code = "EVA_INSUFFICIENT_SPACE"
        self.expect(code, self.eva.restore_copy_back, tid, t.source, keep=keep)
        if code is None:
            for k, n in needs.items():
                self.m[k].cow |= n
            s.content = dict(t.content)
            s.peer, s.drop_peer, s.done_at = tid, not keep, self.world.now() + COPY_BACK_S

    @rule(data=st.data())
    def switch(self, data):  # type: ignore[no-untyped-def]
        self.eva.settle()
        self.settle_model()
        tid = self.pick(data, lambda k, v: v.kind == "snapclone" and v.source in self.m)
        if tid is None:
            return
        t, sid = self.m[tid], self.m[tid].source
        code = None
        if t.state != "normalized":
            code = "EVA_RESTORE_NOT_ALLOWED"
        elif t.presented:
            code = "EVA_VDISK_PRESENTED"
        elif self.restoring(sid) or self.restoring(tid):
            code = "EVA_RESTORE_IN_PROGRESS"
        elif self.cloning(sid):
            code = "EVA_UNSHARING"
        elif self.snaps(sid):
            code = "EVA_RESTORE_NOT_ALLOWED"
        self.expect(code, self.eva.restore_switch, sid, tid)
        if code is None:
            presented = self.m[sid].presented
            for k in self.targets(sid):
                if self.m[k].kind == "snapclone" and k != tid and self.m[k].state != "normalizing":
                    self.m[k].source = tid
            self.remove(sid)
            t.kind, t.source, t.state, t.presented = "original", None, "available", presented

    # --- comparison -----------------------------------------------------------------------

    @invariant()
    def matches_model(self) -> None:
        self.eva.settle()
        self.settle_model()
        assert sorted(self.eva.vdisks) == sorted(self.m)
        for k, mv in self.m.items():
            v = self.eva.vdisks[k]
            assert (v.kind.value, v.source, v.vraid.value, v.state.value) == (
                mv.kind,
                mv.source,
                mv.vraid,
                mv.state,
            ), k
            assert v.data.written() == dict(sorted(mv.content.items())), k
            assert set(v.cow) == mv.cow, k
            assert bool(v.presentations) == mv.presented
        assert self.eva.free_raw("dg") == self.free()
        assert self.eva.check_invariants() == []


TestEvaArray = pytest.mark.rule(
    "ARR-I1", "ARR-I2", "ARR-I4", "ARR-I5", "ARR-I6", "ARR-I7", "ARR-I8", "ARR-P3", "ARR-P8"
)(EvaMachine.TestCase)
