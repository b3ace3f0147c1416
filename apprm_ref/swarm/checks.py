"""One seed of one scenario: the drill under a fault plan, its safety and liveness checks.

Safety, after every timeline step and every session's end: the simulators' invariants hold,
and whenever no session is running the estate has no silent leftover — no orphan replica, nothing frozen, no
database in backup mode — unless a session reported it as Critical (a failed undo must be
reported, never silent; REL-I1). Liveness, once the timeline ends: faults stop, every
session ends within a bound, the operator's documented repairs run (purge the purge list,
end backup mode the Critical message named, thaw), and then the estate must have converged:
IDB and arrays agree, nothing left behind, no session open (REL-P1).

The scenario's own expectations are not judged: under faults, sessions are meant to fail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.integrations.oracle_repair import end_backup_mode
from apprm_ref.drill.runner import Drill
from apprm_ref.errors import ApprmError
from apprm_ref.swarm.plan import SwarmPlan
from apprm_ref.types import Severity

LIVENESS_BOUND = 2 * 86400.0  # simulated seconds the estate has to settle once faults stop
OPEN_STATUSES = ("In Progress", "Queuing", "Mount Request")


@dataclass(frozen=True)
class Violation:
    check: str  # invariants | leftovers | session-crash | liveness | convergence
    at: float
    where: str
    detail: str


@dataclass
class SeedOutcome:
    scenario: str
    seed: int
    plan: dict[str, Any]
    violations: list[Violation] = field(default_factory=list)
    sessions: int = 0
    firings: int = 0
    digest: str = ""

    @property
    def passed(self) -> bool:
        return not self.violations

    @property
    def first_broken(self) -> str | None:
        return self.violations[0].check if self.violations else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario, "seed": self.seed, "passed": self.passed,
            "first_broken": self.first_broken, "sessions": self.sessions,
            "firings": self.firings, "digest": self.digest, "plan": self.plan,
            "violations": [v.__dict__ for v in self.violations],
        }  # fmt: skip


@dataclass(frozen=True)
class Leftover:
    text: str
    tokens: tuple[str, ...]  # words a Critical message reporting it must contain

    def reported_in(self, critical: list[str]) -> bool:
        return any(all(t in text for t in self.tokens) for text in critical)

    def __str__(self) -> str:
        return self.text


class SwarmDrill(Drill):
    """A drill that arms a swarm plan and judges safety and liveness instead of expectations."""

    def __init__(self, scenario: Any, *, path: str, plan: SwarmPlan, seed: int) -> None:
        super().__init__(scenario, path=path, seed=seed)
        self.plan = plan
        self.violations: list[Violation] = []
        self._invariants_seen = 0
        self._crashes_seen = 0
        self._unrepairable: set[str] = set()  # in backup mode, damaged by the timeline
        from apprm_ref.sim.faults import FaultRule

        self.orch.observe_sessions(self._watch)
        plan.apply_knobs(self.world.arrays)
        for armed in plan.armed:
            self.world.fault_plan.arm(
                FaultRule(armed.site, probability=armed.probability, times=armed.times)
            )

    # --- safety, after every step -----------------------------------------------------

    def _watch(self, session: Any, proc: Any) -> None:
        """Also judge the estate the moment a session ends with none other running."""
        proc.callbacks.append(lambda _ev: self._safety(f"after session {session.id}"))

    def _check_invariants(self, index: int) -> None:
        super()._check_invariants(index)
        self._safety(f"after step {index}")

    def _safety(self, where: str) -> None:
        fresh = self.result.invariant_violations[self._invariants_seen :]
        self._invariants_seen = len(self.result.invariant_violations)
        for at, problem in fresh:
            self._violate("invariants", where, problem, at)
        crashes = [m for _, m in self.result.errors if " crashed: " in m]
        for message in crashes[self._crashes_seen :]:
            self._violate("session-crash", where, message)
        self._crashes_seen = len(crashes)
        if not self._running():
            critical = self._critical_texts()
            for item in self.leftovers():
                if not item.reported_in(critical):
                    self._violate(
                        "leftovers", where, f"{item} (no session reported it as Critical)"
                    )

    def _violate(self, check: str, where: str, detail: str, at: float | None = None) -> None:
        self.violations.append(Violation(check, self.now() if at is None else at, where, detail))

    def _running(self) -> bool:
        return any(not p.processed for p in self.orch.procs)

    def _critical_texts(self) -> list[str]:
        return [
            m.text for s in self.repo.list_sessions() for m in s.messages
            if m.severity >= Severity.CRITICAL
        ]  # fmt: skip

    def leftovers(self) -> list[Leftover]:
        """What a failed session may leave behind: replica targets the IDB does not track
        (or tracks but the array lost), frozen file systems, databases in backup mode."""
        from apprm_ref.idb.reconcile import reconcile

        found = [
            Leftover(f"{f.kind} replica target {f.array}:{f.volume}", (f.volume,))
            for f in reconcile(self.repo.list_replicas(), self.drivers.arrays)
        ]
        for host in sorted(self.world.hosts.hosts.values(), key=lambda h: h.name):
            found += [
                Leftover(f"{host.name}:{mp} frozen", (mp, "frozen"))
                for mp, m in sorted(host.mounts.items())
                if m.frozen
            ]
        for name in sorted(self.world.apps):
            probe = getattr(self.world.apps[name], "in_backup_mode", None)
            if callable(probe) and probe():
                found.append(Leftover(f"{name} in backup mode", (name, "backup mode")))
        return found

    # --- the run: timeline, then liveness -------------------------------------------------

    def run_swarm(self) -> list[Violation]:
        self._start_scheduler()
        proc = self.world.env.process(self._timeline())
        try:
            self.world.env.run(until=proc)
        except Exception as exc:  # noqa: BLE001 - an escaped error is the finding itself
            self._violate("crash", f"step {self.index}", f"{type(exc).__name__}: {exc}")
            return self.violations
        self.world.fault_plan.rules.clear()  # faults stop: the liveness phase
        drain = self.world.env.process(self.orch.wait_all(LIVENESS_BOUND))
        try:
            self.world.env.run(until=drain)
        except ApprmError as exc:
            self._violate("liveness", "after the timeline", str(exc))
        self._repair()
        self._converged()
        self.orch.collect(self.result)
        return self.violations

    def _repair(self) -> None:
        """The operator's documented repairs after a reported failure, and what the next
        session of each spec repairs by itself (repoints an IDB refused after a switch)."""
        from apprm_ref.core.replication.snapshot_repoint import repoint_pending

        for spec in sorted({r.spec for r in self.repo.list_replicas()}):
            repoint_pending(self.repo, spec, self.drivers.array)
        try:
            self.orch.purge()
        except ApprmError as exc:
            self._violate("convergence", "purge", str(exc))
        for name in sorted(self.drivers.apps):
            app = self.world.apps.get(name)
            if app is not None and getattr(app, "in_backup_mode", lambda: False)():
                try:  # the DBA's documented repair, also after a crash (OPS-I2)
                    end_backup_mode(self.drivers.apps[name])
                except ApprmError as exc:
                    if name not in self._damaged_by_timeline():
                        self._violate("convergence", f"end backup {name}", str(exc))
                    self._unrepairable.add(name)
        for host in sorted(self.world.hosts.hosts.values(), key=lambda h: h.name):
            for mp in sorted(m for m, info in host.mounts.items() if info.frozen):
                self.drivers.host.thaw(host.name, mp)
        self._resync_left_svols()

    def _resync_left_svols(self) -> None:
        """The repair a "Safety copies not released" Critical names: pairresync the split
        S-VOLs no replica tracks, so they follow their P-VOLs again."""
        from apprm_ref.idb.reconcile import ORPHAN, reconcile

        for f in reconcile(self.repo.list_replicas(), self.drivers.arrays):
            drv = self.drivers.arrays[f.array]
            if f.kind != ORPHAN or not hasattr(drv, "pair_resync"):
                continue
            info = drv.volume_info(f.volume)
            pvol = info.source.volume if info.source else ""
            for pair in drv.pairs_of(pvol) if pvol else ():
                if pair.svol == f.volume:
                    try:
                        drv.pair_resync([(pvol, pair.mu)])
                    except ApprmError as exc:
                        self._violate("convergence", f"pairresync {f.volume}", str(exc))

    def _damaged_by_timeline(self) -> set[str]:
        """Applications a ``fail:`` step of the scenario itself damaged (a corrupted or lost
        datafile): once a failed END BACKUP left one in backup mode (reported Critical),
        only media recovery from a backup repairs it, and a faulted seed may have none. The
        swarm does not demand that repair of the product."""
        from apprm_ref.drill.steps import FailStep

        return {
            s.fail.app for s in self.scenario.timeline if isinstance(s, FailStep) and s.fail.app
        }

    def _converged(self) -> None:
        where = "after the liveness phase"
        open_ = [s.id for s in self.repo.list_sessions() if s.status.value in OPEN_STATUSES]
        if open_:
            self._violate("liveness", where, f"sessions never ended: {', '.join(open_)}")
        excused = {f"{name} in backup mode" for name in self._unrepairable}
        for item in self.leftovers():
            if str(item) not in excused:
                self._violate("convergence", where, str(item))
        for problem in self.world.invariant_problems():
            self._violate("invariants", where, problem)
