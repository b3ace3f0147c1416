"""The CLI's lab: the root ``--home`` and ``--wait`` options of one invocation, and the
shared :mod:`apprm_ref.front.lab` opened with them (a ``typer.Exit`` is a deliberate end
that keeps what the command did)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from apprm_ref.front import lab as front
from apprm_ref.front.lab import (
    CONFIG,
    ENV_HOME,
    IDB,
    JOURNAL,
    WORLD,
    Lab,
    register_backends,
    resolve_home,
)
from apprm_ref.front.settings import Settings, load_settings
from apprm_ref.lab.lock import DEFAULT_WAIT

__all__ = ["CONFIG", "ENV_HOME", "IDB", "JOURNAL", "WORLD", "Lab", "open_lab", "register_backends"]


@contextmanager
def open_lab(home: Path, *, save: bool = False) -> Iterator[Lab]:
    """:func:`apprm_ref.front.lab.open_lab` with this invocation's ``--wait``."""
    with front.open_lab(home, save=save, wait=current_wait(), keep_on=(typer.Exit,)) as lab:
        yield lab


_SELECTED: dict[str, Any] = {"home": None, "wait": None, "settings": Settings()}


def select_home(option: Path | None, wait: float | None = None) -> Settings:
    """Remember the root ``--home`` and ``--wait`` options for this invocation, and read
    the lab's ``apprm.toml`` (its defaults for what the command line leaves out)."""
    _SELECTED["home"] = option
    _SELECTED["wait"] = wait
    _SELECTED["settings"] = settings = load_settings(current_home())
    return settings


def current_settings() -> Settings:
    return _SELECTED["settings"]  # type: ignore[no-any-return]


def current_home() -> Path:
    """The lab directory chosen on the command line (root ``--home``) or by the defaults."""
    return resolve_home(_SELECTED["home"])


def current_wait() -> float:
    """How long a writer waits for the lab's lock (root ``--wait``)."""
    for wait in (_SELECTED["wait"], current_settings().wait):
        if wait is not None:
            return float(wait)
    return DEFAULT_WAIT
