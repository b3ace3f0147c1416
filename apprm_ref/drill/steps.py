"""Timeline steps of a scenario file: each has ``at`` and exactly one kind key."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from apprm_ref.drill.base import Duration, Strict, TimeExpr, check_duration
from apprm_ref.drill.timeparse import parse_at
from apprm_ref.sim.fault_sites import SITES, matching

MAX_RATE = 3600.0  # one change per simulated second; above it a drill only burns time

# --- timeline steps ------------------------------------------------------------------


class Workload(Strict):
    """Start, stop or re-rate the write workload of an application or filesystem."""

    app: str
    action: Literal["start", "stop", "rate"] = "start"
    rate: float | None = Field(
        None, gt=0, le=MAX_RATE, description="changes per simulated hour (REL-I4: bounded)"
    )

    @model_validator(mode="after")
    def _rate(self) -> Workload:
        if self.action == "rate" and self.rate is None:
            raise ValueError("action 'rate' needs a rate (changes per hour)")
        return self


class Fault(Strict):
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
        if self.arm is not None and not matching(self.arm):
            raise ValueError(f"no fault site matches {self.arm!r} (known: {', '.join(SITES)})")
        return self


def _registered_failure(kind: str) -> tuple[str, ...]:
    from apprm_ref.drivers import registry

    known = registry.failure_kinds()
    if kind not in known:
        raise ValueError(f"unknown failure {kind!r}; registered: {', '.join(known)}")
    return known[kind]


def _enum_of(names: Callable[[], Iterable[Any]]) -> Callable[[dict[str, Any]], None]:
    """JSON Schema ``enum`` of what is registered when the schema is printed (editors)."""

    def extra(schema: dict[str, Any]) -> None:
        schema["enum"] = list(names())

    return extra


def _failure_names() -> list[str]:
    from apprm_ref.drivers import registry

    return list(registry.failure_kinds())


def _restore_methods() -> list[str | None]:
    from apprm_ref.drivers import registry

    return [*registry.restore_methods(), None]


class Failure(Strict):
    """A disaster or a mistake the drill recovers from (a failure kind some kind registers)."""

    kind: str = Field(json_schema_extra=_enum_of(_failure_names))
    app: str | None = None
    table: str | None = None
    file: str | None = None
    host: str | None = None
    path: str | None = None
    array: str | None = None
    volume: str | None = None

    @model_validator(mode="after")
    def _targets(self) -> Failure:
        missing = [f for f in _registered_failure(self.kind) if getattr(self, f) is None]
        if missing:
            raise ValueError(f"{self.kind} needs {', '.join(missing)}")
        return self


SESSION_REF_HELP = "'last-of SPEC', 'first-of SPEC', 'session #N of SPEC' or a session id"


class PointRef(Strict):
    """A recovery point taken from a backup session: where its backup mode ended (the
    replica's minimum recovery SCN, or the time END BACKUP was issued)."""

    end_of_backup: str = Field(description=SESSION_REF_HELP)

    @field_validator("end_of_backup")
    @classmethod
    def _ref(cls, v: str) -> str:
        from apprm_ref.drill.refs import parse_session_ref

        parse_session_ref(v)
        return v


class Recovery(Strict):
    """Application recovery after the instant recovery (Oracle). ``until: scn|time`` names
    which of ``scn``/``time`` is the target; either may be a :class:`PointRef`."""

    until: Literal["now", "none", "scn", "time"] | None = None  # now: complete; none: none
    scn: Annotated[int, Field(ge=0)] | PointRef | None = None
    time: TimeExpr | PointRef | None = None
    label: str | None = None  # the simulated time of a ``mark`` step
    resetlogs: bool | None = None

    @model_validator(mode="after")
    def _one(self) -> Recovery:
        given = [k for k in ("scn", "time", "label") if getattr(self, k) is not None]
        if self.until in ("scn", "time"):
            if given != [self.until]:
                raise ValueError(f"until: {self.until} needs {self.until} and nothing else")
        elif len(given) + (self.until is not None) != 1:
            raise ValueError("give exactly one of until: now|none, scn, time or label")
        if self.time is not None and not isinstance(self.time, PointRef):
            parse_at(self.time)
        return self

    def ref(self) -> str | None:
        """The session a target refers to, if any."""
        for v in (self.scn, self.time):
            if isinstance(v, PointRef):
                return v.end_of_backup
        return None


class Restore(Strict):
    """Instant recovery of a replica (``omnir``)."""

    session: str = Field(description=SESSION_REF_HELP)
    method: str | None = Field(
        None,
        description="a restore method of the array's family (None: its default)",
        json_schema_extra=_enum_of(_restore_methods),
    )
    keep: bool = False
    retain_source: bool | None = None  # XP only (None: the family's default)
    recovery: Recovery | None = None
    components: list[str] = Field(
        default_factory=list,
        description="VSS: restore only these components (alone on their disks)",
    )
    recovery_group: str | None = Field(
        None, description="Exchange 2007: restore into this recovery storage group"
    )
    wait: bool = True

    @field_validator("method")
    @classmethod
    def _method(cls, v: str | None) -> str | None:
        from apprm_ref.drivers import registry
        from apprm_ref.errors import ConfigError

        try:
            return registry.check_restore_method(v)
        except ConfigError as exc:
            raise ValueError(exc.message) from None

    @field_validator("session")
    @classmethod
    def _ref(cls, v: str) -> str:
        from apprm_ref.drill.refs import parse_session_ref

        parse_session_ref(v)
        return v


class Reboot(Strict):
    """Bring a host back after ``host_crash``: devices rescanned, the estate's filesystems
    remounted as its fstab would, and only the databases named in ``start`` started."""

    host: str
    start: list[str] = Field(default_factory=list, description="databases started at boot")


class Sql(Strict):
    """A statement a DBA runs through the database door (SYSDBA by default). ``STARTUP
    [NOMOUNT|MOUNT]`` and ``SHUTDOWN [ABORT|IMMEDIATE]`` are the door's startup()/shutdown()
    calls, as python-oracledb's Thick mode makes them; a refused statement is a step error."""

    app: str
    statement: str = Field(min_length=1, max_length=4000)
    user: str = "sys"
    password: str = Field("change_on_install", description="the simulator's default SYS one")
    sysdba: bool = True


class Check(Strict):
    """Compare the live data now with the data remembered by a ``mark`` step."""

    data_equals: str
    app: str | None = None


class Backup(Strict):
    spec: str
    wait: bool = False


def _step_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        kinds = [k for k in STEP_KINDS if k in v]
        return f"step:{kinds[0]}" if len(kinds) == 1 else None
    kind = getattr(v, "kind", None)
    return f"step:{kind}" if kind else None


class _Step(Strict):
    at: TimeExpr = Field(description="simulated time: 0s, 2h, 1d 03:00, +15m")
    note: str = Field("", max_length=2000)

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
        return check_duration(v)


class MarkStep(_Step):
    kind: ClassVar[str] = "mark"
    mark: str = Field(min_length=1, max_length=200)


class RebootStep(_Step):
    kind: ClassVar[str] = "reboot"
    reboot: str | Reboot = Field(description="a host name, or {host, start}")


class SqlStep(_Step):
    kind: ClassVar[str] = "sql"
    sql: Sql


class WaitStep(_Step):
    """Wait until every running session has ended."""

    kind: ClassVar[str] = "wait"
    wait: Literal["sessions"]


STEP_KINDS = (
    "workload", "backup", "fault", "fail", "restore", "check", "advance", "mark", "wait",
    "reboot", "sql",
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
    | Annotated[WaitStep, Tag("step:wait")]
    | Annotated[RebootStep, Tag("step:reboot")]
    | Annotated[SqlStep, Tag("step:sql")],
    Discriminator(
        _step_kind,
        custom_error_type="step_kind",
        custom_error_message="a step needs 'at' and exactly one of " + ", ".join(STEP_KINDS),
    ),
]
