"""A lab as a front door opens it: a directory holding a simulated estate that persists between ``apprm`` commands.

The world (the simulated arrays, hosts and applications) and the IDB live in one database,
``idb.sqlite`` unless ``APPRM_IDB_URL`` points elsewhere, and ``lab.yaml`` records what the
lab was built from. A command that changes the lab holds its writer lock and runs in one
transaction: world and IDB become durable together when it ends well, or not at all
(:mod:`apprm_ref.lab.store`). Read-only commands read one snapshot and take no lock.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from apprm_ref.errors import ConfigError
from apprm_ref.front.sessionlog import SessionLogs, note_reconciled
from apprm_ref.front.settings import load_settings
from apprm_ref.lab.atomic import write_atomic
from apprm_ref.lab.handle import ENV_HOME, LabHandle, register_backends
from apprm_ref.lab.journal import JOURNAL
from apprm_ref.lab.lock import DEFAULT_WAIT

__all__ = [
    "ENV_HOME",
    "JOURNAL",
    "Lab",
    "lab_wait",
    "open_lab",
    "register_backends",
    "resolve_home",
]

DEFAULT_HOME = ".apprm"
WORLD, IDB, CONFIG = "world.json", "idb.sqlite", "lab.yaml"


def resolve_home(option: str | Path | None) -> Path:
    """``--home``, else ``$APPRM_HOME``, else ``./.apprm``."""
    if option:
        return Path(option)
    env = os.environ.get(ENV_HOME)
    return Path(env) if env else Path(DEFAULT_HOME)


class Lab:
    """One command's lab. ``write=True``: the writer lock and one transaction, made
    durable by :meth:`save`; otherwise a read-only snapshot."""

    def __init__(self, home: Path, *, write: bool = True, wait: float | None = None) -> None:
        self.home = home
        self.world: Any = None
        self.config: dict[str, Any] = {}
        self._handle = LabHandle(home, write, lab_wait(home) if wait is None else wait)
        self._orch: Any = None
        self.logs: SessionLogs | None = None  # per-session logs of a writer's sessions

    # --- paths -----------------------------------------------------------------------

    @property
    def world_path(self) -> Path:
        """Where a lab from before the store kept its world (migrated on first open)."""
        return self.home / WORLD

    @property
    def idb_path(self) -> Path:
        return self.home / IDB

    @property
    def config_path(self) -> Path:
        return self.home / CONFIG

    def exists(self) -> bool:
        return self.world_path.exists() or self.config_path.exists()

    # --- opening and saving ----------------------------------------------------------

    def load(self) -> Lab:
        self._handle.open()
        self.world = self._handle.world
        self._announce()
        if self.config_path.exists():
            self.config = yaml.safe_load(self.config_path.read_text()) or {}
        return self

    def _announce(self) -> None:
        store = self._handle.store
        for sid in store.reconciled if store is not None else ():
            note_reconciled(self.home, sid)
            print(
                f"apprm: warning: session {sid} ended Aborted: the command that ran it died "
                "(its changes were rolled back)",
                file=sys.stderr,
            )

    def save(self) -> None:
        """Commit world and IDB together, then rewrite the lab's files atomically."""
        if self.logs is not None:
            self.logs.settle()
        self._handle.world = self.world
        self._handle.commit()
        write_atomic(self.config_path, yaml.safe_dump(self.config, sort_keys=True))
        self._write_horcm()

    def _write_horcm(self) -> None:
        """HORCM files for the lab's XP pairs, so RAID Manager commands run against it
        (``python -m apprm_ref.doors.cci pairdisplay -g XP1_MU0 -fcx``)."""
        from apprm_ref.sim.xp.cci.labconf import lab_horcm

        for instance, text in lab_horcm(self.world).items():
            path = self.home / f"horcm{instance}.conf"
            if not path.exists() or path.read_text() != text:
                write_atomic(path, text)

    def close(self) -> None:
        """Roll back what :meth:`save` did not commit; release the lab."""
        self._orch = None
        self._handle.close()

    @property
    def idb_url(self) -> str:
        return self._handle.url

    @property
    def repo(self) -> Any:
        return self._handle.open_store().repo

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
            if self._handle.write:
                self.logs = SessionLogs(self.home, self.when, self._orch.running)
                self._orch.observe_sessions(self.logs)
        return self._orch

    # --- time ------------------------------------------------------------------------

    def when(self, seconds: float) -> datetime:
        return self.world.clock.at(seconds)

    def iso(self, seconds: float | None) -> str | None:
        """The ``*_at`` form of every ``--json`` output: ISO 8601 with the UTC offset."""
        return None if seconds is None else self.when(seconds).isoformat(timespec="seconds")

    def stamp(self, seconds: float | None) -> str:
        return "" if seconds is None else f"{self.when(seconds):%Y-%m-%d %H:%M:%S}"


def lab_wait(home: Path) -> float:
    """How long a writer waits for the lab's lock: the lab's ``apprm.toml``, else the default."""
    wait = load_settings(home).wait
    return DEFAULT_WAIT if wait is None else float(wait)


@contextmanager
def open_lab(
    home: Path,
    *,
    save: bool = False,
    wait: float | None = None,
    keep_on: tuple[type[BaseException], ...] = (),
) -> Iterator[Lab]:
    """Open the lab (``save``: as its one writer); commit world and IDB when the block
    ends well or by one of ``keep_on`` (a front door's deliberate exit), roll both back
    otherwise."""
    lab = Lab(home, write=save, wait=wait).load()
    try:
        yield lab
    except keep_on:
        if save:
            lab.save()
        raise
    else:
        if save:
            lab.save()
    finally:
        lab.close()
