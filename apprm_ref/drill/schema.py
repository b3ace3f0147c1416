"""The scenario file format, version 1, defined once as pydantic models.

Every model forbids unknown keys, so a typo is an error naming the field. A timeline step
and an expectation are tagged unions keyed by which kind key they carry (``backup:``,
``restore:``, ``rpo:`` ...); ``apprm drill schema`` prints ``Scenario.model_json_schema()``.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
)

from apprm_ref.core.specs import BackupSpec
from apprm_ref.drill.timeparse import parse_at, parse_duration
from apprm_ref.sim.estate import Estate  # the lead's estate model (one definition)

TimeExpr = Annotated[str | int | float, Field(description="0s, 2h, 1d 03:00, 03:00, +15m")]
Duration = Annotated[str | int | float, Field(description="90s, 15m, 2h, 1d, 1h30m")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _duration(v: Any) -> Any:
    parse_duration(v)
    return v


# --- timeline steps ------------------------------------------------------------------


class Workload(_Strict):
    """Start, stop or re-rate the write workload of an application or filesystem."""

    app: str
    action: Literal["start", "stop", "rate"] = "start"
    rate: float | None = Field(None, gt=0, description="changes per simulated hour")

    @model_validator(mode="after")
    def _rate(self) -> Workload:
        if self.action == "rate" and self.rate is None:
            raise ValueError("action 'rate' needs a rate (changes per hour)")
        return self


class Fault(_Strict):
    """Arm or disarm a named fault site (``apprm_ref.sim.faults``)."""

    arm: str | None = None
    disarm: str | None = None
    nth: int | None = Field(None, ge=1)
    probability: float | None = Field(None, gt=0, le=1)
    times: int = Field(1, ge=0)
    code: str | None = None
    message: str = "injected fault"
    match: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one(self) -> Fault:
        if (self.arm is None) == (self.disarm is None):
            raise ValueError("give exactly one of 'arm: SITE' or 'disarm: SITE'")
        return self


FAILURE_TARGETS: dict[str, tuple[str, ...]] = {
    "dropped_table": ("app", "table"),
    "corrupted_datafile": ("app", "file"),
    "corrupted_file": ("host", "path"),
    "lost_volume": ("array", "volume"),
    "host_crash": ("host",),
}


class Failure(_Strict):
    """A disaster or a mistake the drill recovers from."""

    kind: Literal[
        "dropped_table",
        "corrupted_datafile",
        "corrupted_file",
        "lost_volume",
        "host_crash",
    ]
    app: str | None = None
    table: str | None = None
    file: str | None = None
    host: str | None = None
    path: str | None = None
    array: str | None = None
    volume: str | None = None

    @model_validator(mode="after")
    def _targets(self) -> Failure:
        missing = [f for f in FAILURE_TARGETS[self.kind] if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.kind} needs {', '.join(missing)}")
        return self


class Recovery(_Strict):
    """Application recovery after the instant recovery (Oracle)."""

    until: Literal["now", "none"] | None = None  # now: complete; none: no roll-forward
    scn: int | None = Field(None, ge=0)
    time: TimeExpr | None = None
    label: str | None = None  # the simulated time of a ``mark`` step
    resetlogs: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> Recovery:
        given = [k for k in ("until", "scn", "time", "label") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of until: now|none, scn, time or label")
        if self.time is not None:
            parse_at(self.time)
        return self


SESSION_REF_HELP = "'last-of SPEC', 'first-of SPEC', 'session #N of SPEC' or a session id"


class Restore(_Strict):
    """Instant recovery of a replica (``omnir``)."""

    session: str = Field(description=SESSION_REF_HELP)
    method: Literal["switch", "copy-back", "normal", "quick"] | None = Field(
        None, description="EVA: switch | copy-back; XP: normal | quick (None: the default)"
    )
    keep: bool = False
    retain_source: bool = True
    recovery: Recovery | None = None
    wait: bool = True

    @field_validator("session")
    @classmethod
    def _ref(cls, v: str) -> str:
        from apprm_ref.drill.refs import parse_session_ref

        parse_session_ref(v)
        return v


class Check(_Strict):
    """Compare the live data now with the data remembered by a ``mark`` step."""

    data_equals: str
    app: str | None = None


class Backup(_Strict):
    spec: str
    wait: bool = False


def _step_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        kinds = [k for k in STEP_KINDS if k in v]
        return f"step:{kinds[0]}" if len(kinds) == 1 else None
    kind = getattr(v, "kind", None)
    return f"step:{kind}" if kind else None


class _Step(_Strict):
    at: TimeExpr = Field(description="simulated time: 0s, 2h, 1d 03:00, +15m")
    note: str = ""

    @field_validator("at")
    @classmethod
    def _at(cls, v: Any) -> Any:
        parse_at(v)
        return v


class WorkloadStep(_Step):
    kind: ClassVar[str] = "workload"
    workload: Workload


class BackupStep(_Step):
    kind: ClassVar[str] = "backup"
    backup: str | Backup = Field(description="a spec name, or {spec, wait}")


class FaultStep(_Step):
    kind: ClassVar[str] = "fault"
    fault: Fault


class FailStep(_Step):
    kind: ClassVar[str] = "fail"
    fail: Failure


class RestoreStep(_Step):
    kind: ClassVar[str] = "restore"
    restore: Restore


class CheckStep(_Step):
    kind: ClassVar[str] = "check"
    check: Check


class AdvanceStep(_Step):
    kind: ClassVar[str] = "advance"
    advance: Duration

    @field_validator("advance")
    @classmethod
    def _adv(cls, v: Any) -> Any:
        return _duration(v)


class MarkStep(_Step):
    kind: ClassVar[str] = "mark"
    mark: str


class WaitStep(_Step):
    """Wait until every running session has ended."""

    kind: ClassVar[str] = "wait"
    wait: Literal["sessions"]


STEP_KINDS = (
    "workload", "backup", "fault", "fail", "restore", "check", "advance", "mark", "wait"
)  # fmt: skip

Step = Annotated[
    Annotated[WorkloadStep, Tag("step:workload")]
    | Annotated[BackupStep, Tag("step:backup")]
    | Annotated[FaultStep, Tag("step:fault")]
    | Annotated[FailStep, Tag("step:fail")]
    | Annotated[RestoreStep, Tag("step:restore")]
    | Annotated[CheckStep, Tag("step:check")]
    | Annotated[AdvanceStep, Tag("step:advance")]
    | Annotated[MarkStep, Tag("step:mark")]
    | Annotated[WaitStep, Tag("step:wait")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs 'at' and exactly one of " + ", ".join(STEP_KINDS),
    ),
]


# --- expectations --------------------------------------------------------------------


class SessionsExpect(_Strict):
    """Statuses of the backup (or restore) sessions of a spec."""

    spec: str
    type: Literal["backup", "restore"] = "backup"
    status: str | list[str] = "Completed"  # every session (selected by ``which``) has one
    which: Literal["all", "last", "first"] = "all"
    count: int | None = Field(None, ge=0)


class ReplicasExpect(_Strict):
    """The replica set of a spec at the end of the drill."""

    spec: str
    count: int | None = Field(None, ge=0)
    sessions: list[str] | None = Field(None, description="session refs whose replicas remain")
    types: list[str] | None = None

    @field_validator("sessions")
    @classmethod
    def _refs(cls, v: list[str] | None) -> list[str] | None:
        from apprm_ref.drill.refs import parse_session_ref

        for ref in v or []:
            parse_session_ref(ref)
        return v


class DataExpect(_Strict):
    """At the end, the live data equals the data remembered by ``mark: LABEL``."""

    equals: str
    app: str | None = None


class BoundExpect(_Strict):
    """RPO or RTO bound in simulated time, for every restore (or one spec's restores)."""

    max: Duration
    spec: str | None = None

    @field_validator("max")
    @classmethod
    def _max(cls, v: Any) -> Any:
        return _duration(v)


def _expect_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        kinds = [k for k in EXPECT_KINDS if k in v]
        return f"expect:{kinds[0]}" if len(kinds) == 1 else None
    kind = getattr(v, "kind", None)
    return f"expect:{kind}" if kind else None


class _Expect(_Strict):
    name: str | None = None  # the JUnit testcase name (default: derived)


class SessionsItem(_Expect):
    kind: ClassVar[str] = "sessions"
    sessions: SessionsExpect


class ReplicasItem(_Expect):
    kind: ClassVar[str] = "replicas"
    replicas: ReplicasExpect


class DataItem(_Expect):
    kind: ClassVar[str] = "data"
    data: DataExpect


class RpoItem(_Expect):
    kind: ClassVar[str] = "rpo"
    rpo: BoundExpect


class RtoItem(_Expect):
    kind: ClassVar[str] = "rto"
    rto: BoundExpect


class NoOrphansItem(_Expect):
    """Every target volume on the arrays is a replica the IDB knows, and vice versa."""

    kind: ClassVar[str] = "no_orphan_replicas"
    no_orphan_replicas: Literal[True]


class BackupModeItem(_Expect):
    """No database is left in backup mode and no filesystem frozen."""

    kind: ClassVar[str] = "nothing_in_backup_mode"
    nothing_in_backup_mode: Literal[True]


class InvariantsItem(_Expect):
    """``world.check_invariants()`` held after every step."""

    kind: ClassVar[str] = "invariants"
    invariants: Literal["held"]


EXPECT_KINDS = (
    "sessions", "replicas", "data", "rpo", "rto", "no_orphan_replicas",
    "nothing_in_backup_mode", "invariants",
)  # fmt: skip

Expectation = Annotated[
    Annotated[SessionsItem, Tag("expect:sessions")]
    | Annotated[ReplicasItem, Tag("expect:replicas")]
    | Annotated[DataItem, Tag("expect:data")]
    | Annotated[RpoItem, Tag("expect:rpo")]
    | Annotated[RtoItem, Tag("expect:rto")]
    | Annotated[NoOrphansItem, Tag("expect:no_orphan_replicas")]
    | Annotated[BackupModeItem, Tag("expect:nothing_in_backup_mode")]
    | Annotated[InvariantsItem, Tag("expect:invariants")],
    Discriminator(
        _expect_kind,
        custom_error_type="expect_kind",
        custom_error_message="an expectation needs exactly one of " + ", ".join(EXPECT_KINDS),
    ),
]


# --- the scenario --------------------------------------------------------------------


class Scenario(_Strict):
    """A replayable drill: an estate, specs, a timeline on simulated time, expectations."""

    version: Literal[1]
    name: str = Field(min_length=1)
    description: str = ""
    seed: int = 0
    estate: Estate
    specs: list[BackupSpec] = Field(default_factory=list)
    timeline: list[Step] = Field(default_factory=list)
    expect: list[Expectation] = Field(default_factory=list)
    _source: Any = PrivateAttr(None)  # the loaded YAML with line numbers (loader.LineDict)

    def line(self, *loc: Any) -> int | None:
        """The scenario file line of ``loc`` (e.g. ``("expect", 2)``), when loaded from a file."""
        from apprm_ref.drill.loader import line_of

        return line_of(self._source, loc) if self._source is not None else None

    def step_times(self) -> list[float]:
        """Each step's absolute time; ``+D`` counts from the previous step."""
        times, prev = [], 0.0
        for step in self.timeline:
            prev = max(prev, parse_at(step.at, prev))
            times.append(prev)
        return times


def cross_problem(scenario: Scenario) -> tuple[tuple[Any, ...], str] | None:
    """The first reference that does not resolve: (location, message), or None.

    Kept outside the model so the loader can name the line of the offending step.
    """
    names = [s.name for s in scenario.specs]
    for i, name in enumerate(names):
        if names.index(name) != i:
            return ("specs", i, "name"), f"spec {name} is defined twice"
    known = ", ".join(names) or "none"
    marks: set[str] = set()
    for i, step in enumerate(scenario.timeline):
        spec = _step_spec(step)
        if spec is not None and spec not in names:
            return ("timeline", i, step.kind), f"unknown spec {spec!r}; defined: {known}"
        label = _step_label(step)
        if label is not None and label not in marks:
            return ("timeline", i, step.kind), f"no earlier 'mark: {label}' step"
        if isinstance(step, MarkStep):
            marks.add(step.mark)
        problem = _estate_ref(scenario, step, names)
        if problem is not None:
            return ("timeline", i, step.kind, problem[0]), problem[1]
    for i, item in enumerate(scenario.expect):
        spec = getattr(getattr(item, item.kind), "spec", None)
        if isinstance(spec, str) and spec not in names:
            return ("expect", i, item.kind, "spec"), f"unknown spec {spec!r}; defined: {known}"
        if isinstance(item, DataItem) and item.data.equals not in marks:
            return ("expect", i, "data", "equals"), f"no 'mark: {item.data.equals}' step"
    return None


def _estate_ref(scenario: Scenario, step: Any, specs: list[str]) -> tuple[str, str] | None:
    """A workload or failure naming a host, array or application the estate lacks."""
    est = scenario.estate
    hosts = {h.name for h in est.hosts}
    arrays = {a.name for a in est.arrays}
    apps = {str(a.get("name")) for a in est.applications}
    if isinstance(step, WorkloadStep) and step.workload.app not in {*specs, *apps}:
        choices = ", ".join(sorted({*specs, *apps})) or "none"
        return "app", f"no spec or application {step.workload.app!r}; known: {choices}"
    if isinstance(step, FailStep):
        f = step.fail
        for fld, value, known in (
            ("host", f.host, hosts),
            ("array", f.array, arrays),
            ("app", f.app, apps),
        ):
            if value is not None and value not in known:
                return (
                    fld,
                    f"no {fld} {value!r} in the estate; known: {', '.join(sorted(known)) or 'none'}",
                )
    return None


def _step_spec(step: Any) -> str | None:
    if isinstance(step, BackupStep):
        return step.backup if isinstance(step.backup, str) else step.backup.spec
    if isinstance(step, RestoreStep):
        from apprm_ref.drill.refs import parse_session_ref

        return parse_session_ref(step.restore.session).spec
    return None


def _step_label(step: Any) -> str | None:
    if isinstance(step, CheckStep):
        return step.check.data_equals
    if isinstance(step, RestoreStep) and step.restore.recovery is not None:
        return step.restore.recovery.label
    return None
