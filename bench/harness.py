"""Run the reference estate: build it, schedule its sessions, drive it, measure it.

One World, one IDB on an SQLite file in a temporary directory, one Orchestrator. Backups
come from the core Scheduler (each spec: daily, every 6 hours, so 4 per day); one instant
recovery with application recovery per database per week is started at a computed time;
the workload is applied in hourly epochs (one SimPy event per epoch for the whole estate).
"""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from apprm_ref.core.integrations.base import RecoveryOptions
from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions
from apprm_ref.core.scheduler import Scheduler
from apprm_ref.core.service import Orchestrator
from apprm_ref.core.session import Session
from apprm_ref.errors import ApprmError
from apprm_ref.idb.engine import file_url, make_engine
from apprm_ref.idb.repository import SqlRepository
from apprm_ref.longrun import long_run_gc
from apprm_ref.sim import iopath
from apprm_ref.sim.estate import Estate, build_world, sim_drivers
from apprm_ref.sim.oracle import epoch_loop
from apprm_ref.types import SessionStatus, SessionType
from bench import layout
from bench.floor import WriteCounter
from bench.metrics import EventCounter, file_bytes, peak_rss_mb

DAY = 86400.0
WORKLOAD_EPOCH_S = 3600.0  # hourly epochs (see BenchConfig.epoch_s)
SESSIONS_PER_DAY = 4
IR_EVERY_DAYS = 7


class RunProbe(Protocol):
    """Something that watches the simulated run only (not the set-up, not the end checks):
    ``start`` just before the run (it may add its own SimPy processes), ``stop`` after."""

    def start(self, env: Any) -> None: ...

    def stop(self) -> None: ...


@dataclass
class BenchConfig:
    days: int = 365
    databases: int = 10
    app: str = "oracle"  # oracle | filesystem
    ir_day: int = 1  # day within each week of the instant recovery (0..6)
    changes_per_hour: int = 20  # workload per database per hour (blocks or commits)
    # The workload of an epoch lands as one batch at its end. Cost follows the number of
    # row operations far more than the number of epochs: 6-hour epochs (one per backup
    # interval) measured only ~14 % faster than hourly ones, so hourly stays the default.
    epoch_s: float = WORKLOAD_EPOCH_S
    seed: int = 0
    check_invariants: bool = True
    gc_tuned: bool = True  # a long-running service's tuning: apprm_ref.longrun
    world_digest: bool = False  # also digest the whole simulated world at the end (PERF-P1)


@dataclass(frozen=True)
class Done:
    """What the benchmark keeps of a finished session (not its messages: memory)."""

    type: SessionType
    spec: str
    status: SessionStatus
    backup_mode_s: float
    duration_s: float
    id: str = ""
    started: float = 0.0


@dataclass
class Tally:
    sessions: list[Done] = field(default_factory=list)
    workload_applied: int = 0
    workload_blocked: int = 0
    last_backup: dict[str, str] = field(default_factory=dict)  # spec -> session id


def _track(tally: Tally, proc: Any) -> Any:
    def done(ev: Any) -> None:
        if ev.ok:
            s: Session = ev.value
            took = (s.finished or s.started) - s.started
            tally.sessions.append(
                Done(s.type, s.spec, s.status, s.backup_mode_seconds, took, s.id, s.started)
            )
            if s.type == SessionType.BACKUP and s.replica_id:
                tally.last_backup[s.spec] = s.id

    proc.callbacks.append(done)
    return proc


def _ir_plan(cfg: BenchConfig, plans: list[layout.DbPlan], start: float) -> list[tuple[float, str]]:
    runs = []
    for p in plans:
        for day in range(cfg.ir_day, cfg.days, IR_EVERY_DAYS):
            at = day * DAY + 12 * 3600 + 60 * (p.index % 60) + 17
            if at > start:
                runs.append((at, p.name))
    return sorted(runs)


def _ir_loop(
    env: Any, orch: Orchestrator, runs: list[tuple[float, str]], tally: Tally, app: str
) -> Generator[Any, Any, None]:
    opts = (
        OracleRecoveryOptions(recover=True, until="now") if app == "oracle" else RecoveryOptions()
    )
    for at, db in runs:
        if at > env.now:
            yield env.timeout(at - env.now)
        ref = tally.last_backup.get(spec_name(db))
        if ref is not None:
            _track(tally, orch.start_restore(ref, app_opts=opts))


