"""What a front door asks of the orchestrator, checked and run one way for every door.

The ``apprm`` CLI (``backup``, ``restore``) and the REST API (:mod:`apprm_ref.api`) both
turn their input into a :class:`RestoreRequest` (or a spec name), and this module checks it,
judges it (the recoverability preview, OPS-I9), resolves the replica a restore by target
uses, builds each half's options in its kind's model, and drives the session's process to
its end. No door holds logic of its own, so a refusal reads the same through both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import simpy

from apprm_ref.core.integrations.base import RecoveryOptions, recovery_options_for
from apprm_ref.core.recoverability import Target, Verdict, assess, choose
from apprm_ref.core.replication.base import restore_options_for
from apprm_ref.core.service import Orchestrator
from apprm_ref.core.session import Session
from apprm_ref.drivers import registry
from apprm_ref.errors import ConfigError, OrchestrationError, RecoveryError


def stamp(orch: Orchestrator, seconds: float) -> str:
    """A simulated instant as the product's text layouts print it."""
    return f"{orch.epoch + timedelta(seconds=seconds):%Y-%m-%d %H:%M:%S}"


def drive(
    orch: Orchestrator, proc: simpy.Process, label: str, on_step: Callable[[], None] = lambda: None
) -> Session:
    """Step the simulation until the session process ends; ``on_step`` runs after each step
    (abort requests from another process, progress shown by the door)."""
    env = orch.env
    while proc.is_alive:
        try:
            env.step()
        except simpy.core.EmptySchedule:
            raise OrchestrationError(
                f"{label}: the session stalled (nothing left to wait for)"
            ) from None
        on_step()
    if not proc.ok:  # the orchestrator ends every session; an error here is never a result
        proc.defused = True
        raise OrchestrationError(f"{label}: the session process failed: {proc.value}")
    return cast(Session, proc.value)


def until_seconds(orch: Orchestrator, text: str, *, future: bool = False) -> float:
    """A recovery target time (``YYYY-MM-DD HH:MM:SS`` or simulated seconds) in simulated
    seconds; a time after now cannot be reached (``future``: a preview says so instead)."""
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ConfigError(
                f"--until-time: not a time: {text!r} (YYYY-MM-DD HH:MM:SS or simulated seconds)"
            ) from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - orch.epoch).total_seconds()
    now = float(orch.env.now)
    if seconds > now and not future:
        raise ConfigError(
            f"--until-time {text} is in the future (simulated now is "
            f"{stamp(orch, now)}): no redo exists yet to recover to it"
        )
    return seconds


@dataclass(frozen=True)
class RestoreRequest:
    """One instant recovery as asked: the replica (``session``) or a spec and a target,
    the array half (method, keep/retain) and the application half (recovery target)."""

    session: str | None = None
    spec: str | None = None
    latest: bool = False
    method: str | None = None
    keep_replica: bool | None = None
    retain_source: bool | None = None
    until_scn: int | None = None
    until_time: str | None = None
    until_sequence: int | None = None
    thread: int | None = None
    now: bool = False
    recover: bool | None = None
    open_resetlogs: bool | None = None
    keep_current_cf_olf: bool | None = None
    components: tuple[str, ...] | None = None  # VSS: restore these components alone
    recovery_group: str | None = None  # Exchange 2007: restore into this recovery storage group
    check_before_ir: bool | None = None  # Exchange: consistency check of the replica first

    def check(self, *, preview: bool = False) -> None:
        """Refuse a request whose parts do not go together, before anything is read."""
        registry.check_restore_method(self.method, field="--method")
        if self.thread is not None and self.until_sequence is None:
            raise ConfigError("--thread goes with --until-sequence")
        if (self.session is None) == (self.spec is None):
            raise ConfigError("name the replica with --session or choose it with --spec, not both")
        if self.until_sequence is not None and (self.spec is not None or preview):
            raise ConfigError("--until-sequence cannot be previewed or chosen by; use --until-scn")
        if self.spec is not None and not (
            self.latest or self.until_scn is not None or self.until_time is not None
        ):
            raise ConfigError("--spec needs a target: --latest, --until-time or --until-scn")

    def target(self, orch: Orchestrator, *, future: bool = False) -> Target:
        if self.until_scn is not None:
            return Target("scn", scn=self.until_scn)
        if self.until_time is not None:
            return Target("time", time=until_seconds(orch, self.until_time, future=future))
        return Target()


