"""Core's wait for background copies: poll the driver's ``copy_state`` until no copy is in
progress (``drivers/copy_poll.py``), never trusting one reported end.

Against the in-process simulator the first reported end is exact, so the session sleeps
once to it and the one more read there finds the copy done; against SMI-S (no completion
time) it looks again every ``COPY_POLL_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable
from typing import Any

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.drivers.array import CopyState
from apprm_ref.drivers.copy_poll import COPY_POLL_SECONDS, looks


def wait_copies(
    ctx: SessionContext,
    read: Callable[[], Iterable[CopyState]],
    *,
    limit: float | None = None,
    interval: float = COPY_POLL_SECONDS,
) -> Generator[simpy.Event, Any, bool]:
    """Sleep until ``read()`` shows no copy in progress (True), or until ``limit`` with one
    still running (False)."""
    steps = looks(read, lambda: ctx.now, interval=interval, limit=limit)
    while True:
        try:
            wake = next(steps)
        except StopIteration as stop:
            return bool(stop.value)
        yield from ctx.sleep(wake - ctx.now)
