"""What a running session holds: its drivers, IDB, clock, session record and undo stack."""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, TypeVar

import simpy

from apprm_ref.core.repository import Repository
from apprm_ref.core.session import CompensationStack, Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.drivers.driverset import DriverSet  # defined in drivers/ (EXT-I1)
from apprm_ref.errors import ApprmError
from apprm_ref.types import Op, Severity

T = TypeVar("T")
S = TypeVar("S")


@dataclass
class SessionContext:
    env: simpy.Environment
    drivers: DriverSet
    repo: Repository
    session: Session
    spec: BackupSpec | None = None
    options: Any = None  # parsed replication options
    app_options: Any = None  # parsed integration options
    undo: CompensationStack = field(default_factory=CompensationStack)
    # per-session working data, one typed state per integration/method (see ``state``)
    states: dict[type, Any] = field(default_factory=dict, repr=False)
    failure: BaseException | None = None  # the error that ended the flow, once reported
    aborted: bool = False  # an abort request (``apprm abort``) ended the flow

    def state(self, kind: type[S]) -> S:
        """This session's ``kind`` (a dataclass whose fields all have defaults), made on first
        use: what one step learns for a later one, typed per integration or method."""
        found = self.states.get(kind)
        if found is None:
            found = self.states[kind] = kind()
        return found  # made as ``kind`` above (no cast: it is a call)

    @property
    def now(self) -> float:
        return float(self.env.now)

    def wait(self, op: Op[T]) -> Generator[simpy.Event, Any, T]:
        """Wait until a driver operation returns (its ``done_at``) and give its result."""
        if op.done_at > self.env.now:
            yield self.env.timeout(op.done_at - self.env.now)
        return op.result

    def sleep(self, seconds: float) -> Generator[simpy.Event, Any, None]:
        if seconds > 0:
            yield self.env.timeout(seconds)

    def log(
        self,
        severity: Severity,
        origin: str,
        text: str,
        *,
        code: str | None = None,
        obj: str | None = None,
    ) -> None:
        self.session.log(float(self.env.now), severity, origin, text, code=code, obj=obj)

    def info(self, origin: str, text: str) -> None:
        self.log(Severity.NORMAL, origin, text)

    def warn(self, origin: str, text: str, *, code: str | None = None) -> None:
        self.log(Severity.WARNING, origin, text, code=code)

    def report_failure(self, origin: str, exc: BaseException) -> None:
        """One Critical message for the error that ends the flow, however many layers see
        it go by; an error that is not the product's is named by its type."""
        if exc is self.failure:
            return
        self.failure = exc
        if isinstance(exc, simpy.Interrupt):  # omniabort: the session ends Aborted
            self.aborted = True
            self.log(Severity.CRITICAL, origin, f"Abort request received: {exc.cause} => aborting.")
            return
        if isinstance(exc, ApprmError):
            self.log(Severity.CRITICAL, origin, f"{exc.message} => aborting.", code=exc.code)
            return
        text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        self.log(Severity.CRITICAL, origin, f"Internal error {text} => aborting.")

    def unwind(self, origin: str, *, report_undone: bool = True, down_to: int = 0) -> int:
        """Unwind the undo stack newest first and report every step: Normal when undone,
        Critical with what it left behind when not, never silent (OPS-I2); returns the
        number of failed undos."""
        failed = 0
        for out in self.undo.unwind(down_to):
            if out.error is None:
                if report_undone:
                    self.info(origin, f"Undone: {out.description}")
                continue
            failed += 1
            self.log(
                Severity.CRITICAL,
                origin,
                f"Undo '{out.description}' failed: {out.error}; {out.handle.what_stays}",
                code=getattr(out.error, "code", None),
            )
        return failed

    def abandon(self, origin: str, why: str) -> None:
        """Run no undo; report each step, newest first, as Critical with what it leaves: for
        a failure after which undoing would do harm (OPS-I2: never silent)."""
        for handle in reversed(self.undo.handles):
            self.log(
                Severity.CRITICAL,
                origin,
                f"Not undone, {why}: {handle.description}; {handle.what_stays}",
            )
        self.undo.clear()
