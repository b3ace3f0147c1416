"""The hardware-provider interface (IVssHardwareSnapshotProvider, vss-and-core.md §5.1) and
the LUN data it works on.

The service calls, per shadow-copy set: ``are_luns_supported`` as each volume is added (all
or nothing per volume, VC-I3), ``begin_prepare`` per volume (it may start array work that
must finish before the commit, e.g. an XP resync: it returns when the LUN is ready),
``commit`` inside the flush-and-hold window (all LUNs at one instant), ``abort`` to undo a
commit the service then fails, ``locate_luns`` on import into another host (VC-I11) and
``on_lun_empty`` when a shadow copy is deleted. A provider reaches its array only through
the array backend's public operations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class Lun:
    """A LUN under a volume: the array volume the host reads."""

    array: str
    volume: str
    wwn: str


@dataclass(frozen=True)
class Target:
    """The shadow LUN a provider made for one source LUN (VDS_LUN_INFORMATION's gist)."""

    source: Lun
    array: str
    volume: str
    kind: str  # snapshot | vsnap | snapclone | mirror (XP resync) | clone (XP compliant)
    mu: int = -1  # XP: the MU of the pair


@runtime_checkable
class Provider(Protocol):
    """A hardware provider: persisted configuration; its state lives in the array."""

    provider_id: str
    name: str
    commit_seconds: float  # time CommitSnapshots takes, inside the hold window (VC-P3)

    provider_type: str  # "Hardware" (vssadmin's word)
    version: str

    def are_luns_supported(self, world: Any, luns: tuple[Lun, ...], context: int) -> bool: ...

    def begin_prepare(self, world: Any, lun: Lun, context: int) -> float:
        """Prepare ``lun`` for a snapshot; returns the simulated time it is ready."""
        ...

    def commit(self, world: Any, luns: tuple[Lun, ...], context: int) -> list[Target]:
        """Make every target at this instant or none (raise VssError)."""
        ...

    def abort(self, world: Any, targets: list[Target]) -> None: ...

    def locate_luns(self, world: Any, targets: list[Target], host: str) -> None: ...

    def unlocate(self, world: Any, targets: list[Target], host: str) -> None: ...

    def on_lun_empty(self, world: Any, target: Target) -> None: ...


HP_PROVIDER_VERSION = "4.00"  # (inferred) the provider builds' version is not published


def array_of(world: Any, name: str, cls: type) -> Any:
    """The array backend ``name`` if it is of the provider's family, else None."""
    backend = world.arrays.get(name)
    return backend if isinstance(backend, cls) else None


def hardware_context(context: int) -> bool:
    """Hardware providers make backup and rollback copies; client-accessible (shadow copies
    of shared folders) is the system provider's alone."""
    from apprm_ref.sim.vss.models import Attr

    return not context & Attr.CLIENT_ACCESSIBLE


def vss_guid(*parts: str) -> str:
    """A stable GUID for a simulated object (set, shadow copy, writer instance)."""
    from apprm_ref.sim.host.windows_names import _guid

    return _guid("vss", *parts)
