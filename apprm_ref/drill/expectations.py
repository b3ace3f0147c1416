"""Expectations of a scenario file: what must hold at the end of the drill."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

from pydantic import Discriminator, Field, Tag, field_validator

from apprm_ref.drill.base import Duration, Strict, check_duration

# --- expectations --------------------------------------------------------------------


class SessionsExpect(Strict):
    """Statuses of the backup (or restore) sessions of a spec."""

    spec: str
    type: Literal["backup", "restore"] = "backup"
    status: str | list[str] | None = None  # each selected session has one (default:
    # Completed, or any status when ``message`` is given)
    which: Literal["all", "last", "first"] = "all"
    count: int | None = Field(None, ge=0)
    message: str | None = Field(
        None,
        min_length=1,
        max_length=500,
        description="each selected session logged a message with this code or text",
    )

    def statuses(self) -> list[str] | None:
        """The statuses wanted (None: any)."""
        if self.status is None:
            return None if self.message is not None else ["Completed"]
        return [self.status] if isinstance(self.status, str) else list(self.status)


class PurgeListExpect(Strict):
    """The replicas of a spec on the purge list at the end (rotated out, not deletable
    yet, ARR-P13): how many, and optionally which sessions made them."""

    spec: str
    count: int | None = Field(None, ge=0)
    sessions: list[str] | None = Field(None, description="session refs whose replicas wait")

    @field_validator("sessions")
    @classmethod
    def _refs(cls, v: list[str] | None) -> list[str] | None:
        from apprm_ref.drill.refs import parse_session_ref

        for ref in v or []:
            parse_session_ref(ref)
        return v


class ReplicasExpect(Strict):
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


class DataExpect(Strict):
    """At the end, the live data equals the data remembered by ``mark: LABEL``."""

    equals: str
    app: str | None = None


class BoundExpect(Strict):
    """RPO or RTO bound in simulated time, for every restore (or one spec's restores)."""

    max: Duration
    spec: str | None = None

    @field_validator("max")
    @classmethod
    def _max(cls, v: Any) -> Any:
        return check_duration(v)


def _expect_kind(v: Any) -> str | None:
    if isinstance(v, dict):
        kinds = [k for k in EXPECT_KINDS if k in v]
        return f"expect:{kinds[0]}" if len(kinds) == 1 else None
    kind = getattr(v, "kind", None)
    return f"expect:{kind}" if kind else None


class _Expect(Strict):
    name: str | None = Field(None, max_length=200)  # the JUnit testcase name (default: derived)


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


class PurgeListItem(_Expect):
    kind: ClassVar[str] = "purge_list"
    purge_list: PurgeListExpect


class InvariantsItem(_Expect):
    """``world.check_invariants()`` held after every step."""

    kind: ClassVar[str] = "invariants"
    invariants: Literal["held"]


EXPECT_KINDS = (
    "sessions", "replicas", "data", "rpo", "rto", "no_orphan_replicas",
    "nothing_in_backup_mode", "invariants", "purge_list",
)  # fmt: skip

Expectation = Annotated[
    Annotated[SessionsItem, Tag("expect:sessions")]
    | Annotated[ReplicasItem, Tag("expect:replicas")]
    | Annotated[DataItem, Tag("expect:data")]
    | Annotated[RpoItem, Tag("expect:rpo")]
    | Annotated[RtoItem, Tag("expect:rto")]
    | Annotated[NoOrphansItem, Tag("expect:no_orphan_replicas")]
    | Annotated[BackupModeItem, Tag("expect:nothing_in_backup_mode")]
    | Annotated[InvariantsItem, Tag("expect:invariants")]
    | Annotated[PurgeListItem, Tag("expect:purge_list")],
    Discriminator(
        _expect_kind,
        custom_error_type="expect_kind",
        custom_error_message="an expectation needs exactly one of " + ", ".join(EXPECT_KINDS),
    ),
]
