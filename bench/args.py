"""The estate options the counting benchmarks share (``bench.profile``, ``bench.calls``)."""

from __future__ import annotations

import argparse
import json
from typing import Any

from bench.harness import BenchConfig


def add_estate_args(ap: argparse.ArgumentParser, *, days: int) -> None:
    ap.add_argument("--days", type=int, default=days)
    ap.add_argument("--databases", type=int, default=10)
    ap.add_argument("--app", choices=("oracle", "filesystem"), default="oracle")
    ap.add_argument("--json", action="store_true")


def counted_config(a: argparse.Namespace) -> BenchConfig:
    """The run a counting benchmark measures: no end checks (they are not the day's work)."""
    return BenchConfig(days=a.days, databases=a.databases, app=a.app, check_invariants=False)


def printed_json(a: argparse.Namespace, out: dict[str, Any]) -> bool:
    """Print ``out`` as one JSON line if ``--json`` was given; whether it was."""
    if a.json:
        print(json.dumps(out, sort_keys=True))
    return bool(a.json)
