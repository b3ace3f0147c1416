"""Harness: object tracking, cleanup, leak check, and the case registry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from apprm_ref.errors import ApprmError


class Backdoor(Protocol):
    """Ground truth about the array under test, independent of the driver."""

    def provision_source(self, size_bytes: int) -> str:
        """Create a source volume for the suite; returns its volume id."""
        ...

    def destroy(self, volume: str) -> None: ...

    def write(self, volume: str, items: dict[int, Any]) -> None: ...

    def read(self, volume: str, extent: int) -> Any: ...

    def advance(self, seconds: float) -> None:
        """Let time pass (simulated, or real waiting for a real array)."""
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
                self._settle(vol)
                self.driver.delete_volume(vol)
            except ApprmError as exc:
                problems.append(f"cleanup of {vol}: {exc}")
        self.created.clear()
        for vol in reversed(self.sources):
            try:
                self._settle(vol)
                self.backdoor.destroy(vol)
            except ApprmError as exc:
                problems.append(f"cleanup of source {vol}: {exc}")
        self.sources.clear()
        return problems

    def _settle(self, vol: str) -> None:
        state = self.driver.copy_state(vol) if hasattr(self.driver, "copy_state") else None
        if state is not None and state.copying and state.done_at is not None:
            self.backdoor.advance(max(0.0, state.done_at) + 1.0)


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
