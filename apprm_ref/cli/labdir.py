"""A lab: a directory holding a simulated estate that persists between ``apprm`` commands.

``world.json`` is the saved :class:`~apprm_ref.sim.world.World`, ``idb.sqlite`` the IDB
(unless ``APPRM_IDB_URL`` points elsewhere), ``lab.yaml`` what the lab was built from.
Each command opens the lab, acts, and saves the world back only when it succeeded.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from apprm_ref.errors import ConfigError, NotFoundError

ENV_HOME = "APPRM_HOME"
DEFAULT_HOME = ".apprm"
WORLD, IDB, CONFIG = "world.json", "idb.sqlite", "lab.yaml"


def resolve_home(option: str | Path | None) -> Path:
    """``--home``, else ``$APPRM_HOME``, else ``./.apprm``."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_HOME)
    return Path(env) if env else Path(DEFAULT_HOME)


def register_backends() -> None:
    """Import every registered kind's persisted modules so a saved world can be loaded."""
    from apprm_ref.drivers import registry

    registry.import_persisted()


class Lab:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.world: Any = None
        self.config: dict[str, Any] = {}
        self._repo: Any = None
        self._orch: Any = None

    # --- paths -----------------------------------------------------------------------

    @property
    def world_path(self) -> Path:
        return self.home / WORLD

    @property
    def idb_path(self) -> Path:
        return self.home / IDB

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG

    def exists(self) -> bool:
        return self.world_path.exists()

    # --- opening and saving ----------------------------------------------------------

    def load(self) -> Lab:
        from apprm_ref.sim.world import World

        if not self.exists():
            raise NotFoundError(
                f"no lab at {self.home} (run 'apprm lab init' or set {ENV_HOME} / --home)"
            )
        register_backends()
        self.world = World.load(self.world_path)
        if self.config_path.exists():
            self.config = yaml.safe_load(self.config_path.read_text()) or {}
        return self

    def save(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.world.save(self.world_path)
        self.config_path.write_text(yaml.safe_dump(self.config, sort_keys=True))
        self._write_horcm()

    def _write_horcm(self) -> None:
        """HORCM files for the lab's XP pairs, so RAID Manager commands run against it
        (``python -m apprm_ref.sim.xp.cci pairdisplay -g XP1_MU0 -fcx``)."""
        from apprm_ref.sim.xp.cci.labconf import lab_horcm

        for instance, text in lab_horcm(self.world).items():
            path = self.home / f"horcm{instance}.conf"
            if not path.exists() or path.read_text() != text:
                path.write_text(text)

    def close(self) -> None:
        if self._repo is not None:
            self._repo.engine.dispose()
            self._repo = None

    @property
    def idb_url(self) -> str:
        from apprm_ref.idb.engine import resolve_url

        return resolve_url(default_path=self.idb_path)

    @property
    def repo(self) -> Any:
        if self._repo is None:
            from apprm_ref.idb.engine import make_engine
            from apprm_ref.idb.repository import SqlRepository

            self.home.mkdir(parents=True, exist_ok=True)
            self._repo = SqlRepository(make_engine(self.idb_url))
        return self._repo

    # --- the estate's drivers and the orchestrator --------------------------------------

    def drivers(self) -> Any:
        try:
            from apprm_ref.sim.estate import sim_drivers
        except ImportError as exc:
            raise ConfigError(f"the simulated estate is not available: {exc}") from None
        return sim_drivers(self.world)

    @property
    def orchestrator(self) -> Any:
        if self._orch is None:
            from apprm_ref.core.service import Orchestrator

            self._orch = Orchestrator(
                self.drivers(), self.repo, self.world.env, epoch=self.world.clock.epoch
            )
        return self._orch

    # --- time ------------------------------------------------------------------------

    def when(self, seconds: float) -> datetime:
        return self.world.clock.at(seconds)

    def stamp(self, seconds: float | None) -> str:
        return "" if seconds is None else f"{self.when(seconds):%Y-%m-%d %H:%M:%S}"


@contextmanager
def open_lab(home: Path, *, save: bool = False) -> Iterator[Lab]:
    """Load the lab; save the world back on success when ``save``; always close the IDB."""
    lab = Lab(home).load()
    try:
        yield lab
        if save:
            lab.save()
    finally:
        lab.close()


_SELECTED: dict[str, Path | None] = {"home": None}


def select_home(option: Path | None) -> None:
    """Remember the root ``--home`` option for this invocation."""
    _SELECTED["home"] = option


def current_home() -> Path:
    """The lab directory chosen on the command line (root ``--home``) or by the defaults."""
    return resolve_home(_SELECTED["home"])
