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

import time
from typing import Any

from bench.windows import WindowMarks, ratio_spread


class CpuWindows:
    """A :class:`bench.harness.RunProbe`: the process's CPU time every ``window_days``."""

    def __init__(self, window_days: int) -> None:
        self.window_days = window_days
        self.marks = WindowMarks(window_days, time.process_time)

    @property
    def events(self) -> int:
        """SimPy events of the probe itself (not the estate's)."""
        return self.marks.events

    def start(self, env: Any) -> None:
        self.marks.start(env)

    def stop(self) -> None:
        self.marks.stop()

    def windows(self) -> list[dict[str, float]]:
        """Each window's first day, length in days and CPU milliseconds per simulated day."""
        return [
            {
                "first_day": round(first, 3),
                "days": round(days, 3),
                "cpu_ms_per_day": round(1000.0 * (after - before) / days, 3),
            }
            for first, days, before, after in self.marks.spans()
        ]


def window_keys(probe: CpuWindows) -> dict[str, Any]:
    """What ``bench.estate --window`` adds: the windows, the spread (max/min) of the whole
    windows' CPU per day, and the last whole window over the first."""
    rows = probe.windows()
    whole = [w["cpu_ms_per_day"] for w in rows if w["days"] >= probe.window_days - 1e-9]
    last_over_first = round(whole[-1] / whole[0], 3) if len(whole) > 1 and whole[0] > 0 else None
    return {
        "windows": rows,
        "window_cpu_spread": ratio_spread(whole),
        "window_cpu_last_over_first": last_over_first,
    }
