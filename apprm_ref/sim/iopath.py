"""Which code runs the usual case of a host write: the compiled part (``_iopathc``, built
by ``pip install``) unless it is missing or ``APPRM_PURE_PYTHON=1`` asks for the reference
Python. The compiled functions accept only the usual case (a cached dentry, a usable
volume, copy-on-write only where the disk group has room, no copy completion due, no
protected pair) and decline anything
else before changing anything, so the Python methods still decide every refusal; both
leave the same world (tests/unit/sim/test_iopath.py), so the choice changes speed only."""

from __future__ import annotations

import os
from types import ModuleType
from typing import Any


def _extension() -> ModuleType | None:
    try:
        from apprm_ref.sim import _iopathc  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _iopathc


EXTENSION = _extension()


def load() -> ModuleType | None:
    """The compiled write path, or None for the pure-Python one."""
    if os.environ.get("APPRM_PURE_PYTHON", "") not in ("", "0"):
        return None
    return EXTENSION


COMPILED = load()


def configure_eva(*constants: Any) -> None:
    """Hand the EVA's states, kinds, backend type and RAID overheads (``raw_extents``'
    table) to the extension (if built)."""
    if EXTENSION is not None:
        EXTENSION.configure_eva(*constants)


def configure_xp(*constants: Any) -> None:
    """Hand the XP's pair states and backend type to the extension (if built)."""
    if EXTENSION is not None:
        EXTENSION.configure_xp(*constants)


def implementation() -> str:
    """``c`` or ``python``: the write path the next host write takes."""
    return "c" if COMPILED is not None else "python"
