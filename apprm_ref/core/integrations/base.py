"""The interface every application integration implements, and its registry by spec type.

The generic ZDB flow (``core/backup.py``) and instant recovery (``core/recovery.py``) call
these hooks in the order of ``arrays.md`` §4; each hook holds an undo handle where it
changes something, so any failure unwinds to an application that runs as before. The
application wraps the replica's creation (``consistent``): it decides how to hold still
(BEGIN BACKUP, freeze, shutdown) and is released on every path out (EXT-I5).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.session import UndoHandle
from apprm_ref.types import VolumeRef

Steps = Generator[simpy.Event, Any, Any]
ORIGIN = "BSM"  # the session manager reports a failed instant
MakeReplica = Callable[[], Generator[simpy.Event, Any, ReplicaRecord]]


@dataclass(frozen=True)
class RecoveryOptions:
    """Application half of an instant recovery request: the common base, with no option.

    A kind with something to choose (Oracle's recovery target) derives its own model and
    names it in its descriptor (``recovery_options``); a filesystem has nothing to choose.
    """


def recovery_options_for(spec_type: str, given: Mapping[str, Any] | RecoveryOptions) -> Any:
    """The application half of a restore in the model of the spec's kind: built from the
    options given by name, or narrowed from another model; an option the kind lacks is
    refused (ConfigError) with the list it has, before anything changes."""
    from apprm_ref.core import options
    from apprm_ref.drivers import registry
    from apprm_ref.drivers.kinds import resolve

    model = resolve(registry.application(spec_type).recovery_options)
    owner, fld = f"application {spec_type!r}", "recovery"
    if isinstance(given, Mapping):
        return options.build(model, given, owner=owner, field=fld)
    return options.narrow(model, given, owner=owner, field=fld)


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

    def consistent(self, ctx: SessionContext, make_replica: MakeReplica) -> Steps:
        """Hold the application still around ``make_replica()`` and give its replica; the
        application is released on every path out, failures included (EXT-I5, ARR-I16)."""
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


def around_instant(
    ctx: SessionContext,
    hold: Callable[[], list[UndoHandle]],
    make_replica: MakeReplica,
    release: Callable[[list[UndoHandle]], None],
) -> Steps:
    """The one shape of every ``consistent``: hold, make the replica, release.

    On a failure anywhere inside (hold, replica, release) the failure is reported, and
    everything done since the hold began is unwound newest first (the partial replica,
    then the application's release) before the error goes on; an undo that fails is
    Critical with what it left behind (OPS-I2).
    """
    mark = ctx.undo.mark()
    try:
        held = hold()
        replica = yield from make_replica()
        release(held)
    except Exception as exc:
        ctx.report_failure(ORIGIN, exc)
        ctx.unwind(ORIGIN, down_to=mark)
        raise
    return replica


def integration_for(spec_type: str) -> Integration:
    """The integration of the registered application ``spec_type`` (EXT-I3)."""
    from apprm_ref.drivers import registry
    from apprm_ref.drivers.kinds import resolve

    return resolve(registry.application(spec_type).integration)()  # type: ignore[no-any-return]
