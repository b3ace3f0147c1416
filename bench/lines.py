"""``python -m bench.lines [--databases N] [--first-day A] [--days D] [--top K] [--json]``

The Python lines a simulated day executes, per database-day, by module and by function:
where ``bench.instructions`` says what a day costs and ``bench.subtree`` what one named
part costs, this says which functions run the most Python, in seconds and without
valgrind, so that loops still interpreted stand out (a loop over a container's items is
where compiled code pays; a line that walks objects costs about as much either way).

Counted with ``sys.settrace``: every ``line`` event of every Python frame, generators
included, by code object. As in ``bench.instructions`` the window is the difference of an
A-day run and an (A+D)-day run, each in its own process after the same warm-up estate
(so first imports and first-use caches are not charged to the window), with
``PYTHONHASHSEED=0``. A line is a unit of the interpreter's work, not of its cost: a
line calling into C counts one, and a dataclass ``__init__`` (``<string>``) counts one per
field. Measured on 4 Dec 2026 at b8cdb23 (4 databases, days 1+5): 31 895 lines per
database-day; the EVA's copy-on-write write path 3.2 %, DBWR 3.1 %, the host write's Python
side 2.9 %, the dataclass constructors 2.5 % (7.9 % before ``fast_init``).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections import Counter
from typing import Any

from bench.instructions import ROOT, WARM_UP, CountError, add_window_args, run_counted

_RUN = (
    "import json, os, sys; from bench.harness import BenchConfig, run_estate; "
    + WARM_UP
    + "from bench.lines import traced; "
    "o, counts = traced(BenchConfig(days={days}, databases={databases}, "
    "check_invariants=False)); "
    "print(json.dumps({{'counts': counts, 'outcome_digest': o['outcome_digest'], "
    "'sessions': o['sessions']}})); sys.stdout.flush(); os._exit(0)"
)


def traced(cfg: Any) -> tuple[dict[str, Any], dict[str, int]]:
    """Run the estate with every Python line counted: (its result, lines by function)."""
    from bench.harness import run_estate

    by_code: Counter[Any] = Counter()

    def local(frame: Any, event: str, arg: Any) -> Any:
        if event == "line":
            by_code[frame.f_code] += 1
        return local

    def start(frame: Any, event: str, arg: Any) -> Any:
        return local if event == "call" else None

    sys.settrace(start)
    try:
        out = run_estate(cfg)
    finally:
        sys.settrace(None)
    counts: Counter[str] = Counter()
    for code, n in by_code.items():
        counts[function_name(code)] += n
    return out, dict(counts)


def function_name(code: Any) -> str:
    """``path:qualname`` of a code object, the path relative to the checkout."""
    path = code.co_filename
    root = str(ROOT) + os.sep
    if path.startswith(root):
        path = path[len(root) :]
    return f"{path}:{code.co_qualname}"


def module_of(name: str) -> str:
    return name.rpartition(":")[0]


def _run(days: int, databases: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", _RUN.format(days=days, databases=databases)],
        cwd=ROOT,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _result(proc: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = proc.communicate()
    if proc.returncode != 0:
        tail = "\n".join(err.strip().splitlines()[-5:])
        raise CountError(f"traced run exited with {proc.returncode}: {tail}")
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def measure(databases: int, first_day: int, days: int, top: int = 20) -> dict[str, Any]:
    """Lines per database-day of days ``first_day`` .. ``first_day + days``: in all, and
    the ``top`` modules and functions, each with its share."""
    if databases < 1 or first_day < 1 or days < 1 or top < 1:
        raise ValueError("databases, first_day, days and top must be at least 1")
    short, long = _run(first_day, databases), _run(first_day + days, databases)
    try:
        r0, r1 = _result(short), _result(long)
    finally:
        for p in (short, long):
            if p.poll() is None:
                p.kill()
    window = Counter(r1["counts"])
    window.subtract(r0["counts"])
    db_days = databases * days
    total = sum(window.values())
    if total <= 0:
        raise CountError(f"the longer run executed {total} lines more than the shorter")
    modules: Counter[str] = Counter()
    for name, n in window.items():
        modules[module_of(name)] += n

    def ranked(counts: Counter[str]) -> list[list[Any]]:
        best = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [[name, round(n / db_days, 1), round(100 * n / total, 2)] for name, n in best]

    return {
        "databases": databases,
        "first_day": first_day,
        "days": days,
        "lines_per_db_day": round(total / db_days, 1),
        "modules": ranked(modules),
        "functions": ranked(window),
        "sessions": r1["sessions"] - r0["sessions"],
        "outcome_digest": r1["outcome_digest"],
    }


def report(out: dict[str, Any]) -> list[str]:
    lines = [
        f"days {out['first_day']}+{out['days']}, {out['databases']} databases: "
        f"{out['lines_per_db_day']} Python lines per database-day"
    ]
    for title in ("modules", "functions"):
        lines.append(f"  by {title[:-1]} (lines per database-day, share):")
        lines += [f"    {n:>9} {share:5.1f} %  {name}" for name, n, share in out[title]]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.lines", description=__doc__)
    add_window_args(ap)
    ap.add_argument("--top", type=int, default=20, help="modules and functions listed")
    return run_counted(
        ap, argv, lambda a: measure(a.databases, a.first_day, a.days, a.top), 0, report
    )


if __name__ == "__main__":
    sys.exit(main())