def _workload_loop(
    env: Any, world: Any, app: Any, cfg: BenchConfig, tally: Tally
) -> Generator[Any, Any, None]:
    day = int(env.now // DAY)
    while True:
        yield env.timeout(cfg.epoch_s)
        n = int(cfg.changes_per_hour * cfg.epoch_s / 3600)
        blocked = app.workload(world, n)
        tally.workload_applied += 1
        tally.workload_blocked += blocked
        if int(env.now // DAY) != day:  # once a day, in the same event: the DBA's jobs
            day = int(env.now // DAY)
            app.housekeeping(world)


def spec_name(db: str) -> str:
    return f"zdb_{db.lower()}"


def run_estate(
    cfg: BenchConfig,
    *,
    workdir: str | Path | None = None,
    probe: RunProbe | None = None,
) -> dict[str, Any]:
    """Run the estate of ``cfg`` and return the measurements (see ``bench.estate``), with
    ``probe`` watching the simulated run (``bench.calls``)."""
    from bench import apps

    plans = layout.plan_databases(cfg.databases)
    app = apps.get(cfg.app, plans)
    with tempfile.TemporaryDirectory(prefix="apprm-bench-", dir=workdir) as tmp:
        t0 = time.perf_counter()
        estate = Estate.model_validate(app.estate())
        world = build_world(estate, seed=cfg.seed)
        app.populate(world)
        idb = Path(tmp) / "idb.sqlite"
        repo = SqlRepository(make_engine(file_url(idb)))
        orch = Orchestrator(sim_drivers(world), repo, world.env, epoch=world.clock.epoch)
        specs = [orch.create_spec(app.spec(p)) for p in plans]
        app.prepare(world, orch)
        setup_s = time.perf_counter() - t0
        tally = Tally()
        horizon = cfg.days * DAY
        env, start = world.env, world.now()
        sched = Scheduler(
            env, world.clock.epoch, lambda name: _track(tally, orch.start_backup(name))
        )
        sched.run(specs, horizon)
        env.process(_ir_loop(env, orch, _ir_plan(cfg, plans, start), tally, cfg.app))
        env.process(_workload_loop(env, world, app, cfg, tally))
        counter = EventCounter(env)
        writes = WriteCounter(repo.engine)
        with long_run_gc(cfg.gc_tuned):
            t1, c1 = time.perf_counter(), time.process_time()
            if probe is not None:
                probe.start(env)
            try:
                env.run(until=horizon)
            finally:
                if probe is not None:
                    probe.stop()
            # read before the collector's settings come back: their first allocation may
            # start a collection of the whole heap, which is not the run's work
            wall, cpu = time.perf_counter() - t1, time.process_time() - c1
        rows_written = writes.close()
        problems = world.invariant_problems() if cfg.check_invariants else []
        digest = world.digest() if cfg.world_digest else None
        idb_bytes = file_bytes(idb, f"{idb}-wal")
        repo.engine.dispose()
        out = _result(cfg, plans, tally, counter.count, wall, setup_s, idb_bytes, problems)
        out["cpu_s"] = round(cpu, 3)  # this process's CPU: robust when the machine is shared
        out["sim_days_per_cpu_s"] = round(cfg.days / cpu, 2) if cpu else None
        out["events_per_cpu_s"] = round(counter.count / cpu, 1) if cpu else None
        out["idb_rows_written"] = rows_written
        if digest is not None:
            out["world_digest"] = digest
        return out


def outcome_digest(sessions: list[Done]) -> str:
    """SHA-256 of every session's id, type, spec, status, start, duration and backup-mode
    time (repr of the floats), in start order: equal digests, the same simulated sessions."""
    h = hashlib.sha256()
    for s in sorted(sessions, key=lambda s: (s.started, s.id)):
        line = f"{s.id}|{s.type.value}|{s.spec}|{s.status.value}|{s.started!r}"
        h.update(f"{line}|{s.duration_s!r}|{s.backup_mode_s!r}\n".encode())
    return h.hexdigest()


def _expected(cfg: BenchConfig, plans: list[layout.DbPlan]) -> tuple[int, int]:
    backups = len(plans) * SESSIONS_PER_DAY * cfg.days
    restores = len(plans) * len(range(cfg.ir_day, cfg.days, IR_EVERY_DAYS))
    return backups, restores


def _result(
    cfg: BenchConfig,
    plans: list[layout.DbPlan],
    tally: Tally,
    events: int,
    wall: float,
    setup_s: float,
    idb_bytes: int,
    problems: list[str],
) -> dict[str, Any]:
    backups = [s for s in tally.sessions if s.type == SessionType.BACKUP]
    restores = [s for s in tally.sessions if s.type == SessionType.RESTORE]
    rtos = [s.duration_s for s in restores]
    statuses: dict[str, int] = {}
    for s in tally.sessions:
        statuses[s.status.value] = statuses.get(s.status.value, 0) + 1
    exp_b, exp_r = _expected(cfg, plans)
    array_of = {spec_name(p.name): p.array for p in plans}
    by_array: dict[str, float] = {}
    for s in backups:
        a = array_of.get(s.spec, "?")
        by_array[a] = max(by_array.get(a, 0.0), s.backup_mode_s)
    n = len(tally.sessions)
    return {
        "app": cfg.app,
        "gc_tuned": cfg.gc_tuned,
        "epoch_loop": epoch_loop.implementation(),
        "write_path": iopath.implementation(),
        "databases": len(plans),
        "sim_days": cfg.days,
        "wall_s": round(wall, 3),
        "setup_wall_s": round(setup_s, 3),
        "sim_days_per_wall_s": round(cfg.days / wall, 2) if wall else None,
        "sessions": n,
        "expected_sessions": exp_b + exp_r,
        "backup_sessions": len(backups),
        "restore_sessions": len(restores),
        "sessions_completed": statuses.get(SessionStatus.COMPLETED.value, 0),
        "session_statuses": dict(sorted(statuses.items())),
        "sessions_per_wall_s": round(n / wall, 1) if wall else None,
        "events": events,
        "events_per_wall_s": round(events / wall, 1) if wall else None,
        "max_backup_mode_s": max((s.backup_mode_s for s in backups), default=0.0),
        "max_backup_mode_s_by_array": dict(sorted(by_array.items())),
        "median_ir_rto_s": statistics.median(rtos) if rtos else None,
        "max_ir_rto_s": max(rtos) if rtos else None,
        "workload_epochs": tally.workload_applied,
        "workload_epoch_s": cfg.epoch_s,
        "workload_blocked": tally.workload_blocked,
        "idb_bytes": idb_bytes,
        "peak_rss_mb": round(peak_rss_mb(), 1),
        "invariant_problems": problems[:10],
        "outcome_digest": outcome_digest(tally.sessions),
        "xp_replica_set": layout.XP_ROTATION,
        "eva_replica_set": layout.EVA_ROTATION,
    }


__all__ = ["BenchConfig", "run_estate", "spec_name", "ApprmError"]
