"""CPU time per window of simulated days, measured within one run (``bench.estate --window``).

Flatness across days is a comparison of a run's early days with its late days. Separate
runs a few minutes apart differ by 15-20 % on a shared machine; windows of one run share
its process and heap, though the machine's load still moves each of them (a year's 30-day
windows spread by 1.29 with another job on the machine).
Call counts (``bench.calls``) are flat by construction of the counting: a builtin such as
``sorted`` or a dict comparison counts one call whatever the size of its argument, so work
that grows with a run's history (control files filling, longer archived-log lists) shows
in CPU time only.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Generator
from typing import Any

from bench.harness import DAY


class CpuWindows:
    """A :class:`bench.harness.RunProbe`: the process's CPU time every ``window_days``
    (a SimPy process of its own, whose events it counts so the run can leave them out)."""

    def __init__(self, window_days: int) -> None:
        if window_days < 1:
            raise ValueError("window_days must be at least 1")
        self.window_days = window_days
        self.marks: list[tuple[float, float]] = []  # (simulated time, CPU seconds)
        self.events = 0  # SimPy events of the probe itself (not the estate's)
        self._env: Any = None

    def start(self, env: Any) -> None:
        self._env = env
        self.events += 1  # the process's start
        env.process(self._windows(env, self.window_days * DAY))
        self.marks.append((float(env.now), time.process_time()))

    def stop(self) -> None:
        self.marks.append((float(self._env.now), time.process_time()))

    def _windows(self, env: Any, every: float) -> Generator[Any, Any, None]:
        while True:
            yield env.timeout(every)
            self.events += 1
            self.marks.append((float(env.now), time.process_time()))

    def windows(self) -> list[dict[str, float]]:
        """Each window's first day, length in days and CPU milliseconds per simulated day."""
        t0 = self.marks[0][0]
        out = []
        for (a, ca), (b, cb) in itertools.pairwise(self.marks):
            if b <= a:
                continue
            days = (b - a) / DAY
            out.append(
                {
                    "first_day": round((a - t0) / DAY, 3),
                    "days": round(days, 3),
                    "cpu_ms_per_day": round(1000.0 * (cb - ca) / days, 3),
                }
            )
        return out


def window_keys(probe: CpuWindows) -> dict[str, Any]:
    """What ``bench.estate --window`` adds: the windows, the spread (max/min) of the whole
    windows' CPU per day, and the last whole window over the first."""
    rows = probe.windows()
    whole = [w["cpu_ms_per_day"] for w in rows if w["days"] >= probe.window_days - 1e-9]
    spread = round(max(whole) / min(whole), 3) if whole and min(whole) > 0 else None
    last_over_first = round(whole[-1] / whole[0], 3) if len(whole) > 1 and whole[0] > 0 else None
    return {
        "windows": rows,
        "window_cpu_spread": spread,
        "window_cpu_last_over_first": last_over_first,
    }
