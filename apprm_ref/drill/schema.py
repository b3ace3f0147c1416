"""The scenario file format, version 1, defined once as pydantic models.

Every model forbids unknown keys, so a typo is an error naming the field. A timeline step
and an expectation are tagged unions keyed by which kind key they carry (``backup:``,
``restore:``, ``rpo:`` ...); ``apprm drill schema`` prints ``Scenario.model_json_schema()``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, PrivateAttr

from apprm_ref.core.specs import BackupSpec
from apprm_ref.drill.base import Duration, Strict, TimeExpr
from apprm_ref.drill.expectations import (
    EXPECT_KINDS,
    BoundExpect,
    DataExpect,
    DataItem,
    Expectation,
    PurgeListExpect,
    ReplicasExpect,
    SessionsExpect,
)
from apprm_ref.drill.steps import (
    STEP_KINDS,
    Backup,
    BackupStep,
    Check,
    CheckStep,
    FailStep,
    Failure,
    Fault,
    MarkStep,
    Reboot,
    RebootStep,
    Recovery,
    Restore,
    RestoreStep,
    Sql,
    SqlStep,
    Step,
    Workload,
    WorkloadStep,
)
from apprm_ref.drill.timeparse import parse_at
from apprm_ref.sim.estate import Estate  # the lead's estate model (one definition)

__all__ = [
    "EXPECT_KINDS", "STEP_KINDS", "Backup", "BackupStep", "BoundExpect", "Check", "CheckStep",
    "DataExpect", "DataItem", "Duration", "Expectation", "FailStep", "Failure", "Fault",
    "MarkStep", "PurgeListExpect", "Reboot", "Recovery", "ReplicasExpect", "Restore", "RestoreStep", "Scenario",
    "SessionsExpect", "Sql", "Step", "Strict", "TimeExpr", "Workload", "WorkloadStep", "cross_problem",
]  # fmt: skip


# --- the scenario --------------------------------------------------------------------

NAME_MAX = 200  # names and labels a terminal shows on one line
DESCRIPTION_MAX = 20_000


class Scenario(Strict):
    """A replayable drill: an estate, specs, a timeline on simulated time, expectations."""

    version: Literal[1]
    # bounded: a name is printed in every summary and report; see NAME_MAX
    name: str = Field(min_length=1, max_length=NAME_MAX)
    description: str = Field("", max_length=DESCRIPTION_MAX)
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
    declared = 0.0
    for i, step in enumerate(scenario.timeline):
        at = parse_at(step.at, declared)
        if at < declared:
            return ("timeline", i, "at"), f"{step.at} is before the previous step's time"
        declared = at
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
    apps = {str(a.name) for a in est.applications}
    if isinstance(step, WorkloadStep) and step.workload.app not in {*specs, *apps}:
        choices = ", ".join(sorted({*specs, *apps})) or "none"
        return "app", f"no spec or application {step.workload.app!r}; known: {choices}"
    rec = step.restore.recovery if isinstance(step, RestoreStep) else None
    ref = rec.ref() if rec is not None else None
    if ref is not None:
        from apprm_ref.drill.refs import parse_session_ref

        spec = parse_session_ref(ref).spec
        if spec is not None and spec not in specs:
            return "recovery", f"unknown spec {spec!r} in end_of_backup: {ref}"
    if isinstance(step, SqlStep) and step.sql.app not in apps:
        return "app", f"no application {step.sql.app!r}; known: {', '.join(sorted(apps)) or 'none'}"
    if isinstance(step, RebootStep):
        host = step.reboot if isinstance(step.reboot, str) else step.reboot.host
        if host not in hosts:
            return "host", f"no host {host!r} in the estate; known: {', '.join(sorted(hosts))}"
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
