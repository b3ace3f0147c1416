"""What a drill run produced: sessions, replicas, restores, expectation outcomes, trace.

Plain data, so the summary, the HTML report and the JUnit file are all views of one value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.drill.trace import Trace


@dataclass
class SessionRow:
    id: str
    type: str  # Backup | Restore
    spec: str
    status: str
    started: float
    finished: float | None
    replica: str | None = None
    backup_mode: tuple[float, float] | None = None  # (start, end) of backup mode / freeze
    messages: int = 0
    worst: str = "Normal"
    texts: tuple[tuple[str, str], ...] = ()  # (code or "", text) of every message


@dataclass
class ReplicaRow:
    id: str
    spec: str
    session: str
    type: str
    status: str
    created: float
    removed: float | None = None  # when it left the set (rotation, consumed, deleted)
    targets: int = 0


@dataclass
class RestoreRow:
    session: str
    spec: str
    replica: str
    method: str
    status: str
    started: float
    finished: float | None
    failure_at: float | None  # the latest failure event before the restore
    recovered_to: float | None  # point in time the data reflects after recovery
    rto: float | None = None  # finished - failure (or started)
    rpo: float | None = None  # failure - recovered_to


@dataclass
class ExpectationResult:
    name: str
    kind: str
    passed: bool
    expected: str
    observed: str
    line: int | None = None  # where the expectation is in the scenario file

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "FAIL"


@dataclass
class Marker:
    """A point on the report timeline: a fault, a failure, a mark, a check."""

    at: float
    kind: str
    label: str


@dataclass
class DrillResult:
    scenario: str  # name
    path: str
    seed: int
    duration: float  # simulated seconds the drill covered
    sessions: list[SessionRow] = field(default_factory=list)
    replicas: list[ReplicaRow] = field(default_factory=list)
    restores: list[RestoreRow] = field(default_factory=list)
    expectations: list[ExpectationResult] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    invariant_violations: list[tuple[float, str]] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)  # steps that raised
    trace: Trace | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(e.passed for e in self.expectations)

    @property
    def digest(self) -> str:
        return self.trace.digest if self.trace else ""

    @property
    def failed(self) -> list[ExpectationResult]:
        return [e for e in self.expectations if not e.passed]
