"""Counting events and measuring memory for the benchmarks.

Events are counted by wrapping ``env.step`` on the environment instance: ``Environment.run``
calls ``self.step()`` once per processed event, so the count is exactly the number of
events SimPy processed (timeouts, process resumptions, resource grants, ``call_at``
completions), the same unit as the kernel micro-benchmark.
"""

from __future__ import annotations

import os
import resource
import sys
from typing import Any


class EventCounter:
    """Counts every event ``env`` processes from now on."""

    def __init__(self, env: Any) -> None:
        self.count = 0
        step = env.step

        def counted_step() -> None:
            self.count += 1
            step()

        env.step = counted_step


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def current_rss_mb() -> float:
    """Resident set size now (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as fh:
            pages = int(fh.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return peak_rss_mb()


def file_bytes(*paths: Any) -> int:
    """Total size of the files that exist among ``paths``."""
    return sum(os.path.getsize(p) for p in paths if os.path.exists(p))
