"""The simulated world: one clock, one seed, one fault plan and every backend by name.

Backends are persistable dataclasses with a transient ``world`` field. ``attach(world)`` is
called when a backend joins the world and again after a load, so a backend can rebuild its
running processes (a snapclone normalizing, a pair copying) from plain data.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from apprm_ref import persist
from apprm_ref.clock import DEFAULT_EPOCH, SimClock
from apprm_ref.errors import ConfigError, InvariantViolation, NotFoundError
from apprm_ref.rng import Streams
from apprm_ref.sim.faults import FaultPlan, FaultSites
from apprm_ref.sim.host.backend import HostBackend


class Backend(Protocol):
    name: str

    def attach(self, world: World) -> None: ...

    def check_invariants(self) -> list[str]: ...


@dataclass
class WorldEvent:
    """One observable thing that happened, for traces (simulated time, kind, details)."""

    at: float
    kind: str
    data: dict[str, Any]


class World:
    def __init__(self, seed: int = 0, *, epoch=DEFAULT_EPOCH, start: float = 0.0) -> None:  # type: ignore[no-untyped-def]
        self.seed = seed
        self.clock = SimClock.start(epoch=epoch, at=start)
        self.streams = Streams(seed)
        self.fault_plan = FaultPlan()
        self.faults = FaultSites(self.fault_plan, self.clock.now, self.streams.get("faults"))
        self.arrays: dict[str, Any] = {}
        self.hosts = HostBackend()
        self.hosts.attach(self)
        self.apps: dict[str, Any] = {}
        self._listeners: list[Callable[[WorldEvent], None]] = []

    # --- time and events --------------------------------------------------------------

    @property
    def env(self):  # type: ignore[no-untyped-def]
        return self.clock.env

    def now(self) -> float:
        return float(self.clock.env.now)  # SimClock.now, one call less on every write path

    def call_at(self, when: float, fn: Callable[[], None]) -> Any:
        """Run ``fn`` at simulated time ``when`` (one SimPy event). Returns the event."""
        ev = self.env.timeout(max(0.0, when - self.env.now))
        ev.callbacks.append(lambda _ev: fn())
        return ev

    def advance(self, seconds: float) -> None:
        self.clock.advance(seconds)

    def subscribe(self, listener: Callable[[WorldEvent], None]) -> None:
        self._listeners.append(listener)

    def emit(self, kind: str, **data: Any) -> None:
        if self._listeners:
            ev = WorldEvent(self.now(), kind, data)
            for listener in self._listeners:
                listener(ev)

    # --- backends ---------------------------------------------------------------------

    def add_array(self, backend: Any) -> Any:
        if backend.name in self.arrays:
            raise ConfigError(f"array {backend.name} already exists", field="arrays")
        self.arrays[backend.name] = backend
        backend.attach(self)
        return backend

    def array(self, name: str) -> Any:
        try:
            return self.arrays[name]
        except KeyError:
            raise NotFoundError(f"no array named {name}") from None

    def add_app(self, backend: Any) -> Any:
        if backend.name in self.apps:
            raise ConfigError(f"application {backend.name} already exists", field="applications")
        self.apps[backend.name] = backend
        backend.attach(self)
        return backend

    def app(self, name: str) -> Any:
        try:
            return self.apps[name]
        except KeyError:
            raise NotFoundError(f"no application named {name}") from None

    def backends(self) -> list[Any]:
        return [
            *(self.arrays[k] for k in sorted(self.arrays)),
            self.hosts,
            *(self.apps[k] for k in sorted(self.apps)),
        ]

    # --- invariants -------------------------------------------------------------------

    def invariant_problems(self) -> list[str]:
        problems: list[str] = []
        for backend in self.backends():
            problems.extend(
                f"{getattr(backend, 'name', 'hosts')}: {p}" for p in backend.check_invariants()
            )
        return problems

    def check_invariants(self) -> None:
        problems = self.invariant_problems()
        if problems:
            raise InvariantViolation("; ".join(problems), code="INVARIANT")

    # --- persistence ------------------------------------------------------------------

    def to_plain(self) -> dict[str, Any]:
        state = {
            "seed": self.seed,
            "now": self.now(),
            "epoch": self.clock.epoch.isoformat(),
            "streams": self.streams.state(),
            "faults": self.fault_plan,
            "arrays": dict(sorted(self.arrays.items())),
            "hosts": self.hosts,
            "apps": dict(sorted(self.apps.items())),
        }
        return persist.dump(state)

    def to_bytes(self) -> bytes:
        """The saved form (a lab stores it in its database, ``save`` in a file)."""
        return json.dumps(self.to_plain(), sort_keys=True, separators=(",", ":")).encode()

    def save(self, path: str | Path) -> None:
        """Write the saved form durably: temporary file, fsync, rename."""
        tmp = Path(path).with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(self.to_bytes())
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)

    @classmethod
    def from_plain(cls, doc: dict[str, Any]) -> World:
        from datetime import datetime

        _register_backends(doc)
        state = persist.load(doc)
        world = cls(state["seed"], epoch=datetime.fromisoformat(state["epoch"]), start=state["now"])
        world.streams.restore(state["streams"])
        world.fault_plan = state["faults"]
        world.faults = FaultSites(world.fault_plan, world.clock.now, world.streams.get("faults"))
        world.hosts = state["hosts"]
        world.hosts.attach(world)
        for name, backend in state["arrays"].items():
            world.arrays[name] = backend
        for name, backend in state["apps"].items():
            world.apps[name] = backend
        for backend in [*world.arrays.values(), *world.apps.values()]:
            backend.attach(world)
        return world

    @classmethod
    def from_bytes(cls, data: bytes | str, *, source: str = "saved world") -> World:
        try:
            doc = json.loads(data)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"saved world is not valid JSON: {exc}", file=source, line=exc.lineno
            ) from None
        return cls.from_plain(doc)

    @classmethod
    def load(cls, path: str | Path) -> World:
        try:
            data = Path(path).read_bytes()
        except FileNotFoundError:
            raise NotFoundError(f"no saved world at {path}") from None
        return cls.from_bytes(data, source=str(path))

    def digest(self) -> str:
        import hashlib

        data = json.dumps(self.to_plain(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(data.encode()).hexdigest()


_SECTIONS = {"arrays": "array", "apps": "application"}


def _register_backends(doc: dict[str, Any]) -> None:
    """A saved world may hold any registered kind: import their persisted modules, and refuse
    a world holding an array or application of a kind no longer registered."""
    from apprm_ref.drivers import registry

    registry.import_persisted()
    table, root = doc.get("table", []), doc.get("root", {}).get("__d", {})
    for section, what in _SECTIONS.items():
        for name, entry in sorted(root.get(section, {}).get("__d", {}).items()):
            tag = (table[entry["__ref"]] if "__ref" in entry else entry).get("__t", "")
            if not persist.is_registered(tag):
                kinds = ", ".join(d.name for d in registry.all_kinds())
                raise ConfigError(
                    f"saved world holds {what} {name} of an unregistered kind ({tag}); "
                    f"registered: {kinds}",
                    field=section,
                )
