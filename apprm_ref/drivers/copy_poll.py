"""When to look again at background copies (snapclone unsharing, copy-back).

A driver's ``copy_state`` gives ``done_at`` only when it knows a copy's end: the in-process
simulator knows it exactly; SMI-S has no completion time (``CIM_StorageSynchronized`` shows
``SyncState`` and ``PercentSynced`` only), so ``eva-smis`` gives None. A single reported
end is therefore never trusted: the caller reads ``copy_state`` again when it wakes and
goes on only once no copy is in progress. ``next_look`` is that rule, shared by core's
waits (``core/replication/copy_wait.py``) and the conformance suite (``poll_copies``).

``COPY_POLL_SECONDS`` **(inferred)**: 30 s. A snapclone of a production volume unshares for
minutes to hours and ``wait_clonecopy`` is given in minutes, so a half-minute poll ends a
wait at most 30 s after the copy really ended (under 1 % of a typical copy) while one poll
costs two CIM reads (``References`` to ``CIM_StorageSynchronized``, ``Associators`` to the
copy's jobs), a load any CIMOM bears; SMI-S expects jobs for operations over about 10 s
(docs/eva.md).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable

from apprm_ref.drivers.array import CopyState

COPY_POLL_SECONDS = 30.0


def next_look(
    states: Iterable[CopyState], now: float, interval: float = COPY_POLL_SECONDS
) -> float | None:
    """None when no copy is in progress; the latest reported end when every copy in
    progress reports one still ahead; else ``now + interval`` (an end unknown, or reached
    while the array still says copying)."""
    ends = [s.done_at for s in states if s.copying]
    if not ends:
        return None
    known = [e for e in ends if e is not None and e > now]
    return max(known) if len(known) == len(ends) else now + interval


def looks(
    read: Callable[[], Iterable[CopyState]],
    now: Callable[[], float],
    *,
    interval: float = COPY_POLL_SECONDS,
    limit: float | None = None,
) -> Generator[float, None, bool]:
    """The instants to wake at, one after each read: returns True once no copy is in
    progress, False when ``limit`` (absolute time) came first. The caller waits until each
    yielded instant, blocking or in simulated time."""
    at_limit = False
    while True:
        wake = next_look(read(), now(), interval)
        if wake is None:
            return True
        if limit is not None:
            if at_limit or now() >= limit:
                return False
            if wake >= limit:
                wake, at_limit = limit, True
        yield wake


def poll_copies(
    read: Callable[[], Iterable[CopyState]],
    now: Callable[[], float],
    wait_until: Callable[[float], None],
    *,
    interval: float = COPY_POLL_SECONDS,
    limit: float | None = None,
) -> bool:
    """``looks`` for a caller that blocks (conformance, tools): ``wait_until(t)`` lets the
    clock reach ``t``."""
    steps = looks(read, now, interval=interval, limit=limit)
    while True:
        try:
            wait_until(next(steps))
        except StopIteration as stop:
            return bool(stop.value)
