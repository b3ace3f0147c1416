"""Run a scenario on simulated time and judge it.

The timeline is one SimPy process: each step waits for its time, acts, is traced, and
the world's invariants are checked after it. Backups and restores are the orchestrator's
own SimPy processes, so they overlap with later steps exactly as scheduled sessions would.
At the end the expectations are evaluated against the IDB, the arrays and the data.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import simpy

from apprm_ref.drill import datastate, schema
from apprm_ref.drill.build import build_estate, make_drivers, make_repo
from apprm_ref.drill.loader import format_loc, load_scenario
from apprm_ref.drill.result import DrillResult, Marker
from apprm_ref.drill.sessions import TracedOrchestrator
from apprm_ref.drill.trace import Trace, file_digest
from apprm_ref.errors import ApprmError, ConfigError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.world import World

Progress = Callable[[int, int, str], None]


class Drill:
    """One run of one scenario; ``run()`` returns a :class:`DrillResult`."""

    def __init__(
        self,
        scenario: schema.Scenario,
        *,
        path: str = "<scenario>",
        file_sha256: str = "",
        seed: int | None = None,
        idb: str | None = None,
        progress: Progress | None = None,
    ) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        self.progress = progress
        header = {
            "scenario": path,
            "scenario_sha256": file_sha256,
            "seed": self.seed,
            "name": scenario.name,
        }
        self.trace = Trace(header)
        self.result = DrillResult(scenario.name, path, self.seed, 0.0, trace=self.trace)
        self.world: World = self._located(
            lambda: build_estate(scenario.estate, self.seed), ("estate",)
        )
        data = datastate.capture(self.world, scenario.specs)
        self.trace.record(self.now(), "estate", data=data, **estate_view(self.world))
        self.world.subscribe(
            lambda ev: self.trace.record(ev.at, "world", kind=ev.kind, data=ev.data)
        )
        self.drivers = make_drivers(self.world)
        self.repo = make_repo(idb)
        self.repo.faults = self.world.faults  # idb.* sites (inert unless armed)
        self.orch = TracedOrchestrator(
            self.drivers, self.repo, self.world.env, self.world.clock.epoch, self
        )
        for i, spec in enumerate(scenario.specs):
            self._located(lambda spec=spec: self.orch.create_spec(spec, replace=True), ("specs", i))
        from apprm_ref.drill.workload import Workloads

        self.workloads = Workloads(self.world, scenario.specs, self.note)
        self.marks: dict[str, tuple[float, datastate.State]] = {}
        self.failures: list[float] = []
        self.index = -1  # the timeline step running
        self._firings_seen = len(self.world.fault_plan.log)

    def _located(self, fn: Callable[[], Any], loc: tuple[Any, ...]) -> Any:
        """Run ``fn``; a ConfigError it raises names the scenario file and line of ``loc``."""
        try:
            return fn()
        except ApprmError as exc:
            if not isinstance(exc, ConfigError):  # an impossible estate: the array's own error
                err = ConfigError(str(exc))
                err.file, err.line, err.field = (
                    self.result.path,
                    self.scenario.line(*loc),
                    format_loc(loc),
                )
                raise err from None
            if exc.file is None:
                exc.file = self.result.path
                field = (exc.field or "").split(".") if exc.field else []
                exc.line = self.scenario.line(*loc, *field) or self.scenario.line(*loc)
                exc.field = format_loc((*loc, *field))
            raise

    # --- tracing ------------------------------------------------------------------------

    def now(self) -> float:
        return self.world.now()

    def note(self, kind: str, **data: Any) -> None:
        self.trace.record(self.now(), "drill", kind=kind, **data)

    # --- running ------------------------------------------------------------------------

    def run(self) -> DrillResult:
        from apprm_ref.drill.expect import evaluate

        self._start_scheduler()
        proc = self.world.env.process(self._timeline())
        self.world.env.run(until=proc)
        self.result.duration = self.now()
        self.orch.collect(self.result)
        evaluate(self)
        for exp in self.result.expectations:
            self.trace.record(
                self.now(), "expect", name=exp.name, passed=exp.passed, observed=exp.observed
            )
        return self.result

    def _start_scheduler(self) -> None:
        scheduled = [s for s in self.scenario.specs if s.schedules]
        if not scheduled:
            return
        from apprm_ref.core.scheduler import Scheduler

        horizon = max(self.scenario.step_times(), default=0.0)
        self.scheduler = Scheduler(self.world.env, self.world.clock.epoch, self.orch.start_backup)
        self.scheduler.run(scheduled, horizon)

    def _timeline(self) -> Generator[simpy.Event, Any, None]:
        steps = self.scenario.timeline
        for i, (step, at) in enumerate(zip(steps, self.scenario.step_times(), strict=True)):
            if at > self.now():
                yield self.world.env.timeout(at - self.now())
            self.trace.record(
                self.now(),
                "step",
                index=i,
                kind=step.kind,
                step=step.model_dump(exclude_defaults=True),
            )
            self.index = i
            try:
                yield from self._step(step)
            except ApprmError as exc:
                self.result.errors.append((self.now(), f"step {i} ({step.kind}): {exc}"))
                self.trace.record(self.now(), "step.error", index=i, error=str(exc), code=exc.code)
            self._check_invariants(i)
            if self.progress:
                self.progress(i + 1, len(steps), step.kind)
        try:
            yield from self.orch.wait_all()
        except ApprmError as exc:
            self.result.errors.append((self.now(), f"after the last step: {exc}"))
            self.trace.record(self.now(), "drain.error", error=str(exc))
        self._check_invariants(len(steps))

    def note_firings(self) -> None:
        """Trace and mark the fault firings logged since the last call (they happen inside
        sessions, between steps)."""
        log = self.world.fault_plan.log
        for firing in log[self._firings_seen :]:
            ctx = dict(firing.context)
            self.trace.record(
                firing.at, "fault.fired", site=firing.site, code=firing.code, context=ctx
            )
            self.result.markers.append(
                Marker(firing.at, "fault", f"{firing.site} fired ({firing.code})")
            )
        self._firings_seen = len(log)

    def _check_invariants(self, index: int) -> None:
        self.note_firings()
        problems = self.world.invariant_problems()
        for p in problems:
            self.result.invariant_violations.append((self.now(), p))
            self.trace.record(self.now(), "invariant", after_step=index, problem=p)

    def _step(self, step: Any) -> Generator[simpy.Event, Any, None]:
        handler = getattr(self, f"_do_{step.kind}")
        out = handler(getattr(step, step.kind))
        if out is not None:
            yield from out

    # --- the step kinds -----------------------------------------------------------------

    def _do_workload(self, w: schema.Workload) -> None:
        self.workloads.control(w.app, w.action, w.rate)

    def _do_backup(self, b: str | schema.Backup) -> Generator[simpy.Event, Any, None] | None:
        spec, wait = (b, False) if isinstance(b, str) else (b.spec, b.wait)
        proc = self.orch.start_backup(spec)
        if wait:
            return self.orch.wait(proc)
        return None

    def _do_fault(self, f: schema.Fault) -> None:
        if f.disarm is not None:
            n = self.world.fault_plan.disarm(f.disarm)
            self.note("fault.disarm", site=f.disarm, rules=n)
            self.result.markers.append(Marker(self.now(), "fault", f"disarm {f.disarm}"))
            return
        rule = FaultRule(
            f.arm or "", nth=f.nth, probability=f.probability, times=f.times,
            code=f.code, message=f.message, match=dict(f.match),
        )  # fmt: skip
        self.world.fault_plan.arm(rule)
        self.result.markers.append(Marker(self.now(), "fault", f"arm {f.arm}"))

    def _do_fail(self, f: schema.Failure) -> None:
        from apprm_ref.drill.failures import inject

        label = inject(self.world, f)
        self.failures.append(self.now())
        self.result.markers.append(Marker(self.now(), "fail", label))

    def _do_restore(self, r: schema.Restore) -> Generator[simpy.Event, Any, None] | None:
        proc = self.orch.start_restore_ref(r, self)
        return self.orch.wait(proc) if r.wait else None

    def _do_check(self, c: schema.Check) -> None:
        from apprm_ref.drill.expect import data_result
        from apprm_ref.drill.timeparse import short_at

        res = data_result(
            self,
            c.data_equals,
            c.app,
            f"check at {short_at(self.now())}: data equals {c.data_equals}",
        )
        res.line = self.scenario.line("timeline", self.index)
        self.result.expectations.append(res)
        self.result.markers.append(Marker(self.now(), "check", f"{res.verdict} {c.data_equals}"))

    def _do_advance(self, d: Any) -> Generator[simpy.Event, Any, None]:
        from apprm_ref.drill.timeparse import parse_duration

        yield self.world.env.timeout(parse_duration(d))

    def _do_mark(self, label: str) -> None:
        state = datastate.capture(self.world, self.scenario.specs)
        self.marks[label] = (self.now(), state)
        self.note("mark", label=label, state=state)
        self.result.markers.append(Marker(self.now(), "mark", label))

    def _do_wait(self, _what: str) -> Generator[simpy.Event, Any, None]:
        return self.orch.wait_all()

    def _do_reboot(self, r: str | schema.Reboot) -> None:
        from apprm_ref.drill.dba import reboot

        label = reboot(self.world, self.scenario.estate, r)
        self.note("reboot", label=label)
        self.result.markers.append(Marker(self.now(), "reboot", label))

    def _do_sql(self, s: schema.Sql) -> None:
        from apprm_ref.drill.dba import run_sql

        rows = run_sql(self.world, s)
        self.note("sql", app=s.app, statement=s.statement, rows=[list(r) for r in rows[:20]])
        self.result.markers.append(Marker(self.now(), "sql", f"{s.app}: {s.statement[:60]}"))


def estate_view(world: World) -> dict[str, Any]:
    """What the built estate looks like from outside: every array volume (id, WWN, size) and
    every host's mounts. Observable facts only, so a change in how simulator state is
    encoded does not change traces, while a change in what gets built does."""
    volumes = []
    for name in sorted(world.arrays):
        array = world.arrays[name]
        ids = sorted(getattr(array, "vdisks", None) or getattr(array, "ldevs", None) or {})
        volumes += [[name, v, array.volume_wwn(v), array.volume_extents(v)] for v in ids]
    mounts = {h: sorted(world.hosts.hosts[h].mounts) for h in sorted(world.hosts.hosts)}
    return {"volumes": volumes, "mounts": mounts}


def run_file(
    path: str | Path,
    *,
    seed: int | None = None,
    idb: str | None = None,
    progress: Progress | None = None,
) -> DrillResult:
    scenario = load_scenario(path)
    drill = Drill(
        scenario,
        path=str(path),
        file_sha256=file_digest(path),
        seed=seed,
        idb=idb,
        progress=progress,
    )
    return drill.run()
