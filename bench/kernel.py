"""The raw SimPy event rate of this machine: the yardstick the estate's cost is divided by.

A fixed micro-benchmark: one process yields ``n`` timeouts in one environment, the pattern
our sessions and workloads use (each ``env.step`` pops one timeout and resumes one
generator). Best of ``repeats`` runs, so a noisy neighbour lowers it as little as possible.
"""

from __future__ import annotations

import time

import simpy

DEFAULT_N = 200_000


def _ticker(env: simpy.Environment, n: int):  # type: ignore[no-untyped-def]
    for _ in range(n):
        yield env.timeout(1.0)


def kernel_events_per_s(n: int = DEFAULT_N, repeats: int = 3, *, cpu: bool = False) -> float:
    """Events per wall-second (or per CPU-second with ``cpu``) of a bare SimPy environment
    (n timeouts, best of repeats)."""
    clock = time.process_time if cpu else time.perf_counter
    best = 0.0
    for _ in range(repeats):
        env = simpy.Environment()
        env.process(_ticker(env, n))
        t0 = clock()
        env.run()
        spent = max(clock() - t0, 1e-9)
        best = max(best, (n + 1) / spent)  # +1: the process's Initialize event
    return best


if __name__ == "__main__":
    print(f"{kernel_events_per_s():.0f} SimPy events per wall-second")
