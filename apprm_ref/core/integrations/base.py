"""The interface every application integration implements, and its registry by spec type.

The generic ZDB flow (``core/backup.py``) and instant recovery (``core/recovery.py``) call
these hooks in the order of ``arrays.md`` §4; each hook pushes its undo where it changes
something, so any failure unwinds to an application that runs as before.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any, Protocol

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.types import VolumeRef

Steps = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True)
class RecoveryOptions:
    """Application half of an instant recovery request (database recovery)."""

    recover: bool = True  # run database recovery after the array restore
    until: str = "now"  # now | scn | time | sequence | cancel | none
    scn: int | None = None
    time: float | None = None  # simulated seconds
    sequence: int | None = None
    thread: int = 1
    open_resetlogs: bool | None = None  # None: what the recovery requires
    keep_current_cf_olf: bool = False
    use_backup_controlfile: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class Integration(Protocol):
    kind: str

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> Any: ...

    def objects(self, ctx: SessionContext) -> list[str]:
        """Backup object names shown in the session (mount points, database name)."""
        ...

    def source_paths(self, ctx: SessionContext) -> list[str]:
        """Paths on the application system whose volume groups must be replicated."""
        ...

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        """Configuration checks before anything changes; raise to fail the session."""
        ...

    def before_quiesce(self, ctx: SessionContext) -> Steps:
        """Work before quiescing (e.g. control-file copy); may push undo."""
        ...

    def quiesce(self, ctx: SessionContext) -> Steps:
        """Freeze / begin backup / shut down; pushes the matching release as undo."""
        ...

    def release(self, ctx: SessionContext) -> Steps:
        """Thaw / end backup / start up; removes the undo pushed by quiesce."""
        ...

    def after_replica(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """After release: archive the current log, record what recovery needs."""
        ...

    def stop_for_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        """Stop the application and save what must survive the restore."""
        ...

    def start_after_ir(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
    ) -> Steps:
        """Recover and restart the application on the restored volumes."""
        ...


def integration_for(spec_type: str) -> Integration:
    """The integration of the registered application ``spec_type`` (EXT-I3)."""
    from apprm_ref.drivers import registry
    from apprm_ref.drivers.kinds import resolve

    return resolve(registry.application(spec_type).integration)()  # type: ignore[no-any-return]
