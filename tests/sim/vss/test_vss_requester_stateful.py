"""Random sequences of requester calls against the VC-I1 order: a call the order allows
succeeds, any other returns VSS_E_BAD_STATE and changes nothing; the host's creation slot
is held exactly from StartSnapshotSet to the end of the creation (VC-I2); no writer is left
waiting for Thaw (VC-P2)."""

from __future__ import annotations

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from vsslab import APP_ID, app_writer, make_world, service

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.creation import run
from apprm_ref.sim.vss.models import WriterState
from apprm_ref.sim.vss.requester import BackupComponents, Phase

P = Phase
# call -> phases it is legal in, phase after (None: unchanged)
ORDER = {
    "initialize": ({P.NEW}, P.INITIALIZED),
    "set_context": ({P.INITIALIZED}, None),
    "set_backup_state": ({P.INITIALIZED}, P.STATE_SET),
    "gather": ({P.STATE_SET}, P.GATHERED),
    "add_component": ({P.GATHERED}, None),
    "start": ({P.GATHERED}, P.SET_STARTED),
    "add_volume": ({P.SET_STARTED}, None),
    "prepare": ({P.SET_STARTED}, P.PREPARED),
    "do_snapshot_set": ({P.PREPARED}, P.CREATED),
    "set_succeeded": ({P.CREATED}, None),
    "backup_complete": ({P.CREATED}, P.COMPLETED),
    "abort": ({P.SET_STARTED, P.PREPARED, P.CREATED}, P.ABORTED),
}


class Requester(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.world = make_world(eva={"default_type": "snapshot"})
        self.req = BackupComponents(service(self.world))
        self.component_added = False

    def _state(self) -> tuple[object, ...]:
        svc = self.req.service
        return (self.req.phase, len(self.req.volumes), svc.creating, len(svc.shadows))

    def _call(self, name: str, fn) -> None:  # type: ignore[no-untyped-def]
        phases, after = ORDER[name]
        before = self._state()
        if self.req.phase in phases:
            fn()
            if after is not None:
                assert self.req.phase == after
            return
        with pytest.raises(VssError) as exc:
            fn()
        assert exc.value.code == "VSS_E_BAD_STATE", (name, exc.value)
        assert self._state() == before

    @rule()
    def initialize(self) -> None:
        self._call("initialize", self.req.initialize_for_backup)

    @rule()
    def set_context(self) -> None:
        self._call("set_context", lambda: self.req.set_context(0x9))

    @rule()
    def set_backup_state(self) -> None:
        self._call("set_backup_state", lambda: self.req.set_backup_state(True))

    @rule()
    def gather(self) -> None:
        self._call("gather", self.req.gather_writer_metadata)

    @rule()
    def add_component(self) -> None:
        if self.component_added and self.req.phase == P.GATHERED:
            return  # a second AddComponent is OBJECT_ALREADY_EXISTS, tested elsewhere
        self._call("add_component", lambda: self.req.add_component(APP_ID, "SIMHOST", "appdb"))
        self.component_added = self.component_added or self.req.phase == P.GATHERED

    @rule()
    def start(self) -> None:
        self._call("start", self.req.start_snapshot_set)

    @rule(volume=st.sampled_from(["E:", "F:"]))
    def add_volume(self, volume: str) -> None:
        listed = [v.ref.label for v in self.req.volumes]
        if self.req.phase == P.SET_STARTED and volume + "\\" in listed:
            with pytest.raises(VssError) as exc:
                self.req.add_to_snapshot_set(volume)
            assert exc.value.code == "VSS_E_OBJECT_ALREADY_EXISTS"
            return
        self._call("add_volume", lambda: self.req.add_to_snapshot_set(volume))

    @rule()
    def prepare(self) -> None:
        has = bool(self.req.volumes)
        if self.req.phase == P.SET_STARTED and not has:
            with pytest.raises(VssError):
                self.req.prepare_for_backup()
            return
        self._call("prepare", self.req.prepare_for_backup)

    @rule()
    def do_snapshot_set(self) -> None:
        self._call("do_snapshot_set", lambda: run(self.req.do_snapshot_set()).result())

    @rule()
    def set_succeeded(self) -> None:
        call = lambda: self.req.set_backup_succeeded(APP_ID, "SIMHOST", "appdb", True)  # noqa: E731
        if self.req.phase == P.CREATED and not self.component_added:
            with pytest.raises(VssError) as exc:
                call()
            assert exc.value.code == "VSS_E_OBJECT_NOT_FOUND"  # never added
            return
        self._call("set_succeeded", call)

    @rule()
    def backup_complete(self) -> None:
        self._call("backup_complete", self.req.backup_complete)

    @rule()
    def abort(self) -> None:
        self._call("abort", self.req.abort_backup)

    @rule()
    def next_in_order(self) -> None:
        """The next call of the documented order, so sequences reach the later phases."""
        step = {
            P.NEW: self.initialize,
            P.INITIALIZED: self.set_backup_state,
            P.STATE_SET: self.gather,
            P.GATHERED: self.start,
            P.SET_STARTED: self.prepare if self.req.volumes else lambda: self.add_volume("E:"),
            P.PREPARED: self.do_snapshot_set,
            P.CREATED: self.backup_complete,
        }.get(self.req.phase)
        if step is not None:
            step()

    @invariant()
    def creation_slot_and_freeze_pairing(self) -> None:
        holding = self.req.phase in (P.SET_STARTED, P.PREPARED)
        assert (self.req.service.creating == self.req.set_id != "") == holding
        st_ = self.req.service.status(app_writer(self.world)).state
        assert st_ != WriterState.WAITING_FOR_THAW


# each example builds a lab world: few examples, long sequences (the suite's time budget)
Requester.TestCase.settings = settings(max_examples=10, stateful_step_count=40, deadline=None)
TestRequester = pytest.mark.rule("VC-I1")(pytest.mark.rule("VC-I2")(Requester.TestCase))
