"""The SQL Server lab of tests/vss (data on E:, logs on F:, hr alone on G:), its world only."""

from __future__ import annotations

from typing import Any

from tests.vss.sqllab import VssLab


def sql_world(seed: int = 0) -> tuple[Any, Any]:
    lab = VssLab(seed)
    return lab.world, lab.sql