def verdict(
    orch: Orchestrator, *, session: str | None, spec: str | None, target: Target
) -> Verdict:
    """The verdict on one replica (``session``) or the spec's best (``spec``); reads only."""
    now = float(orch.env.now)
    if spec is not None:
        return choose(orch.drivers, orch.repo, orch.repo.get_spec(spec), target, now=now)
    replica = orch.find_replica(session or "")
    return assess(orch.drivers, orch.repo.get_spec(replica.spec), replica, target, now=now)


def reasons_of(found: Verdict) -> list[Verdict]:
    """The verdicts of a judgement that carry reasons (the chosen one and those skipped)."""
    return [v for v in (found, *found.skipped) if v.reasons]


def preview(orch: Orchestrator, req: RestoreRequest) -> Verdict:
    """Whether the restore would reach its target, and why not; changes nothing."""
    req.check(preview=True)
    return verdict(orch, session=req.session, spec=req.spec, target=req.target(orch, future=True))


def verdict_dict(orch: Orchestrator, found: Verdict) -> dict[str, Any]:
    """The verdict as a ``--json`` document's payload (the target's time under ``time_at``)."""
    data: dict[str, Any] = found.to_dict()
    if found.target.time is not None:
        data["target"]["time_at"] = (orch.epoch + timedelta(seconds=found.target.time)).isoformat()
    return data


def chosen(orch: Orchestrator, spec: str, target: Target) -> str:
    """The replica a restore by target uses; refused (nothing changed) when none reaches it."""
    found = verdict(orch, session=None, spec=spec, target=target)
    if not found.restorable:
        raise RecoveryError(
            f"no replica of {spec} can be recovered {target.describe(lambda s: stamp(orch, s))}: "
            + "; ".join(f"{v.replica_id}: {v.reasons[0].message}" for v in reasons_of(found)),
            code=found.reasons[0].code,
        )
    return str(found.replica_id)


def recovery_options(orch: Orchestrator, ref: str, req: RestoreRequest) -> RecoveryOptions:
    """The application half of the restore, in the options model of the spec's kind."""
    chosen_targets = [
        n
        for n, v in (
            ("--until-scn", req.until_scn),
            ("--until-time", req.until_time),
            ("--until-sequence", req.until_sequence),
        )
        if v is not None
    ]
    if req.now or req.latest:
        chosen_targets.append("--now")
    if len(chosen_targets) > 1:
        raise ConfigError(f"choose one recovery target, not {' and '.join(chosen_targets)}")
    rest = {
        "thread": req.thread,
        "recover": req.recover,
        "open_resetlogs": req.open_resetlogs,
        "keep_current_cf_olf": req.keep_current_cf_olf,
        "components": req.components,
        "recovery_group": req.recovery_group,
        "check_before_ir": req.check_before_ir,
    }
    kw: dict[str, Any] = {k: v for k, v in rest.items() if v is not None}
    if req.until_scn is not None:
        kw.update(until="scn", scn=req.until_scn)
    elif req.until_time is not None:
        kw.update(until="time", time=until_seconds(orch, req.until_time))
    elif req.until_sequence is not None:
        kw.update(until="sequence", sequence=req.until_sequence)
    spec = orch.repo.get_spec(orch.find_replica(ref).spec)
    return recovery_options_for(spec.type, kw)


def start_restore(orch: Orchestrator, req: RestoreRequest) -> tuple[str, simpy.Process]:
    """Check the request, resolve its replica and start the restore session; returns the
    replica reference and the session's process (nothing starts on a refusal)."""
    req.check()
    ref = req.session
    if req.spec is not None:
        ref = chosen(orch, req.spec, req.target(orch))
    assert ref is not None
    app_opts = recovery_options(orch, ref, req)
    array = orch.drivers.array(orch.find_replica(ref).array)
    arr_kw = {
        "method": req.method,
        "keep_replica": req.keep_replica,
        "retain_source": req.retain_source,
    }
    array_opts = restore_options_for(array, {k: v for k, v in arr_kw.items() if v is not None})
    return ref, orch.start_restore(ref, array_opts, app_opts)
