"""One error tree for every layer.

Simulators and real drivers raise the same classes carrying the vendor's own code, so the
orchestrator handles a simulated refusal and a real one alike.
"""

from __future__ import annotations


class ApprmError(Exception):
    """Root of every error the project raises on purpose.

    ``code`` is the vendor's code where one exists (``ORA-01146``, ``EX_CMDRJE``,
    ``VSS_E_WRITERERROR_TIMEOUT``, an SMI-S return value); ``detail`` is free text.
    """

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}" if self.code else self.message


class ConfigError(ApprmError):
    """Bad user input: a spec, an option, a scenario file, a CLI argument."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.file, self.line, self.field = file, line, field

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file + (f":{self.line}" if self.line else "") + ": "
        fld = f"{self.field}: " if self.field else ""
        return f"{where}{fld}{super().__str__()}"


class NotFoundError(ApprmError):
    """A named object (spec, session, replica, array volume, host) does not exist."""


# --- driver layer: the same classes for simulators and real drivers -----------------


class DriverError(ApprmError):
    """An operation a driver (simulated or real) refused or could not finish."""


class ArrayError(DriverError):
    """A disk array refused an operation; the array is unchanged."""


class EvaError(ArrayError):
    """EVA / SMI-S refusal, code is the EVA or SMI-S return code name."""


class XpError(ArrayError):
    """XP / RAID Manager refusal, code is the CCI error name (``EX_CMDRJE`` ...)."""


class VssError(DriverError):
    """A VSS refusal or failure; ``code`` is the HRESULT name (``VSS_E_BAD_STATE`` ...)."""


class HostError(DriverError):
    """Host-side failure: mount, unmount, rescan, volume group activation, script."""


class OracleError(DriverError):
    """An Oracle error; ``code`` is ``ORA-nnnnn``; ``stack`` holds secondary ORA codes."""

    def __init__(self, message: str, *, code: str, stack: tuple[str, ...] = ()) -> None:
        super().__init__(message, code=code)
        self.stack = stack

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code or "", *self.stack)


class FaultInjected(DriverError):
    """Raised by an armed fault site; code names the site."""


# --- orchestration layer -------------------------------------------------------------


class OrchestrationError(ApprmError):
    """Core refused a plan or a session step failed for a reason of its own."""


class PlanError(OrchestrationError):
    """A spec cannot be carried out with the drivers' declared capabilities."""


class RecoveryError(OrchestrationError):
    """Instant recovery refused or failed."""


class PartialRestoreError(RecoveryError):
    """An instant recovery failed after sources were changed for good: some took the
    replica's data, or a copy died half-way and they hold neither point in time. Mounting
    them and starting the application again would put that under one filesystem, so the
    session undoes nothing and says what it left; ``state`` says what the sources hold."""

    PART = "the sources hold the replica's data only in part"

    def __init__(self, message: str, *, code: str | None = None, state: str = PART) -> None:
        super().__init__(message, code=code)
        self.state = state


class IdbError(ApprmError):
    """The internal database is unreachable or inconsistent."""


class InvariantViolation(ApprmError):
    """A simulator invariant was found broken: always a bug, never a user error."""
