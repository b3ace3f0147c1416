"""Kind descriptors: everything an array family, an application or a host storage stack brings.

A kind is one package plus one descriptor (``DESIGN.md`` "Extension contract", EXT-I2). The
descriptor names its parts by reference (``"package.module:attribute"``), imported when first
used, so registering a kind imports nothing and this module depends on no other layer.
Every descriptor is validated when it is registered (:func:`validate`): a malformed one is
refused with the field at fault, before any scenario, spec or saved world can reach it.
"""

from __future__ import annotations

import enum
import importlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from apprm_ref.errors import ConfigError

Ref = str  # "package.module:attribute"
_REF_RE = re.compile(r"^[A-Za-z_][\w]*(\.[A-Za-z_][\w]*)*:[A-Za-z_][\w]*$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
FAILURE_SUBJECTS = ("app", "host", "array")  # the first target of a failure names its kind


def resolve(ref: Ref) -> Any:
    """Import the object ``ref`` names; ConfigError when its package is missing or broken.

    Every session resolves its replication method and integration: once ``import_module``
    has given a module and the attribute was found on it, later calls read the attribute
    from that same module object while ``sys.modules`` still holds it (an attribute a test
    patches is seen; a module reloaded or removed is imported again)."""
    module, _, attr = ref.partition(":")
    mod = _MODULES.get(module)
    if mod is not None and sys.modules.get(module) is mod:
        found = getattr(mod, attr, _MISSING)
        if found is not _MISSING:
            return found
    try:
        mod = importlib.import_module(module)
        found = getattr(mod, attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"{ref} is not available: {exc}", field="kind") from None
    _MODULES[module] = mod
    return found


_MODULES: dict[str, Any] = {}  # module name -> the module import_module gave for it
_MISSING = object()


class Rpo(enum.StrEnum):
    """The point a complete recovery reaches, for the drill's achieved RPO."""

    REPLICA = "replica"  # the data is the replica's instant (filesystems, offline databases)
    ROLL_FORWARD = "roll-forward"  # logs are applied up to the failure (Oracle ARCHIVELOG)


@dataclass(frozen=True)
class DriverDecl:
    """One driver of a kind: its registered name, its factory and its conformance subject.

    ``simulator`` marks the driver built over the kind's simulator backend (``factory(world,
    name)``); ``subject`` makes ``(seed) -> (driver, backdoor)`` for ``apprm conformance run``.
    """

    name: str
    factory: Ref
    simulator: bool = False
    subject: Ref | None = None


@dataclass(frozen=True)
class FailureKind:
    """A drill failure: ``targets`` are the scenario fields it needs (the first names the
    subject, ``app``/``host``/``array``); ``inject(world, failure) -> label`` applies it."""

    name: str
    targets: tuple[str, ...]
    inject: Ref


@dataclass(frozen=True)
class ArrayFamily:
    """An array family (EVA, XP): ``name`` is the estate ``type`` and the backend's ``kind``.

    ``protocol`` is the driver's ``Capabilities.kind``; ``replication`` the core method serving
    it; ``needs(options) -> frozenset[Capability]`` what parsed spec options require.
    """

    name: str
    protocol: str
    config: Ref  # pydantic model of an ``arrays:`` entry (``type: Literal[name]``)
    builder: Ref  # (world, cfg) -> {"array/volume-name": volume id}
    drivers: tuple[DriverDecl, ...]
    replication: Ref
    restore_methods: tuple[str, ...]
    # the dataclass of the array half of a restore (a family with more than the common
    # method/keep_replica derives its own)
    restore_options: Ref = "apprm_ref.core.replication.base:RestoreOptions"
    persisted: tuple[str, ...] = ()  # modules whose persist tags a saved world may hold
    replica_types: tuple[str, ...] = ()
    needs: Ref | None = None
    failures: tuple[FailureKind, ...] = ()
    cli: Ref | None = None  # a typer.Typer added as ``apprm <name>``
    category = "array family"


@dataclass(frozen=True)
class Application:
    """An application (filesystem, Oracle): ``name`` is the spec ``type`` and, when it has a
    simulator, the estate ``applications[].type`` and the backend's ``kind``.

    A kind with a simulator must say whether it is in backup mode (``backup_mode(backend) ->
    bool``): "nothing left in backup mode" never passes for want of a probe.
    """

    name: str
    integration: Ref
    recovery_options: Ref  # the dataclass of the application half of a restore
    rpo: Rpo = Rpo.REPLICA
    mount_objects: bool = False  # a spec's objects are mount points whose files it protects
    config: Ref | None = None
    builder: Ref | None = None  # (world, cfg) -> backend
    backup_mode: Ref | None = None
    drivers: tuple[DriverDecl, ...] = ()
    persisted: tuple[str, ...] = ()
    failures: tuple[FailureKind, ...] = ()
    cli: Ref | None = None
    category = "application"


@dataclass(frozen=True)
class StorageStack:
    """A host storage stack (LVM, Windows volumes): builds a host's volumes from an estate ``hosts:`` entry."""

    name: str
    builder: Ref  # (world, host_cfg, names) -> None
    drivers: tuple[DriverDecl, ...]
    persisted: tuple[str, ...] = ()
    failures: tuple[FailureKind, ...] = ()
    cli: Ref | None = None
    category = "storage stack"


Descriptor = ArrayFamily | Application | StorageStack
DESCRIPTOR_TYPES = (ArrayFamily, Application, StorageStack)


def _refuse(desc: Any, fld: str, message: str) -> None:
    raise ConfigError(f"{desc.category} {getattr(desc, 'name', '?')!r}: {message}", field=fld)


def validate(desc: Any) -> Descriptor:
    """Check a descriptor's shape; returns it or raises ConfigError naming the field."""
    if not isinstance(desc, DESCRIPTOR_TYPES):
        raise ConfigError(
            f"not a kind descriptor: {type(desc).__qualname__} (ArrayFamily, Application, "
            "StorageStack)",
            field="kind",
        )
    if not isinstance(desc.name, str) or not _NAME_RE.match(desc.name):
        _refuse(desc, "name", "a name is lower-case letters, digits, '-', '_' (at most 32)")
    for f in fields(desc):
        _check_refs(desc, f.name, getattr(desc, f.name))
    names = [d.name for d in desc.drivers]
    if len(set(names)) != len(names):
        _refuse(desc, "drivers", "a driver name is declared twice")
    sims = [d for d in desc.drivers if d.simulator]
    if len(sims) > 1:
        _refuse(desc, "drivers", "at most one driver is the simulator's")
    _check_failures(desc)
    _KIND_CHECKS[type(desc)](desc, sims)
    return desc


def _check_refs(desc: Any, name: str, value: Any) -> None:
    items = value if isinstance(value, tuple) else (value,)
    for item in items:
        if isinstance(item, DriverDecl | FailureKind):
            for f in fields(item):
                _check_refs(desc, f"{name}.{f.name}", getattr(item, f.name))
            continue
        is_ref = name.endswith(("factory", "subject", "inject")) or name in _REF_FIELDS
        if is_ref and item is not None and not (isinstance(item, str) and _REF_RE.match(item)):
            _refuse(desc, name, f"{item!r} is not a reference 'package.module:attribute'")


_REF_FIELDS = frozenset(
    {"config", "builder", "replication", "needs", "cli", "integration", "recovery_options"}
    | {"backup_mode"}
)


def _check_failures(desc: Any) -> None:
    for fk in desc.failures:
        if not _NAME_RE.match(fk.name) or not fk.targets:
            _refuse(desc, "failures", f"failure {fk.name!r} needs a name and its targets")
        if fk.targets[0] not in FAILURE_SUBJECTS:
            _refuse(
                desc, "failures", f"failure {fk.name!r} must first target one of app, host, array"
            )


def _check_array(desc: ArrayFamily, sims: list[DriverDecl]) -> None:
    if not desc.drivers:
        _refuse(desc, "drivers", "an array family needs at least one driver")
    if not sims:
        _refuse(desc, "drivers", "an array family needs its simulator's driver")
    if not desc.protocol or not desc.restore_methods:
        _refuse(desc, "restore_methods", "an array family needs a protocol and restore methods")
    if len(set(desc.restore_methods)) != len(desc.restore_methods):
        _refuse(desc, "restore_methods", "a restore method is listed twice")
    for t in desc.replica_types:
        if not _NAME_RE.match(t):
            _refuse(desc, "replica_types", f"{t!r} is not a replica type name")


def _check_application(desc: Application, sims: list[DriverDecl]) -> None:
    if not isinstance(desc.rpo, Rpo):
        _refuse(desc, "rpo", f"rpo must be one of {', '.join(r.value for r in Rpo)}")
    simulated = desc.builder is not None
    if simulated and (desc.config is None or desc.backup_mode is None or not sims):
        _refuse(
            desc,
            "backup_mode",
            "an application with a simulator needs its config model, its simulator's driver "
            "and a backup-mode probe",
        )
    if not simulated and (desc.config is not None or desc.backup_mode is not None):
        _refuse(desc, "builder", "a config model or probe without a simulator builder")


def _check_stack(desc: StorageStack, sims: list[DriverDecl]) -> None:
    # a stack may be served by the host driver another stack declares (one host driver
    # serves every stack of the host simulator); drivers it does declare include the sim's
    if desc.drivers and not sims:
        _refuse(desc, "drivers", "a storage stack's drivers must include its simulator's")


_KIND_CHECKS: dict[type, Callable[[Any, list[DriverDecl]], None]] = {
    ArrayFamily: _check_array,
    Application: _check_application,
    StorageStack: _check_stack,
}


def simulator_driver(desc: Descriptor) -> DriverDecl:
    for d in desc.drivers:
        if d.simulator:
            return d
    raise ConfigError(f"{desc.category} {desc.name!r} has no simulator", field="kind")


__all__ = [
    "Application",
    "ArrayFamily",
    "Descriptor",
    "DriverDecl",
    "FailureKind",
    "Ref",
    "Rpo",
    "StorageStack",
    "resolve",
    "simulator_driver",
    "validate",
]
