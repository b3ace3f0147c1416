"""The one registry of kinds and their drivers: built-ins, the entry-point group
``apprm_ref.drivers`` and in-process :func:`register`.

An entry point of the group names either a kind descriptor (:mod:`apprm_ref.drivers.kinds`)
or, as before kinds existed, a bare driver factory. Every lookup of an unknown kind or driver
is a ConfigError listing what is registered (EXT-I3): nothing falls through to another kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from apprm_ref.drivers.kinds import (
    Application,
    ArrayFamily,
    Descriptor,
    DriverDecl,
    FailureKind,
    StorageStack,
    resolve,
    validate,
)
from apprm_ref.errors import ConfigError
from apprm_ref.types import ReplicaType

ENTRY_POINT_GROUP = "apprm_ref.drivers"
# The simulator has one host backend; every host runs this stack until hosts carry their own.
DEFAULT_STORAGE_STACK = "lvm"


@dataclass
class _Kinds:
    by_type: dict[type, dict[str, Descriptor]] = field(
        default_factory=lambda: {ArrayFamily: {}, Application: {}, StorageStack: {}}
    )
    drivers: dict[str, DriverDecl] = field(default_factory=dict)
    bare: dict[str, Any] = field(default_factory=dict)  # entry points naming a factory
    # family_for_protocol's answers (every session asks); ``add`` forgets them
    by_protocol: dict[str, ArrayFamily] = field(default_factory=dict)

    def add(self, desc: Descriptor) -> None:
        table = self.by_type[type(desc)]
        if table.get(desc.name) not in (None, desc):
            raise ConfigError(f"{desc.category} {desc.name!r} is already registered", field="kind")
        mine = desc is table.get(desc.name)
        clash = [
            d.name
            for d in desc.drivers
            if d.name in self.bare or (d.name in self.drivers and not mine)
        ]
        if clash:
            raise ConfigError(f"driver {clash[0]!r} is already registered", field="drivers")
        if isinstance(desc, ArrayFamily):
            _check_protocol(self, desc)
            for t in desc.replica_types:
                ReplicaType.declare(t)
        table[desc.name] = desc
        self.drivers.update({d.name: d for d in desc.drivers})
        self.by_protocol.clear()


def _check_protocol(kinds: _Kinds, desc: ArrayFamily) -> None:
    for other in kinds.by_type[ArrayFamily].values():
        assert isinstance(other, ArrayFamily)  # the table of array families holds only them
        if other.protocol == desc.protocol and other.replication != desc.replication:
            raise ConfigError(
                f"array family {desc.name!r}: protocol {desc.protocol} is served by "
                f"{other.replication} (family {other.name}); a new method needs a new protocol",
                field="replication",
            )


_state: _Kinds | None = None
_local: list[Descriptor] = []


def _kinds() -> _Kinds:
    global _state
    if _state is None:
        from apprm_ref.drivers.builtin_kinds import BUILTINS

        state = _Kinds()
        for desc in BUILTINS:
            state.add(validate(desc))
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            obj = _load(ep)
            if isinstance(obj, ArrayFamily | Application | StorageStack):
                state.add(validate(obj))
            elif callable(obj) and ep.name not in state.drivers:
                state.bare[ep.name] = obj
            elif callable(obj):
                raise ConfigError(f"driver {ep.name!r} is already registered", field="drivers")
            else:
                raise ConfigError(f"entry point {ep.name} is neither a kind nor a factory")
        for desc in _local:
            state.add(desc)
        _state = state
    return _state


def _load(ep: Any) -> Any:
    try:
        return ep.load()
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"entry point {ep.name} ({ep.value}) cannot be loaded: {exc}") from None


def cli_groups() -> list[tuple[str, Any]]:
    """(kind name, typer app) of every kind bringing a command group."""
    return [(d.name, resolve(d.cli)) for d in all_kinds() if d.cli is not None]


def register(desc: Descriptor) -> Descriptor:
    """Register a kind in this process (validated now); returns it."""
    validate(desc)
    _kinds().add(desc)
    _local.append(desc)
    return desc


def refresh() -> None:
    """Forget what was loaded: the next lookup reads built-ins and entry points again."""
    global _state
    _state = None


@contextmanager
def registered(desc: Descriptor) -> Iterator[Descriptor]:
    """``register`` for the duration of a block (tests)."""
    register(desc)
    try:
        yield desc
    finally:
        _local.remove(desc)
        refresh()


# --- lookups ---------------------------------------------------------------------------


def _lookup(kind_type: type, name: Any, what: str, fld: str) -> Any:
    table = _kinds().by_type[kind_type]
    if not isinstance(name, str) or name not in table:
        raise ConfigError(
            f"unknown {what} {name!r}; registered: {', '.join(sorted(table)) or 'none'}", field=fld
        )
    return table[name]


def array_family(name: Any, *, field: str = "type") -> ArrayFamily:
    return _lookup(ArrayFamily, name, "array family", field)  # type: ignore[no-any-return]


def application(name: Any, *, field: str = "type") -> Application:
    return _lookup(Application, name, "application", field)  # type: ignore[no-any-return]


def storage_stack(name: Any, *, field: str = "storage") -> StorageStack:
    return _lookup(StorageStack, name, "storage stack", field)  # type: ignore[no-any-return]


def array_families() -> list[ArrayFamily]:
    return [v for _, v in sorted(_kinds().by_type[ArrayFamily].items())]  # type: ignore[misc]


def applications() -> list[Application]:
    return [v for _, v in sorted(_kinds().by_type[Application].items())]  # type: ignore[misc]


def storage_stacks() -> list[StorageStack]:
    return [v for _, v in sorted(_kinds().by_type[StorageStack].items())]  # type: ignore[misc]


def all_kinds() -> list[Descriptor]:
    return [*array_families(), *applications(), *storage_stacks()]


def family_for_protocol(protocol: str) -> ArrayFamily:
    """The (first) family whose drivers speak ``protocol``; they share one replication method."""
    kinds = _kinds()
    found = kinds.by_protocol.get(protocol)
    if found is not None:
        return found
    for fam in array_families():
        if fam.protocol == protocol:
            kinds.by_protocol[protocol] = fam
            return fam
    known = sorted({f.protocol for f in array_families()})
    raise ConfigError(
        f"no array family speaks protocol {protocol!r}; registered: {', '.join(known)}",
        field="kind",
    )


def restore_methods() -> list[str]:
    """Every restore method of every registered family, sorted (CLI and scenario check)."""
    return sorted({m for fam in array_families() for m in fam.restore_methods})


def check_restore_method(method: str | None, *, field: str = "method") -> str | None:
    known = restore_methods()
    if method is not None and method not in known:
        names = ", ".join(repr(m) for m in known)
        raise ConfigError(
            f"unknown method {method!r}; registered restore methods: {names}", field=field
        )
    return method


def failure_kinds() -> dict[str, tuple[str, ...]]:
    """Failure name -> the scenario fields it needs, over every registered kind."""
    out: dict[str, tuple[str, ...]] = {}
    for desc in all_kinds():
        for fk in desc.failures:
            out.setdefault(fk.name, fk.targets)
    return dict(sorted(out.items()))


def failure(desc: Descriptor, name: str) -> FailureKind:
    for fk in desc.failures:
        if fk.name == name:
            return fk
    known = ", ".join(f.name for f in desc.failures) or "none"
    raise ConfigError(
        f"{desc.category} {desc.name!r} cannot suffer {name} (it declares: {known})",
        field="fail.kind",
    )


def persisted_modules() -> list[str]:
    return sorted({m for desc in all_kinds() for m in desc.persisted})


def import_persisted() -> None:
    """Import every module whose persist tags a saved world may hold."""
    import importlib

    for module in persisted_modules():
        importlib.import_module(module)


# --- drivers ---------------------------------------------------------------------------


def names() -> list[str]:
    state = _kinds()
    return sorted({*state.drivers, *state.bare})


def factory(name: str) -> Callable[..., Any]:
    state = _kinds()
    if name in state.bare:
        return state.bare[name]  # type: ignore[no-any-return]
    decl = state.drivers.get(name)
    if decl is None:
        raise ConfigError(f"unknown driver {name!r}; known: {', '.join(names())}", field="driver")
    try:
        return resolve(decl.factory)  # type: ignore[no-any-return]
    except ConfigError as exc:
        raise ConfigError(f"driver {name} is not available: {exc}", field="driver") from None


def subjects() -> dict[str, str]:
    """Driver name -> its conformance subject reference, for the drivers that have one."""
    return {d: decl.subject for d, decl in sorted(_kinds().drivers.items()) if decl.subject}


def subject(name: str, seed: int) -> Any:
    """The conformance subject (:class:`apprm_ref.conformance.suite.Subject`) of ``name``."""
    found = subjects()
    if name not in found:
        raise ConfigError(
            f"no conformance subject for driver {name!r}; known: {', '.join(found)} "
            "(a kind declares one per driver: DriverDecl.subject)",
            field="--driver",
        )
    return resolve(found[name])(seed)  # type: ignore[no-any-return]
