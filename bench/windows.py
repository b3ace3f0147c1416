"""Readings every D simulated days of one run, for the probes that measure windows
(``bench.calls`` counts calls, ``bench.cpu_windows`` reads CPU time).

The marks are taken by a SimPy process of their own, whose events are counted so the run
can leave them out of the estate's (the floor replays those).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Generator, Iterator
from typing import Any, Generic, TypeVar

from bench.harness import DAY

T = TypeVar("T")


class WindowMarks(Generic[T]):
    """(simulated time, ``read()``) at the start, at every ``window_days`` boundary within
    the run (none if ``window_days`` is None) and at the stop."""

    def __init__(self, window_days: int | None, read: Callable[[], T]) -> None:
        if window_days is not None and window_days < 1:
            raise ValueError("window_days must be at least 1")
        self.window_days = window_days
        self.read = read
        self.marks: list[tuple[float, T]] = []
        self.events = 0  # SimPy events of the marks' own process (not the estate's)
        self._env: Any = None

    def start(self, env: Any) -> None:
        self._env = env
        if self.window_days:
            self.events += 1  # the process's start
            env.process(self._boundaries(env, self.window_days * DAY))
        self.marks.append((float(env.now), self.read()))

    def stop(self) -> None:
        self.marks.append((float(self._env.now), self.read()))

    def _boundaries(self, env: Any, every: float) -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(every)
            self.events += 1
            self.marks.append((float(env.now), self.read()))

    def spans(self) -> Iterator[tuple[float, float, T, T]]:
        """(first day, days, reading before, reading after) of each window, in order."""
        t0 = self.marks[0][0]
        for (a, before), (b, after) in itertools.pairwise(self.marks):
            if b > a:
                yield (a - t0) / DAY, (b - a) / DAY, before, after


def ratio_spread(values: list[float]) -> float | None:
    """max/min of ``values`` (None when empty or not all positive)."""
    return round(max(values) / min(values), 3) if values and min(values) > 0 else None
