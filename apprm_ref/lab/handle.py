"""An open lab world: the store's transaction plus the :class:`~apprm_ref.sim.world.World`
it holds. The front doors (:mod:`apprm_ref.front.lab`: the CLI and the API) and every
console door
(``apprm_ref.doors``: CCI, BR*Tools, backint, diskshadow/vssadmin, eseutil) open labs
through it, so all take the same lock and commit world and IDB together."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apprm_ref import crashpoint
from apprm_ref.errors import NotFoundError
from apprm_ref.idb.engine import resolve_url
from apprm_ref.lab.lock import DEFAULT_WAIT
from apprm_ref.lab.store import WORLD_FILE, LabStore

ENV_HOME = "APPRM_HOME"
ENV_WAIT = "APPRM_WAIT"  # a console door's writer-lock wait, in seconds
IDB_FILE = "idb.sqlite"


def register_backends() -> None:
    """Import every registered kind's persisted modules so a saved world can be loaded."""
    from apprm_ref.drivers import registry

    registry.import_persisted()


def _array_event(event: Any) -> None:
    if event.kind.startswith(("eva.", "xp.")):
        crashpoint.hit("array")


@dataclass
class LabHandle:
    home: Path
    write: bool = False
    wait: float = DEFAULT_WAIT
    store: LabStore | None = field(default=None, init=False)
    world: Any = field(default=None, init=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, write: bool) -> LabHandle:
        """A console door's lab: ``$APPRM_HOME`` (default ``./.apprm``)."""
        return cls(Path(env.get(ENV_HOME, ".apprm")), write=write)

    def open_waiting(self, env: Mapping[str, str]) -> LabHandle:
        """:meth:`open`, waiting for the writer lock as ``$APPRM_WAIT`` says (ValueError
        when it is not a number)."""
        self.wait = float(env.get(ENV_WAIT) or DEFAULT_WAIT)
        return self.open()

    @property
    def url(self) -> str:
        return resolve_url(default_path=self.home / IDB_FILE)

    def open_store(self) -> LabStore:
        """The store alone (``apprm lab init`` builds its world itself)."""
        if self.store is None:
            self.home.mkdir(parents=True, exist_ok=True)
            self.store = LabStore(self.home, self.url, self.write, self.wait).open()
        return self.store

    def open(self) -> LabHandle:
        """Open the store and the world in it; no world is 'no lab here'."""
        from apprm_ref.idb.engine import file_url
        from apprm_ref.sim.world import World

        nothing = not (self.home / WORLD_FILE).exists() and not (self.home / IDB_FILE).exists()
        if not self.home.is_dir() or (nothing and self.url == file_url(self.home / IDB_FILE)):
            raise self._missing()
        store = self.open_store()
        body, source = store.world_body, f"{self.url} (lab_world)"
        legacy = self.home / WORLD_FILE
        if legacy.exists():  # a reader before migration (a writer has moved it already)
            body, source = legacy.read_bytes(), str(legacy)
        if body is None:
            self.close()
            raise self._missing()
        register_backends()
        self.world = World.from_bytes(body, source=source)
        if crashpoint.armed():
            self.world.subscribe(_array_event)
        return self

    def _missing(self) -> NotFoundError:
        return NotFoundError(
            f"no lab at {self.home} (run 'apprm lab init' or set {ENV_HOME} / --home)"
        )

    def commit(self) -> None:
        """World and IDB durable together (writers only)."""
        self.open_store().commit(self.world.to_bytes())

    def close(self) -> None:
        store, self.store = self.store, None
        if store is not None:
            store.close()
