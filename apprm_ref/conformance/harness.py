"""Harness: object tracking, cleanup, leak check, and the case registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Protocol

from apprm_ref.drivers.copy_poll import poll_copies
from apprm_ref.errors import ApprmError

SETTLE_LIMIT_S = 6 * 3600.0  # a fixture copy ends in seconds; longer is a bug


class Backdoor(Protocol):
    """Ground truth about the array under test, independent of the driver."""

    def provision_source(self, size_bytes: int) -> str:
        """Create a source volume for the suite; returns its volume id."""
        ...

    def destroy(self, volume: str) -> None: ...

    def write(self, volume: str, items: dict[int, Any]) -> None: ...

    def read(self, volume: str, extent: int) -> Any: ...

    def advance(self, seconds: float) -> None:
        """Let time pass until the instant ``seconds`` (simulated, or real waiting for a
        real array)."""
        ...

    def now(self) -> float:
        """The array's clock."""
        ...

    def fingerprint(self) -> str:
        """Digest of the whole array state, to prove a refusal changed nothing."""
        ...


class CaseSkipped(Exception):
    pass


@dataclass
class CaseResult:
    name: str
    outcome: str  # passed | failed | skipped
    detail: str = ""


@dataclass
class Harness:
    driver: Any
    backdoor: Backdoor
    created: list[str] = field(default_factory=list)  # volume ids, creation order
    sources: list[str] = field(default_factory=list)

    def require(self, *features: str) -> None:
        caps = self.driver.capabilities()
        missing = [f for f in features if not caps.has(f)]
        if missing:
            raise CaseSkipped(f"driver does not declare {', '.join(missing)}")

    def source(self, size_bytes: int = 64 * 1024 * 1024) -> str:
        vol = self.backdoor.provision_source(size_bytes)
        self.sources.append(vol)
        return vol

    def track(self, *volumes: str) -> None:
        self.created.extend(volumes)

    def forget(self, volume: str) -> None:
        if volume in self.created:
            self.created.remove(volume)

    def expect_refusal(self, fn: Callable[[], Any], *, code: str | None = None) -> ApprmError:
        """``fn`` must raise a driver error and leave the array exactly as it was."""
        before = self.backdoor.fingerprint()
        try:
            fn()
        except ApprmError as exc:
            after = self.backdoor.fingerprint()
            check(after == before, f"refused operation changed the array ({exc})")
            if code is not None:
                check(exc.code == code, f"expected code {code}, got {exc.code}")
            return exc
        raise AssertionError("operation was accepted but must be refused")

    def cleanup(self) -> list[str]:
        """Delete what the case created (newest first), then its sources; report failures."""
        problems = []
        for vol in reversed(self.created):
            try:
                info = self.driver.volume_info(vol)
                for host in info.presented_to:
                    self.driver.unpresent(vol, host)
                self.settle(vol)
                self.driver.delete_volume(vol)
            except ApprmError as exc:
                problems.append(f"cleanup of {vol}: {exc}")
        self.created.clear()
        for vol in reversed(self.sources):
            try:
                self.settle(vol)
                self.backdoor.destroy(vol)
            except ApprmError as exc:
                problems.append(f"cleanup of source {vol}: {exc}")
        self.sources.clear()
        return problems

    def settle(self, vol: str) -> bool:
        """Poll the driver's ``copy_state(vol)`` as core does, the backdoor's time passing
        between looks, until no copy is in progress (False: one still runs after
        ``SETTLE_LIMIT_S``). A driver without copies has nothing to wait for."""
        if not hasattr(self.driver, "copy_state"):
            return True
        limit = self.backdoor.now() + SETTLE_LIMIT_S
        read = partial(_copy_states, self.driver, vol)
        return poll_copies(read, self.backdoor.now, self.backdoor.advance, limit=limit)


def _copy_states(driver: Any, vol: str) -> list[Any]:
    return [driver.copy_state(vol)]


def check(condition: bool, message: str) -> None:
    if not condition:
        raise AssertionError(message)


Case = Callable[[Harness], None]
CASES: dict[str, list[tuple[str, Case]]] = {}


def case(kind: str) -> Callable[[Case], Case]:
    def register(fn: Case) -> Case:
        CASES.setdefault(kind, []).append((fn.__name__, fn))
        return fn

    return register


def cases_for(kind: str) -> list[tuple[str, Case]]:
    from apprm_ref.conformance import snapshot_cases, split_mirror_cases  # noqa: F401

    return list(CASES.get(kind, []))


def run_case(driver: Any, backdoor: Backdoor, name: str, fn: Case) -> CaseResult:
    before = [v.ref for v in driver.list_volumes()]
    harness = Harness(driver, backdoor)
    try:
        fn(harness)
        result = CaseResult(name, "passed")
    except CaseSkipped as exc:
        result = CaseResult(name, "skipped", str(exc))
    except (AssertionError, ApprmError) as exc:
        result = CaseResult(name, "failed", f"{type(exc).__name__}: {exc}")
    problems = harness.cleanup()
    leaked = sorted(set(map(str, (v.ref for v in driver.list_volumes()))) - set(map(str, before)))
    if leaked:
        problems.append(f"leaked volumes: {', '.join(leaked)}")
    if problems and result.outcome != "failed":
        result = CaseResult(name, "failed", "; ".join(problems))
    return result


def run_suite(driver: Any, backdoor: Backdoor, *, only: str | None = None) -> list[CaseResult]:
    kind = driver.capabilities().kind
    return [run_case(driver, backdoor, n, fn) for n, fn in cases_for(kind) if only in (None, n)]
