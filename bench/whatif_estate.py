"""``python -m bench.whatif_estate [--databases 10] > estate.yaml``: the reference estate as
an ``apprm whatif`` file (its arrays, hosts, Oracle databases, specs with their schedules,
the benchmark's workload of 20 commits per database per hour and its weekly purge of
archived logs older than 3 days). The committed
``bench/reference-estate.yaml`` is this output for 10 databases (a test keeps it so).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from bench import layout
from bench.harness import BenchConfig
from bench.oracle_app import ARCHIVE_KEEP_S, PURGE_EVERY_DAYS, OracleApp


def whatif_doc(databases: int) -> dict[str, Any]:
    app = OracleApp(layout.plan_databases(databases))
    rate = BenchConfig().changes_per_hour
    keep, every = f"{ARCHIVE_KEEP_S / 86400:g}d", f"{PURGE_EVERY_DAYS}d"
    return {
        **app.estate(),
        "specs": [app.spec(p) for p in app.plans],
        "workloads": [{"app": p.name, "rate": rate} for p in app.plans],
        "archive_purges": [{"app": p.name, "keep": keep, "every": every} for p in app.plans],
    }


def render(databases: int) -> str:
    head = f"# The reference estate of bench/README.md ({databases} databases) for apprm whatif.\n"
    return head + yaml.safe_dump(whatif_doc(databases), sort_keys=False)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.whatif_estate")
    ap.add_argument("--databases", type=int, default=10)
    a = ap.parse_args(argv)
    sys.stdout.write(render(a.databases))
    return 0


if __name__ == "__main__":
    sys.exit(main())
