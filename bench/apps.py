"""What the estate protects: filesystem specs (harness check) or Oracle databases (default).

Both share the arrays, volume layout and schedule shape of :mod:`bench.layout`; they differ
in the application section of the estate, the spec type and how the workload is applied.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import ApprmError
from bench import layout

SCHEDULE_REPEAT_H = 6  # 00:mm, 06:mm, 12:mm, 18:mm: four sessions a day


def schedule(p: layout.DbPlan) -> list[dict[str, Any]]:
    minutes = 5 + 3 * p.index % 300  # staggered so the estate's sessions do not all coincide
    return [
        {
            "recurrence": "daily",
            "start": f"{minutes // 60:02d}:{minutes % 60:02d}",
            "repeat_hours": SCHEDULE_REPEAT_H,
        }
    ]


def replication(p: layout.DbPlan) -> dict[str, Any]:
    """Array options: EVA vsnaps rotated 7; XP the MU list 0-2 (a set of 3)."""
    if p.kind == "eva":
        return {"snapshot_type": "vsnap", "replicas": layout.EVA_ROTATION}
    return {"mu": ",".join(str(m) for m in layout.XP_MUS)}


class FilesystemApp:
    """Mount points on the same arrays: the harness without a database."""

    kind = "filesystem"

    def __init__(self, plans: list[layout.DbPlan]) -> None:
        self.plans = plans
        self._counter = 0

    def estate(self) -> dict[str, Any]:
        seed = [{"path": "/data/data.dbf", "size": "64MiB", "fill": "init"}]
        return layout.estate_dict(self.plans, files={"/data": seed})

    def spec(self, p: layout.DbPlan) -> dict[str, Any]:
        from bench.harness import spec_name

        return {
            "name": spec_name(p.name),
            "type": "filesystem",
            "application_system": p.host,
            "array": p.array,
            "objects": ["/data"],
            "replication": replication(p),
            "schedules": schedule(p),
        }

    def populate(self, world: Any) -> None:
        """Create what the estate section does not (nothing: files come with the estate)."""

    def prepare(self, world: Any, orch: Any) -> None:
        """Configure the integration in the IDB (nothing for filesystems)."""

    def housekeeping(self, world: Any) -> None:
        """Daily jobs (none for plain filesystems: the data file is rewritten in place)."""

    def workload(self, world: Any, n: int) -> int:
        """Write ``n`` blocks of each database's data file; a refused write is skipped."""
        blocked = 0
        for p in self.plans:
            rnd = world.streams.get(f"bench.workload:{p.name}")
            self._counter += 1
            items = {rnd.randrange(64): ("wl", p.name, self._counter, k) for k in range(n)}
            try:
                world.hosts.write_file(p.host, "/data/data.dbf", items)
            except ApprmError:
                blocked += 1
        return blocked


def get(kind: str, plans: list[layout.DbPlan]) -> Any:
    if kind == "filesystem":
        return FilesystemApp(plans)
    if kind == "oracle":
        from bench.oracle_app import OracleApp

        return OracleApp(plans)
    raise ValueError(f"unknown application kind {kind!r} (oracle | filesystem)")
