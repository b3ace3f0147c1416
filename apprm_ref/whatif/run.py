"""Run a plan's year on the simulators: the Scheduler starts every session, the workloads
write, and a sampler reads the arrays through their drivers every ``SAMPLE_S``.

The world, drivers, IDB (in memory) and Orchestrator are the ones a drill builds; what a
finished session leaves is kept as a :class:`SessionNote` (its messages are not: a year
of them is most of the memory), with the replicas its spec still holds after it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.scheduler import Scheduler
from apprm_ref.core.service import Orchestrator
from apprm_ref.core.session import Session
from apprm_ref.drill.build import build_estate, make_drivers, make_repo
from apprm_ref.drill.workload import Workloads
from apprm_ref.errors import ApprmError, ConfigError
from apprm_ref.longrun import long_run_gc
from apprm_ref.types import SessionStatus, Severity
from apprm_ref.whatif.observe import Sample, sample
from apprm_ref.whatif.plan import Plan, PurgeCfg

DAY = 86400.0
SAMPLE_S = 6 * 3600.0  # four samples a day: one per typical backup interval
WORKLOAD_EPOCH_S = 3600.0
DRAIN_S = DAY  # how long sessions still running at the horizon may take to end
ROTATION = re.compile(r"rotat", re.IGNORECASE)
MAX_PROBLEMS = 3

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class SessionNote:
    """What the year keeps of one finished session."""

    id: str
    spec: str
    status: SessionStatus
    started: float
    began: float  # when it left the queue (its first BSM message)
    finished: float
    replica_id: str | None
    replica_at: float | None  # the replica's point in time
    rotation: tuple[str, ...]  # rotation messages, in order
    kept: tuple[str, ...]  # the spec's active replicas after the session
    problems: tuple[str, ...]  # its first Major-or-worse messages


@dataclass
class Year:
    plan: Plan
    days: int
    epoch: Any  # datetime of simulated second 0
    sessions: list[SessionNote] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    blocked_writes: int = 0
    scheduled: int = 0
    purges: int = 0  # archive purges that ran
    purges_refused: list[str] = field(default_factory=list)


class Tracker:
    """Keeps a :class:`SessionNote` of every session the Orchestrator starts."""

    def __init__(self, year: Year, repo: Any) -> None:
        self.year, self.repo = year, repo

    def started(self, session: Session, proc: Any) -> None:
        proc.callbacks.append(lambda ev: self._ended(ev.value) if ev.ok else None)

    def _ended(self, s: Session) -> None:
        began = next((m.at for m in s.messages if m.origin == "BSM"), s.started)
        rep_at = self.repo.get_replica(s.replica_id).created_at if s.replica_id else None
        kept = tuple(
            r.id for r in self.repo.list_replicas(spec=s.spec, status=ReplicaStatus.ACTIVE)
        )
        worst = [
            f"[{m.severity.name}] {m.text}" for m in s.messages if m.severity >= Severity.MAJOR
        ]
        self.year.sessions.append(
            SessionNote(
                s.id, s.spec, s.status, s.started, began, s.finished or s.started,
                s.replica_id, rep_at,
                tuple(m.text for m in s.messages if ROTATION.search(m.text)),
                kept, tuple(worst[:MAX_PROBLEMS]),
            )
        )  # fmt: skip


def run_plan(plan: Plan, days: int, progress: Progress | None = None) -> Year:
    """Simulate ``days`` days of ``plan``; ``progress(day, days)`` after each day."""
    world = build_estate(plan.estate, plan.seed)
    drivers = make_drivers(world)
    repo = make_repo(None)
    orch = Orchestrator(drivers, repo, world.env, epoch=world.clock.epoch)
    for spec in plan.specs:
        orch.create_spec(spec)
    year = Year(plan, days, world.clock.epoch)
    orch.observe_sessions(Tracker(year, repo).started)
    loads = Workloads(world, plan.specs, lambda kind, **_: _blocked(year, kind), WORKLOAD_EPOCH_S)
    for w in plan.workloads:
        loads.control(w.app, "start", w.rate)
    for p in plan.purges:
        world.env.process(_purge(world, p, year))
    horizon = days * DAY
    sched = Scheduler(world.env, world.clock.epoch, orch.start_backup)
    sched.run(plan.specs, horizon)
    world.env.process(_sampler(world, drivers.arrays, year, horizon, progress))
    with long_run_gc():
        world.env.run(until=horizon)
        for w in plan.workloads:
            loads.control(w.app, "stop", None)
        _drain(world.env, orch, horizon + DRAIN_S)
    year.scheduled = len(sched.started)
    return year


def _purge(world: Any, cfg: PurgeCfg, year: Year) -> Generator[Any, Any, None]:
    """The DBA's archived-log purge every ``every``; a refusal (database down, destination
    busy) is counted and the next run catches up, as the job would."""
    keep, every = cfg.seconds()
    app = world.apps[cfg.app]
    purge = getattr(app, "delete_archived_logs", None)
    if purge is None:
        raise ConfigError(f"application {cfg.app} keeps no archived logs to purge")
    while True:
        yield world.env.timeout(every)
        try:
            purge(world.now() - keep)
            year.purges += 1
        except ApprmError as exc:
            year.purges_refused.append(f"{cfg.app}: {exc}")


def _blocked(year: Year, kind: str) -> None:
    if kind == "workload.blocked":
        year.blocked_writes += 1


def _sampler(
    world: Any, arrays: dict[str, Any], year: Year, horizon: float, progress: Progress | None
) -> Generator[Any, Any, None]:
    env, per_day = world.env, int(DAY // SAMPLE_S)
    n = 0
    while env.now <= horizon:
        year.samples.append(sample(float(env.now), arrays))
        n += 1
        if progress is not None and n % per_day == 1 and n > 1:
            progress(min(int(env.now // DAY), year.days), year.days)
        if env.now + SAMPLE_S > horizon:
            break
        yield env.timeout(SAMPLE_S)
    if progress is not None:
        progress(year.days, year.days)


def _drain(env: Any, orch: Orchestrator, until: float) -> None:
    """Let the sessions still running at the horizon end (nothing new starts)."""
    while orch.running and env.peek() <= until:
        env.step()
