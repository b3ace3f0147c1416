"""The conformance suite: checks with ids, capability gating, exact refusals, leak checks.

Modelled on csi-sanity: every check names what it needs from the driver's declared
Capabilities and is reported ``skip`` (with the capability named) when the driver does not
declare it; a check naming a capability the family does not know is a ``fail``, never a
skip. Every refusal is checked for its exact vendor code, repeated (a refusal is idempotent:
same code the second time) and shown to change nothing the driver can observe (and nothing
in the ground truth when a backdoor is given). Every object a check creates is tracked and
undone; whatever the driver's inventory shows afterwards that it did not show before is a
leak and fails the check.

Observe-only mode judges through the driver alone: the subject's fixture (volumes, pairs, a
database, a host the operator set aside) replaces the backdoor, and checks that need ground
truth (block content) are skipped with that reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apprm_ref.conformance.vocabulary import KNOWN_FEATURES
from apprm_ref.errors import ApprmError


@dataclass
class Subject:
    """A driver under test and what the suite may use beside it.

    ``fixture`` is what an operator sets aside on real equipment (family-specific);
    ``wait_until`` lets time pass (the simulated clock, or sleeping on real hardware);
    ``codes`` names the vendor code of a situation where the driver's surface legitimately
    answers with another code than the family default (RAID Manager's EX_ENODEV for a
    device missing from horcm.conf where the array itself says EX_ENLDEV)."""

    name: str
    driver: Any
    fixture: Any
    wait_until: Callable[[float], None]
    backdoor: Any | None = None
    codes: dict[str, str | None] = field(default_factory=dict)
    now: Callable[[], float] = lambda: 0.0

    @property
    def family(self) -> str:
        return str(self.driver.capabilities().kind)


class Skip(Exception):
    """The check does not apply to this subject; the message says why."""


class UnknownCapability(AssertionError):
    """A check or a driver names a capability its family does not define."""


@dataclass(frozen=True)
class Check:
    id: str
    family: str
    description: str
    fn: Callable[[Ctx], None]
    requires: tuple[str, ...] = ()
    backdoor: bool = False  # needs ground truth (skipped in observe-only mode)


@dataclass(frozen=True)
class CheckResult:
    id: str
    description: str
    outcome: str  # pass | skip | fail
    detail: str = ""


CHECKS: dict[str, dict[str, Check]] = {}
# Families whose Protocol cannot carry 120 distinct checks: the reason the report gives.
SMALL_FAMILIES: dict[str, str] = {}


def register(
    family: str,
    check_id: str,
    description: str,
    fn: Callable[[Ctx], None],
    *,
    requires: tuple[str, ...] = (),
    backdoor: bool = False,
) -> None:
    """Add one check; ids are unique per family."""
    checks = CHECKS.setdefault(family, {})
    if check_id in checks:
        raise ValueError(f"duplicate conformance check {family}:{check_id}")
    checks[check_id] = Check(check_id, family, description, fn, requires, backdoor)


def check(
    family: str, check_id: str, *, requires: tuple[str, ...] = (), backdoor: bool = False
) -> Callable[[Callable[[Ctx], None]], Callable[[Ctx], None]]:
    """Decorator form of :func:`register`; the docstring's first line is the description."""

    def add(fn: Callable[[Ctx], None]) -> Callable[[Ctx], None]:
        doc = (fn.__doc__ or check_id).strip().splitlines()[0]
        register(family, check_id, doc, fn, requires=requires, backdoor=backdoor)
        return fn

    return add


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


