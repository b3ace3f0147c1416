"""The interface every array replication method implements, and its registry by array kind.

Each step is a SimPy generator (``yield from``) because array operations take simulated
time; each pushes its undo on ``ctx.undo`` so a failed session leaves no half-made replica.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.errors import ConfigError, PlanError
from apprm_ref.types import VolumeRef

Steps = Generator[simpy.Event, Any, Any]


@dataclass(frozen=True)
class RestoreOptions:
    """Array half of an instant recovery request: what every family has (EVA's model).

    A family with more to choose derives its own model (``SplitMirrorRestoreOptions``) and
    names it in its descriptor (``restore_options``); see :func:`restore_options_for`.
    """

    method: str | None = None  # one of the family's restore_methods (None: its default)
    keep_replica: bool = False  # keep the replica after IR (where the method allows)


@dataclass(frozen=True)
class SplitMirrorRestoreOptions(RestoreOptions):
    """XP: the source is first kept as a safety copy (project default) unless refused."""

    retain_source: bool = True


class ReplicationMethod(Protocol):
    kind: str  # the array Capabilities.kind it serves
    agent: str  # the agent that logs its steps ("SMISA" EVA, "SSEA" XP): "<agent>@<host>"

    def parse_options(self, raw: dict[str, Any], *, spec_name: str) -> Any:
        """Validate array options at spec creation; ConfigError naming the field."""
        ...

    def set_size(self, options: Any) -> int:
        """How many replicas the set keeps (N, or the size of the MU list)."""
        ...

    def tracked(self, options: Any) -> bool: ...

    def check(self, ctx: SessionContext, sources: list[VolumeRef]) -> None:
        """Pre-checks before anything changes (policy, exclude list, cloning in progress)."""
        ...

    def prepare(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        """Rotate the set / resync pairs so a replica can be created."""
        ...

    def create(self, ctx: SessionContext, sources: list[VolumeRef]) -> Steps:
        """Create the replica at one instant; all-or-nothing. Returns a ReplicaRecord (unsaved)."""
        ...

    def expose(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """Present the targets to the backup system (the mount itself is generic)."""
        ...

    def conceal(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """Unpresent after the backup system let go of the targets."""
        ...

    def finish(self, ctx: SessionContext, replica: ReplicaRecord) -> Steps:
        """Keep or discard the replica; prepare the next mirror."""
        ...

    def restore(
        self, ctx: SessionContext, replica: ReplicaRecord, options: RestoreOptions
    ) -> Steps:
        """Array half of instant recovery; the hosts have already let go of the sources."""
        ...

    def delete(self, ctx: SessionContext, replica: ReplicaRecord, *, force: bool = False) -> Steps:
        """Remove a replica from the array (CLI delete, purge)."""
        ...


def method_for(array_driver: Any) -> ReplicationMethod:
    """The replication method of the registered family speaking the driver's protocol."""
    from apprm_ref.drivers import registry
    from apprm_ref.drivers.kinds import resolve

    kind = array_driver.capabilities().kind
    try:
        family = registry.family_for_protocol(kind)
    except ConfigError as exc:
        raise PlanError(f"no replication method for arrays of kind {kind!r}: {exc}") from None
    return resolve(family.replication)()  # type: ignore[no-any-return]


def _family(array_driver: Any) -> Any:
    from apprm_ref.drivers import registry

    return registry.family_for_protocol(array_driver.capabilities().kind)


def restore_options_for(array_driver: Any, given: Mapping[str, Any] | RestoreOptions) -> Any:
    """The array half of a restore in the model of the driver's family: built from the
    options given by name, or narrowed from another model; an option the family lacks is
    refused (ConfigError) before anything changes. The method itself is the family's to
    judge, inside the restore session (a refused IR is a failed session that changed nothing)."""
    from apprm_ref.core import options
    from apprm_ref.drivers.kinds import resolve

    family = _family(array_driver)
    model = resolve(family.restore_options)
    owner, fld = f"array family {family.name!r}", "restore"
    if isinstance(given, Mapping):
        return options.build(model, given, owner=owner, field=fld)
    return options.narrow(model, given, owner=owner, field=fld)


def check_capabilities(array_driver: Any, options: Any) -> None:
    """EXT-I4: refuse, at spec creation, options needing a capability the driver lacks."""
    from apprm_ref.drivers import registry
    from apprm_ref.drivers.kinds import resolve

    caps = array_driver.capabilities()
    family = registry.family_for_protocol(caps.kind)
    if family.needs is None:
        return
    missing = caps.missing(resolve(family.needs)(options))
    if missing:
        raise ConfigError(
            f"array {array_driver.name} does not declare {', '.join(missing)}, which these "
            "options need",
            field="replication",
        )
