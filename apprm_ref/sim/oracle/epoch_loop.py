"""Which draw loop the workload epoch runs, and which code builds a control file's main
block: the compiled part (``_epochc``, built by ``pip install``) unless it is missing or
``APPRM_PURE_PYTHON=1`` asks for the reference Python. Both give the same records, blocks
and stream state (tests/unit/sim/oracle/test_epoch_loop.py), so the choice changes speed
only."""

from __future__ import annotations

import os
from types import ModuleType


def load() -> ModuleType | None:
    """The compiled loop, or None for the pure-Python one."""
    if os.environ.get("APPRM_PURE_PYTHON", "") not in ("", "0"):
        return None
    try:
        from apprm_ref.sim.oracle import _epochc  # type: ignore[attr-defined]
    except ImportError:
        return None
    return _epochc


COMPILED = load()


def implementation() -> str:
    """``c`` or ``python``: the loop the next epoch runs (what ``bench.estate`` reports)."""
    return "c" if COMPILED is not None else "python"