@dataclass
class Ctx:
    """What a check works with: the subject, its observer, and the undo stack."""

    subject: Subject
    observe: Callable[[Subject], Any]
    observe_only: bool = False
    undo: list[tuple[str, Callable[[], Any]]] = field(default_factory=list)

    @property
    def driver(self) -> Any:
        return self.subject.driver

    @property
    def fx(self) -> Any:
        return self.subject.fixture

    def code(self, situation: str, default: str | None) -> str | None:
        return self.subject.codes.get(situation, default)

    def require(self, *features: str) -> None:
        caps = self.driver.capabilities()
        known = KNOWN_FEATURES.get(caps.kind, frozenset())
        unknown = [f for f in features if f not in known]
        if unknown:
            raise UnknownCapability(f"unknown capability {', '.join(unknown)} for {caps.kind}")
        missing = [f for f in features if not caps.has(f)]
        if missing:
            raise Skip(f"capability not declared: {', '.join(missing)}")

    def backdoor(self) -> Any:
        if self.observe_only or self.subject.backdoor is None:
            raise Skip("needs ground truth (a backdoor); observe-only mode")
        return self.subject.backdoor

    def track(self, label: str, undo: Callable[[], Any]) -> None:
        self.undo.append((label, undo))

    def untrack(self, label: str) -> None:
        self.undo = [(lab, fn) for lab, fn in self.undo if lab != label]

    def wait(self, done_at: float | None) -> None:
        if done_at is not None:
            self.subject.wait_until(done_at)

    def fingerprint(self) -> tuple[Any, Any]:
        """What the driver reports, then the ground truth (after the driver's reads, which
        may fill a simulator's caches)."""
        seen = self.observe(self.subject)
        truth = None
        if not self.observe_only and self.subject.backdoor is not None:
            truth = self.subject.backdoor.fingerprint()
        return seen, truth

    def refused(
        self, fn: Callable[[], Any], code: str | None, *, repeat: int = 2, truth: bool = True
    ) -> None:
        """``fn`` is refused with exactly ``code``, ``repeat`` times, and changes nothing
        (``truth=False``: nothing the driver reports; the simulator's memory may move)."""
        before = self.fingerprint()
        for attempt in range(1, repeat + 1):
            try:
                fn()
            except ApprmError as exc:
                expect(exc.code == code, f"attempt {attempt}: expected {code}, got {exc!r}")
            else:
                raise AssertionError(f"attempt {attempt}: accepted, must be refused with {code}")
            after = self.fingerprint()
            expect(after[0] == before[0], f"refusal ({code}) changed what the driver reports")
            if truth:
                expect(after[1] == before[1], f"refusal ({code}) changed the ground truth")

    def cleanup(self) -> list[str]:
        problems = []
        for label, fn in reversed(self.undo):
            try:
                fn()
            except (ApprmError, AssertionError) as exc:
                problems.append(f"cleanup of {label}: {exc}")
        self.undo.clear()
        return problems


Inventory = Callable[[Subject], Any]


def run_check(
    subject: Subject, chk: Check, observe: Inventory, inventory: Inventory, observe_only: bool
) -> CheckResult:
    def result(outcome: str, detail: str = "") -> CheckResult:
        return CheckResult(chk.id, chk.description, outcome, detail)

    ctx = Ctx(subject, observe, observe_only)
    before = inventory(subject)
    try:
        if chk.requires:
            ctx.require(*chk.requires)
        if chk.backdoor:
            ctx.backdoor()
        chk.fn(ctx)
        outcome = result("pass")
    except Skip as exc:
        outcome = result("skip", str(exc))
    except (AssertionError, ApprmError) as exc:
        outcome = result("fail", f"{type(exc).__name__}: {exc}")
    problems = ctx.cleanup()
    after = inventory(subject)
    if after != before:
        problems.append(f"leak: the driver reports {_diff(before, after)} after cleanup")
    if problems and outcome.outcome != "fail":
        outcome = result("fail", "; ".join(problems))
    return outcome


def _diff(before: Any, after: Any) -> str:
    if isinstance(before, tuple | list) and isinstance(after, tuple | list):
        gone = [x for x in before if x not in after]
        new = [x for x in after if x not in before]
        return f"new {new} / missing {gone}"
    return f"{after!r} instead of {before!r}"
