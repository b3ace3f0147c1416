"""``python -m bench.calls [--days N] [--databases N] [--window D] [--app ...] [--json]``

The work of a simulated day, counted instead of timed: the function calls of the reference
estate's simulated run (cProfile's call counts, with set-up and end checks left out), per
database-day.

Why a count: on this project's 2-core VM the CPU time of identical runs minutes apart moved
by 15-20 %, more than the 10 % flatness the scaling target allows, so CPU time alone cannot
show whether cost grows with days or databases. A count is the same on every run of the same
code and seed. It therefore shows growth as a number, and a test can hold it
(``tests/bench/test_calls_flat.py``).

What a count cannot see: work inside one builtin call counts once, whatever its size (a sort
of a growing list, SQLite's walk down a deeper B-tree); a Python loop that calls nothing per
turn counts nothing per turn; and calling a type (``dict(x)``, a dataclass's constructor
counts only its ``__init__``) is not a builtin call to cProfile. ``calls_per_db_day`` includes builtin calls, and
``interpreted_calls_per_db_day`` counts Python functions only (the unit issue 19 counts).
Read both beside the CPU figures of ``bench.scaling``.

``--window D`` also counts each D days of the run on their own. Windows after the first
compare a steady state with itself: the first holds the ramp-up (replica sets filling,
the first rotation and the first restore, and in a fresh process first use: lazy imports,
compiled statements). ``steady_window_spread`` gives the max/min over the later windows.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
from typing import Any

from bench.args import add_estate_args, counted_config, printed_json
from bench.harness import DAY, BenchConfig, run_estate
from bench.windows import WindowMarks, ratio_spread

Totals = tuple[int, int]  # (interpreted calls, all calls) so far
KEYS = ("interpreted_calls_per_db_day", "calls_per_db_day")


class CallCounter:
    """A :class:`bench.harness.RunProbe`: profiles the simulated run, and marks the running
    totals every ``window_days`` (the profiler paused while it reads them)."""

    def __init__(self, window_days: int | None = None) -> None:
        self.prof = cProfile.Profile()
        self.marks: WindowMarks[Totals] = WindowMarks(window_days, self._totals)
        self._on = False

    @property
    def events(self) -> int:
        """SimPy events of the probe itself (not the estate's)."""
        return self.marks.events

    def start(self, env: Any) -> None:
        self.marks.start(env)
        self.prof.enable()
        self._on = True

    def stop(self) -> None:
        self.prof.disable()
        self._on = False
        self.marks.stop()

    def _totals(self) -> Totals:
        if not self._on:
            return call_totals(self.prof)
        self.prof.disable()
        try:
            return call_totals(self.prof)
        finally:
            self.prof.enable()


def call_totals(prof: cProfile.Profile) -> Totals:
    """(calls of Python functions, all calls) a profiler has seen. Counted per code object:
    ``pstats`` keys its rows by (file, line, name) and keeps one row of several code objects
    that share a key (the ``__init__`` every dataclass generates at ``<string>:2``, say),
    so totals taken from ``pstats`` come out about 5 % low."""
    entries = prof.getstats()
    python = sum(e.callcount for e in entries if not isinstance(e.code, str))
    return python, sum(e.callcount for e in entries)


def _per_db_day(totals: Totals, db_days: float) -> dict[str, float]:
    return {
        "interpreted_calls_per_db_day": round(totals[0] / db_days, 1),
        "calls_per_db_day": round(totals[1] / db_days, 1),
    }


def count_calls(cfg: BenchConfig, window_days: int | None = None) -> dict[str, Any]:
    """Run ``cfg`` with a :class:`CallCounter`; the counts per database-day, of the whole
    run and, with ``window_days``, of each window."""
    counter = CallCounter(window_days)
    res = run_estate(cfg, probe=counter)
    (t0, _), (t1, total) = counter.marks.marks[0], counter.marks.marks[-1]
    events = res["events"] - counter.events
    db_days = max(1.0, cfg.databases * (t1 - t0) / DAY)
    out: dict[str, Any] = {
        "databases": cfg.databases,
        "sim_days": cfg.days,
        "app": cfg.app,
        "epoch_loop": res["epoch_loop"],
        "write_path": res["write_path"],
        "sessions": res["sessions"],
        "events": events,
        "interpreted_calls": total[0],
        **_per_db_day(total, db_days),
        "sessions_per_db_day": round(res["sessions"] / db_days, 3),
        "events_per_db_day": round(events / db_days, 2),
    }
    if window_days:
        windows = []
        for first, days, before, after in counter.marks.spans():
            done = (after[0] - before[0], after[1] - before[1])
            row = {"first_day": round(first, 3), "days": round(days, 3)}
            windows.append({**row, **_per_db_day(done, cfg.databases * days)})
        out["windows"] = windows
        out["steady_window_spread"] = {
            key: ratio_spread([w[key] for w in windows[1:]]) for key in KEYS
        }
    return out


def report(out: dict[str, Any]) -> list[str]:
    """The lines ``python -m bench.calls`` prints for a result of :func:`count_calls`."""
    lines = [
        f"{out['databases']} databases x {out['sim_days']} days: "
        f"{out['interpreted_calls_per_db_day']} interpreted calls per database-day, "
        f"{out['calls_per_db_day']} with builtins; "
        f"{out['sessions_per_db_day']} sessions, {out['events_per_db_day']} events"
    ]
    for w in out.get("windows", []):
        lines.append(
            f"  days {w['first_day']:g}+{w['days']:g}: {w['interpreted_calls_per_db_day']}"
            f" interpreted, {w['calls_per_db_day']} with builtins"
        )
    if "windows" in out:
        sp = out["steady_window_spread"]
        lines.append(f"  later windows, max/min: {sp[KEYS[0]]} interpreted, {sp[KEYS[1]]} all")
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.calls", description=__doc__.split("\n")[2])
    add_estate_args(ap, days=30)
    ap.add_argument("--window", type=int, default=None, help="also count every WINDOW days")
    a = ap.parse_args(argv)
    if a.days < 1 or a.databases < 1 or (a.window is not None and a.window < 1):
        ap.error("--days, --databases and --window must be at least 1")
    out = count_calls(counted_config(a), a.window)
    if not printed_json(a, out):
        print("\n".join(report(out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
