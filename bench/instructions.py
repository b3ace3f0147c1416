"""``python -m bench.instructions [--databases N] [--first-day A] [--days D] [--json]``

The cost of simulated days in instructions, counted by valgrind's callgrind, where CPU time
is not a measure: on a virtual machine whose neighbours take its cores, the same loop takes
0.28 to 0.55 s of CPU minutes apart, while its instruction count does not move.

The instructions of days A to A+D are the difference of two runs of the reference estate
under callgrind, one of A days and one of A+D (what both share, the interpreter's start,
the imports, a small warm-up estate and the estate's build, cancels; neither run pays the
interpreter's teardown). The floor of those days is counted the same
way: the window's events, IDB rows and sessions (the difference of the two runs' counts)
replayed bare by ``bench.floor`` for R and 2R days, per day. ``cost_over_floor`` is then a
ratio of instructions. The runs use ``PYTHONHASHSEED=0`` so that two of them execute the
same code paths; both pairs run at once, one per core.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.floor import DayCounts

VALGRIND = ("valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null")
COLLECTED = re.compile(r"^==\d+== Collected : (\d+)$", re.MULTILINE)
FLOOR_DAYS = 5  # replayed days of the shorter floor run (the longer replays twice as many)
ROOT = Path(__file__).resolve().parent.parent  # where ``bench`` and ``apprm_ref`` import from

# Both runs first simulate the same small estate (WARM_UP), so every module, compiled
# statement and first-use cache the estate needs is made before the counted estate starts
# (a module first imported after day A, such as the snapshot restore on a weekly restore
# day, would otherwise be charged to the window: without byte-code files, parsing and
# compiling one module is about 15 M instructions). Both end in ``os._exit``: the
# interpreter's teardown frees the heap, which grows with the days simulated, and that is
# not a simulated day's work either (it was about 2 % of the difference).
WARM_UP = "run_estate(BenchConfig(days=8, databases=1, check_invariants=False)); "
_EXIT = "sys.stdout.flush(); os._exit(0)"
_RUN = (
    "import json, os, sys; from bench.harness import BenchConfig, run_estate; "
    + WARM_UP
    + "o = run_estate(BenchConfig(days={days}, databases={databases}, check_invariants=False)); "
    "print(json.dumps({{k: o[k] for k in ('events', 'idb_rows_written', 'sessions', "
    "'outcome_digest')}})); " + _EXIT
)
_FLOOR = (
    "import tempfile; from pathlib import Path; "
    "from bench.floor import open_empty_idb, replay_events, replay_rows\n"
    "with tempfile.TemporaryDirectory(prefix='apprm-floor-') as tmp:\n"
    "    db = open_empty_idb(Path(tmp) / 'floor.sqlite')\n"
    "    replay_events({events}); replay_rows(db, {rows}, {sessions}, 0); db.close()\n"
    "print('{{}}')"
)


class CountError(RuntimeError):
    """A counted run failed, or callgrind printed no count."""


def collected(stderr: str) -> int:
    """The instruction count callgrind prints when its program ends."""
    found = COLLECTED.findall(stderr)
    if len(found) != 1:
        raise CountError(f"callgrind printed {len(found)} counts (expected one)")
    return int(found[0])


def _start(code: str, options: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    return subprocess.Popen(
        [*VALGRIND, *options, sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(proc: subprocess.Popen[str]) -> tuple[int, dict[str, Any]]:
    out, err = proc.communicate()
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-5:])
        raise CountError(f"counted run exited with {proc.returncode}: {tail}")
    return collected(err), json.loads(out.strip().splitlines()[-1])


def _pair(
    short: str, long: str, options: tuple[str, ...] = ()
) -> tuple[tuple[int, dict[str, Any]], tuple[int, dict[str, Any]]]:
    """Both runs at once (one per core); their counts and printed results."""
    a, b = _start(short, options), _start(long, options)
    try:
        return _finish(a), _finish(b)
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()


def check_valgrind() -> None:
    if shutil.which(VALGRIND[0]) is None:
        raise CountError("valgrind is not installed (it counts the instructions)")


def measure(databases: int, first_day: int, days: int) -> dict[str, Any]:
    """Instructions per database-day of days ``first_day`` .. ``first_day + days`` and
    their floor, both by difference of two counted runs."""
    check_valgrind()
    if databases < 1 or first_day < 1 or days < 1:
        raise ValueError("databases, first_day and days must be at least 1")
    (i0, r0), (i1, r1) = _pair(
        _RUN.format(days=first_day, databases=databases),
        _RUN.format(days=first_day + days, databases=databases),
    )
    if i1 <= i0:
        raise CountError(f"the longer run counted {i1} instructions, the shorter {i0}")
    window = DayCounts.of_run(
        days,
        r1["events"] - r0["events"],
        r1["idb_rows_written"] - r0["idb_rows_written"],
        r1["sessions"] - r0["sessions"],
    )
    (f0, _), (f1, _) = _pair(*(_floor_code(window, n * FLOOR_DAYS) for n in (1, 2)))
    run_per_day = (i1 - i0) / days
    floor_per_day = (f1 - f0) / FLOOR_DAYS
    return {
        "databases": databases,
        "first_day": first_day,
        "days": days,
        "instructions_per_db_day": round(run_per_day / databases),
        "floor_instructions_per_day": round(floor_per_day),
        "cost_over_floor_instructions": round(run_per_day / floor_per_day, 2),
        "window_events_per_day": round(window.events, 1),
        "window_rows_per_day": round(window.rows, 1),
        "window_sessions_per_day": round(window.sessions, 2),
        "outcome_digest": r1["outcome_digest"],
    }


def _floor_code(day: DayCounts, replay_days: int) -> str:
    return _FLOOR.format(
        events=round(day.events * replay_days),
        rows=round(day.rows * replay_days),
        sessions=max(1, round(day.sessions * replay_days)),
    )


def add_window_args(ap: argparse.ArgumentParser) -> None:
    """The counted window's options (``bench.instructions``, ``bench.subtree``)."""
    ap.add_argument("--databases", type=int, default=4)
    ap.add_argument("--first-day", type=int, default=1, help="days simulated before the window")
    ap.add_argument("--days", type=int, default=5, help="days in the window")
    ap.add_argument("--json", action="store_true")


def run_counted(
    ap: argparse.ArgumentParser,
    argv: list[str] | None,
    count: Any,
    width: int,
    render: Any = None,
) -> int:
    """Parse the options, refuse a bad window, run ``count(options)`` and print what it
    returns (JSON with ``--json``, else ``render(result)``'s lines or one line per key);
    1 with the reason when counting failed."""
    a = ap.parse_args(argv)
    if a.databases < 1 or a.first_day < 1 or a.days < 1:
        ap.error("--databases, --first-day and --days must be at least 1")
    try:
        out = count(a)
    except ValueError as exc:
        ap.error(str(exc))
    except CountError as exc:
        print(f"{ap.prog.split()[-1]}: {exc}", file=sys.stderr)
        return 1
    if a.json:
        print(json.dumps(out, sort_keys=True))
    elif render is not None:
        print("\n".join(render(out)))
    else:
        for key in sorted(out):
            print(f"{key:>{width}}: {out[key]}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.instructions", description=__doc__)
    add_window_args(ap)
    return run_counted(ap, argv, lambda a: measure(a.databases, a.first_day, a.days), 30)


if __name__ == "__main__":
    sys.exit(main())
