"""Delivering one event to writers: the writer state machine (VC-I5), SetWriterFailure's
effect (VC-I8, VSS-10), the per-operation event log (VC-I4) and Freeze pairing (VC-I6).

Each event has the state a writer must be in to receive it, the state it moves to on
success and the FAILED_AT_* state of its phase. A writer in another state (one that failed
earlier, in this operation or a previous one) is not sent the event and keeps its state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.sim.vss.models import BackupType, WriterState
from apprm_ref.sim.vss.writers import Event, Writer, WriterContext
from apprm_ref.sim.vss.xmldoc import BcdComponent

S = WriterState
# event -> (states it is delivered in, state after success, state after failure)
FLOW: dict[Event, tuple[tuple[WriterState, ...], WriterState | None, WriterState]] = {
    Event.PREPARE_FOR_BACKUP: ((S.STABLE,), S.STABLE, S.FAILED_AT_PREPARE_BACKUP),
    Event.PREPARE_FOR_SNAPSHOT: ((S.STABLE,), S.WAITING_FOR_FREEZE, S.FAILED_AT_PREPARE_SNAPSHOT),
    Event.FREEZE: ((S.WAITING_FOR_FREEZE,), S.WAITING_FOR_THAW, S.FAILED_AT_FREEZE),
    Event.THAW: ((S.WAITING_FOR_THAW,), S.WAITING_FOR_POST_SNAPSHOT, S.FAILED_AT_THAW),
    Event.POST_SNAPSHOT: (
        (S.WAITING_FOR_POST_SNAPSHOT,),
        S.WAITING_FOR_BACKUP_COMPLETE,
        S.FAILED_AT_POST_SNAPSHOT,
    ),
    Event.BACKUP_COMPLETE: (
        (S.WAITING_FOR_BACKUP_COMPLETE,),
        S.STABLE,
        S.FAILED_AT_BACKUP_COMPLETE,
    ),
    Event.PRE_RESTORE: ((S.STABLE,), S.STABLE, S.FAILED_AT_PRE_RESTORE),
    Event.POST_RESTORE: ((S.STABLE,), S.STABLE, S.FAILED_AT_POST_RESTORE),
}


@dataclass
class Delivery:
    """One writer's answer: did it veto, what did it set, how long did it take."""

    writer: Writer
    ok: bool
    failure: str
    stalled: float


@dataclass
class Broadcaster:
    """Sends events to a fixed list of writers and records what each received."""

    service: Any  # VssService
    writers: list[Writer]
    log: list[tuple[str, str]] = field(default_factory=list)  # (writer key, event)
    frozen: list[str] = field(default_factory=list)  # got Freeze, no Thaw/Abort yet
    done: list[str] = field(default_factory=list)  # got Abort or BackupComplete

    def context(self, writer: Writer, event: Event, **kw: Any) -> WriterContext:
        world = self.service.world
        return WriterContext(event, self.service.host, now=world.now(), world=world, **kw)

    def send(
        self,
        event: Event,
        *,
        backup_type: BackupType = BackupType.FULL,
        components: dict[str, list[BcdComponent]] | None = None,
        volumes: tuple[str, ...] = (),
        types: dict[str, BackupType] | None = None,
        only: Writer | None = None,
    ) -> list[Delivery]:
        """``event`` to every writer in the state to receive it (or to ``only``)."""
        allowed, ok_state, fail_state = FLOW[event]
        out = []
        for w in self.writers if only is None else [only]:
            if self.service.status(w).state not in allowed or w.key in self.done:
                continue
            ctx = self.context(
                w,
                event,
                backup_type=(types or {}).get(w.key, backup_type),
                components=(components or {}).get(w.key, []),
                volumes=volumes,
            )
            ok = self._call(w, ctx)
            failed = bool(ctx.failure) or not ok
            self.service.set_status(w, fail_state if failed else ok_state, ctx.failure or None)
            if failed and not ctx.failure:
                self.service.set_status(w, fail_state, "VSS_E_WRITERERROR_NONRETRYABLE")
            out.append(Delivery(w, ok, ctx.failure, ctx.stalled))
        return out

    def _call(self, w: Writer, ctx: WriterContext) -> bool:
        self.log.append((w.key, ctx.event.value))
        self.service.world.emit(
            "vss.event", host=self.service.host, writer=w.key, event=ctx.event.value
        )
        if ctx.event == Event.FREEZE:
            self.frozen.append(w.key)
        elif ctx.event == Event.THAW:
            self.frozen.remove(w.key)
        if self._fault(ctx.event, w):
            ctx.set_writer_failure("VSS_E_WRITERERROR_RETRYABLE")
            return False
        return bool(w.handle(ctx))

    def _fault(self, event: Event, w: Writer) -> bool:
        """An armed writer fault: the writer fails the event with a retryable error."""
        faults, host = self.service.world.faults, self.service.host
        if event == Event.FREEZE:
            return bool(faults.fires("vss.freeze", host=host, writer=w.key))
        if event == Event.PREPARE_FOR_SNAPSHOT:
            return bool(faults.fires("vss.prepare_snapshot", host=host, writer=w.key))
        if event == Event.BACKUP_COMPLETE:
            return bool(faults.fires("vss.backup_complete", host=host, writer=w.key))
        return False

    def abort(self, writer: Writer, *, timed_out: bool = False, error: str = "") -> None:
        """OnAbort, at most once per writer and operation; a writer that failed keeps its
        FAILED_AT_* state (VC-P18), others return to STABLE (VC-I5)."""
        if writer.key in self.done:
            return
        self.done.append(writer.key)
        if writer.key in self.frozen:
            self.frozen.remove(writer.key)
        ctx = self.context(writer, Event.ABORT, timed_out=timed_out)
        self.log.append((writer.key, Event.ABORT.value))
        self.service.world.emit(
            "vss.event", host=self.service.host, writer=writer.key, event="Abort"
        )
        writer.handle(ctx)
        st = self.service.status(writer)
        if error:
            self.service.set_status(writer, st.state, error)
        elif not st.state.failed:
            self.service.set_status(writer, WriterState.STABLE)

    def abort_all(self, received: list[str]) -> None:
        """Abort to every writer that took part in this operation and is not done yet."""
        for w in self.writers:
            if w.key in received:
                self.abort(w)

    def shutdown(self, types: dict[str, BackupType] | None = None) -> None:
        """BackupShutdown to every writer of the operation (Windows 2008+); a failure there
        is FAILED_AT_BACKUPSHUTDOWN, success leaves the state as it is."""
        for w in self.writers:
            ctx = self.context(
                w, Event.BACKUP_SHUTDOWN, backup_type=(types or {}).get(w.key, BackupType.FULL)
            )
            self.log.append((w.key, Event.BACKUP_SHUTDOWN.value))
            if not w.handle(ctx) or ctx.failure:
                failure = ctx.failure or "VSS_E_WRITERERROR_NONRETRYABLE"
                self.service.set_status(w, WriterState.FAILED_AT_BACKUPSHUTDOWN, failure)

    def completed(self, key: str) -> None:
        self.done.append(key)

    def received(self) -> list[str]:
        seen: list[str] = []
        for key, _ in self.log:
            if key not in seen:
                seen.append(key)
        return seen
