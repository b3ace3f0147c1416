"""Test-only kill points: ``APPRM_CRASH_AT=<kind>:<n>[,<kind>:<n>...]`` SIGKILLs the process
at the n-th event of that kind (``idb`` commit, ``world`` write, ``array`` command,
``file`` write), so the kill test can stop a command exactly between two durable steps.

Inert by default: without the variable :func:`hit` is one dictionary test. Nothing in
``core/`` or ``sim/`` calls it; the lab store, the held IDB store and the XP console do.
"""

from __future__ import annotations

import os
import signal

ENV = "APPRM_CRASH_AT"
KINDS = ("idb", "world", "array", "file")


def _plan(text: str | None) -> dict[str, int]:
    plan: dict[str, int] = {}
    for part in (text or "").split(","):
        kind, _, n = part.strip().partition(":")
        if kind in KINDS and n.strip().isdigit() and int(n) > 0:
            plan[kind] = int(n)
    return plan


_PLAN = _plan(os.environ.get(ENV))
_SEEN: dict[str, int] = {}


def armed() -> bool:
    return bool(_PLAN)


def hit(kind: str) -> None:
    """Count one ``kind`` event; die (SIGKILL, no cleanup at all) on the planned one."""
    if not _PLAN or kind not in _PLAN:
        return
    _SEEN[kind] = n = _SEEN.get(kind, 0) + 1
    if n == _PLAN[kind]:
        os.kill(os.getpid(), signal.SIGKILL)
