"""Named fault sites that any backend can consult.

A backend calls ``world.faults.check("eva.create", ...)`` at the point where the
real device could fail. Nothing happens unless a plan arms that site. A rule fires on the
nth matching call, with a probability drawn from the world's ``faults`` stream, or from a
simulated time on; ``times`` bounds how often it fires. Every firing is logged.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field

from apprm_ref.errors import FaultInjected
from apprm_ref.persist import persistable


@persistable("faults.Rule")
@dataclass
class FaultRule:
    site: str  # fnmatch pattern over site names, e.g. "eva.create_snapshot" or "oracle.*"
    nth: int | None = None  # fire on the nth matching call (1-based)
    probability: float | None = None
    at_or_after: float | None = None  # simulated seconds
    times: int = 1  # how many firings before the rule is spent (0 = unlimited)
    code: str | None = None  # vendor code carried by the raised error
    message: str = "injected fault"
    match: dict[str, str] = field(default_factory=dict)  # required context values
    calls: int = 0
    fired: int = 0

    def spent(self) -> bool:
        return self.times > 0 and self.fired >= self.times


@persistable("faults.Firing")
@dataclass(frozen=True)
class Firing:
    at: float
    site: str
    code: str | None
    context: tuple[tuple[str, str], ...]


@persistable("faults.Plan")
@dataclass
class FaultPlan:
    rules: list[FaultRule] = field(default_factory=list)
    log: list[Firing] = field(default_factory=list)

    def arm(self, rule: FaultRule) -> FaultRule:
        self.rules.append(rule)
        return rule

    def disarm(self, site: str) -> int:
        before = len(self.rules)
        self.rules = [r for r in self.rules if r.site != site]
        return before - len(self.rules)

    def should_fire(
        self, site: str, now: float, draw: float, context: dict[str, str]
    ) -> FaultRule | None:
        for rule in self.rules:
            if rule.spent() or not fnmatch.fnmatchcase(site, rule.site):
                continue
            if any(context.get(k) != v for k, v in rule.match.items()):
                continue
            rule.calls += 1
            if rule.nth is not None and rule.calls != rule.nth:
                continue
            if rule.at_or_after is not None and now < rule.at_or_after:
                continue
            if rule.probability is not None and draw >= rule.probability:
                continue
            rule.fired += 1
            self.log.append(Firing(now, site, rule.code, tuple(sorted(context.items()))))
            return rule
        return None


class FaultSites:
    """The world's door to its plan: ``check`` raises ``error_cls`` when a rule fires."""

    def __init__(self, plan: FaultPlan, now, stream) -> None:  # type: ignore[no-untyped-def]
        self.plan = plan
        self._now = now
        self._stream = stream

    def _armed(self, site: str) -> bool:
        """Whether a call at ``site`` consults the plan (see ``fault_sites.DRAW_ALWAYS``)."""
        from apprm_ref.sim.fault_sites import DRAW_ALWAYS

        if not self.plan.rules:
            return False
        return site in DRAW_ALWAYS or any(
            fnmatch.fnmatchcase(site, r.site) for r in self.plan.rules
        )

    def check(
        self,
        site: str,
        error_cls: type[Exception] = FaultInjected,
        **context: str,
    ) -> None:
        if not self.plan.rules or not self._armed(site):  # no plan: no call per site
            return
        draw = self._stream.random()
        rule = self.plan.should_fire(
            site, self._now(), draw, {k: str(v) for k, v in context.items()}
        )
        if rule is None:
            return
        msg = f"{rule.message} at {site}"
        if error_cls is FaultInjected or not _accepts_code(error_cls):
            raise FaultInjected(msg, code=rule.code or site)
        raise error_cls(msg, code=rule.code or site)  # type: ignore[call-arg]

    def fires(self, site: str, **context: str) -> bool:
        """Like ``check`` but returns True instead of raising (for non-error faults)."""
        if not self.plan.rules or not self._armed(site):
            return False
        draw = self._stream.random()
        rule = self.plan.should_fire(
            site, self._now(), draw, {k: str(v) for k, v in context.items()}
        )
        return rule is not None

    def delay(self, site: str, bounds: tuple[float, float], **context: str) -> float:
        """Extra seconds a slow reply takes (0 unless the site fires), drawn within
        ``bounds`` from the same seeded stream."""
        if not self.fires(site, **context):
            return 0.0
        lo, hi = bounds
        return lo + (hi - lo) * self._stream.random()


def _accepts_code(cls: type[Exception]) -> bool:
    from apprm_ref.errors import ApprmError

    return issubclass(cls, ApprmError)
