"""The orchestrator as a drill sees it: every session it starts is traced and awaited.

``TracedOrchestrator`` only observes: it records each session's start and end, and after
every end the replica statuses of the spec (so a replica's lifetime is known to the
second a session retired it). Session references of a restore step resolve here.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any, cast

import simpy

from apprm_ref.core.integrations.base import RecoveryOptions, recovery_options_for
from apprm_ref.core.replication.base import restore_options_for
from apprm_ref.core.service import Orchestrator
from apprm_ref.core.session import Session
from apprm_ref.drill.refs import parse_session_ref
from apprm_ref.drill.result import DrillResult, ReplicaRow, RestoreRow, SessionRow
from apprm_ref.drivers import registry
from apprm_ref.drivers.kinds import Rpo
from apprm_ref.errors import NotFoundError, OrchestrationError, RecoveryError
from apprm_ref.types import SessionType, Severity

DRAIN_LIMIT = 2 * 86400.0  # simulated seconds a drill waits for running sessions

if TYPE_CHECKING:
    from apprm_ref.drill.runner import Drill
    from apprm_ref.drill.schema import Restore


class TracedOrchestrator(Orchestrator):
    def __init__(
        self, drivers: Any, repo: Any, env: simpy.Environment, epoch: Any, drill: Drill
    ) -> None:
        super().__init__(drivers, repo, env, epoch=epoch)
        self.drill = drill
        self.procs: list[simpy.Process] = []
        self.restores: dict[str, dict[str, Any]] = {}
        self.replica_status: dict[str, str] = {}
        self.replica_removed: dict[str, float] = {}
        self._last: Session | None = None
        self.observe_sessions(self._watch)

    def _watch(self, session: Session, proc: simpy.Process) -> None:
        self._last = session
        self.drill.trace.record(
            self.env.now,
            "session.start",
            id=session.id,
            spec=session.spec,
            session_type=session.type,
        )
        proc.callbacks.append(lambda ev, s=session: self._ended(ev, s))
        self.procs.append(proc)

    def _ended(self, ev: simpy.Event, session: Session) -> None:
        self.drill.note_firings()
        if not ev.ok:
            ev.defused = True
            self.drill.result.errors.append(
                (float(self.env.now), f"session {session.id} crashed: {ev.value!r}")
            )
            self.drill.trace.record(
                self.env.now, "session.crash", id=session.id, error=repr(ev.value)
            )
            return
        warn = [
            {"at": m.at, "severity": m.severity.label, "code": m.code, "text": m.text}
            for m in session.messages
            if m.severity >= Severity.WARNING
        ]
        self.drill.trace.record(
            self.env.now, "session.end", id=session.id, status=session.status,
            replica=session.replica_id, messages=len(session.messages), problems=warn,
        )  # fmt: skip
        self._replica_changes(session.spec)

    def _replica_changes(self, spec: str) -> None:
        for rep in self.repo.list_replicas(spec=spec):
            if self.replica_status.get(rep.id) != rep.status:
                if rep.id in self.replica_status and rep.status != "active":
                    self.replica_removed.setdefault(rep.id, float(self.env.now))
                self.replica_status[rep.id] = rep.status
                self.drill.trace.record(
                    self.env.now, "replica", id=rep.id, status=rep.status, session=rep.session_id,
                    created_at=rep.created_at, targets=sorted(str(t.target) for t in rep.targets),
                )  # fmt: skip

    # --- waiting ------------------------------------------------------------------------

    def wait(self, proc: simpy.Process) -> Generator[simpy.Event, Any, None]:
        if not proc.triggered or not proc.processed:
            yield simpy.AnyOf(self.env, [proc])

    def wait_all(self, limit: float = DRAIN_LIMIT) -> Generator[simpy.Event, Any, None]:
        """Until every session started so far has ended, or ``limit`` simulated seconds passed
        (a hung session must not hang the drill while workloads keep the clock going)."""
        deadline = float(self.env.now) + limit
        while True:
            pending = [p for p in self.procs if not p.processed]
            if not pending:
                return
            if self.env.now >= deadline:
                raise OrchestrationError(
                    f"{len(pending)} session(s) still running after {limit / 3600:g}h", code="HUNG"
                )
            timeout = self.env.timeout(deadline - self.env.now)
            yield simpy.AnyOf(self.env, [simpy.AllOf(self.env, pending), timeout])

    # --- restores -----------------------------------------------------------------------

    def backup_sessions(self, spec: str) -> tuple[list[str], list[str]]:
        """Backup sessions of ``spec`` oldest first: all of them, and those with a replica."""
        rows = sorted(
            self.repo.list_sessions(spec=spec, type=SessionType.BACKUP.value),
            key=lambda s: (s.started, s.id),
        )
        return [s.id for s in rows], [s.id for s in rows if s.replica_id]

    def resolve(self, ref_text: str) -> str:
        ref = parse_session_ref(ref_text)
        if ref.session_id is not None:
            return ref.session_id
        assert ref.spec is not None
        chosen = ref.pick(*self.backup_sessions(ref.spec))
        if chosen is None:
            raise NotFoundError(f"no backup session {ref_text!r} with a replica (yet)")
        return chosen

    def start_restore_ref(self, r: Restore, drill: Drill) -> simpy.Process:
        session_id = self.resolve(r.session)
        replica = self.find_replica(session_id)
        spec = self.repo.get_spec(replica.spec)
        app_opts, recovered_to = _recovery(r, drill, replica.created_at, spec.type)
        given = {"method": r.method, "keep_replica": r.keep, "retain_source": r.retain_source}
        array_opts = restore_options_for(
            self.drivers.array(replica.array), {k: v for k, v in given.items() if v is not None}
        )
        proc = self.start_restore(session_id, array_opts, app_opts)
        failure = max((t for t in drill.failures if t <= self.env.now), default=None)
        assert self._last is not None
        self.restores[self._last.id] = {
            "replica": replica.id, "method": r.method or "default", "failure_at": failure,
            "recovered_to": recovered_to if recovered_to is not None else failure,
        }  # fmt: skip
        return proc

    # --- results ------------------------------------------------------------------------

    def collect(self, result: DrillResult) -> None:
        sessions = sorted(self.repo.list_sessions(), key=lambda s: (s.started, s.id))
        for s in sessions:
            result.sessions.append(_session_row(s))
            info = self.restores.get(s.id)
            if s.type == SessionType.RESTORE and info is not None:
                result.restores.append(_restore_row(s, info))
        for rep in self.repo.list_replicas():
            result.replicas.append(
                ReplicaRow(
                    rep.id,
                    rep.spec,
                    rep.session_id,
                    str(rep.replica_type),
                    rep.status,
                    rep.created_at,
                    self.replica_removed.get(rep.id),
                    len(rep.targets),
                )  # fmt: skip
            )


def _recovery(
    r: Restore, drill: Drill, created_at: float, spec_type: str
) -> tuple[RecoveryOptions, float | None]:
    """Core recovery options (the application kind's model) and the point in time the data
    will reflect (None: the failure, where the kind's RPO rule rolls forward to it)."""
    desc = registry.application(spec_type)

    def options(**given: Any) -> RecoveryOptions:
        return cast(RecoveryOptions, recovery_options_for(spec_type, given))

    complete = None if desc.rpo is Rpo.ROLL_FORWARD else created_at
    rec = r.recovery
    if r.recovery_group:  # Exchange: into the recovery storage group, production untouched
        return options(components=tuple(r.components), recovery_group=r.recovery_group), complete
    if r.components:  # a VSS restore of some components only
        return options(components=tuple(r.components)), complete
    if rec is None:
        return options(), complete
    resetlogs = rec.resetlogs
    if rec.until == "none":
        return options(recover=False, open_resetlogs=resetlogs), created_at
    if rec.until == "now":
        return options(until="now", open_resetlogs=resetlogs), complete
    from apprm_ref.drill import points
    from apprm_ref.drill.timeparse import parse_at

    if rec.scn is not None:
        scn = rec.scn if isinstance(rec.scn, int) else points.end_of_backup_scn(drill, rec.scn)
        return options(until="scn", scn=scn, open_resetlogs=resetlogs), created_at
    if isinstance(rec.time, points.PointRef):
        t = points.end_of_backup_time(drill, rec.time)
    else:
        t = drill.marks[rec.label][0] if rec.label is not None else parse_at(rec.time or 0)
    return options(until="time", time=t, open_resetlogs=resetlogs), t


def _session_row(s: Session) -> SessionRow:
    window = None
    if s.backup_mode_seconds:
        end = next((m.at for m in s.messages if "created at one instant" in m.text), None)
        if end is not None:
            window = (end - s.backup_mode_seconds, end)
    return SessionRow(
        s.id, s.type.value, s.spec, s.status.value, s.started, s.finished, s.replica_id,
        window, len(s.messages), s.worst.label,
        tuple((m.code or "", m.text) for m in s.messages),
    )  # fmt: skip


def _restore_row(s: Session, info: dict[str, Any]) -> RestoreRow:
    start = info["failure_at"] if info["failure_at"] is not None else s.started
    rto = (s.finished - start) if s.finished is not None else None
    rec = info["recovered_to"]
    rpo = (start - rec) if rec is not None else None
    ok = s.status.value.startswith("Completed")
    return RestoreRow(
        s.id, s.spec, info["replica"], info["method"], s.status.value, s.started, s.finished,
        info["failure_at"], rec, rto if ok else None, max(0.0, rpo) if (ok and rpo is not None) else None,
    )  # fmt: skip


__all__ = ["TracedOrchestrator", "RecoveryError"]
