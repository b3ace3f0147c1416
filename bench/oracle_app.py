"""Oracle databases on the reference estate: the default application of the benchmark.

Each database has datafiles on ``/oradata`` and control files, online logs and SPFILE on
``/oractl`` (both replicated), archived logs on ``/oraarch`` (not replicated, sized for a
year of archives: the simulated filesystem never reuses space). The workload is Oracle's
epoch API: ``n`` committed transactions per database per epoch, one redo batch. The test
oracle of acknowledged commits (``track_history``) is off: it would grow without bound
over a simulated year and is not what the benchmark measures.
"""

from __future__ import annotations

import contextlib
from typing import Any

from apprm_ref.errors import ApprmError
from bench import layout
from bench.apps import replication, schedule

ORACLE_VGS: tuple[layout.VgShape, ...] = (
    ("data", "/oradata", True, 4),
    ("ctl", "/oractl", True, 4),
    ("arch", "/oraarch", False, 32),
)


ARCHIVE_KEEP_S = 3 * 86400.0
PURGE_EVERY_DAYS = 7


class OracleApp:
    kind = "oracle"

    def __init__(self, plans: list[layout.DbPlan]) -> None:
        self.plans = [
            layout.DbPlan(p.index, p.name, p.host, p.array, p.kind, _vgs(p)) for p in plans
        ]
        self._days = 0

    def estate(self) -> dict[str, Any]:
        """Arrays and hosts, plus one ``applications`` entry per database (``build_oracle``)."""
        out = layout.estate_dict(self.plans)
        out["applications"] = [
            {
                "type": "oracle",
                "name": p.name,
                "host": p.host,
                "data_mount": "/oradata",
                "redo_mount": "/oractl",
                "arch_mount": "/oraarch",
                "track_history": False,
            }
            for p in self.plans
        ]
        return out

    def populate(self, world: Any) -> None:
        """Nothing: the estate's applications section created the databases."""

    def spec(self, p: layout.DbPlan) -> dict[str, Any]:
        from bench.harness import spec_name

        return {
            "name": spec_name(p.name),
            "type": "oracle",
            "application_system": p.host,
            "array": p.array,
            "objects": [p.name],
            "replication": replication(p),
            "schedules": schedule(p),
        }

    def prepare(self, world: Any, orch: Any) -> None:
        """The integration's configuration in the IDB (``apprm oracle config``)."""

    def housekeeping(self, world: Any) -> None:
        """The DBA's weekly purge (called daily, acts every ``PURGE_EVERY_DAYS``): archived
        logs older than ``ARCHIVE_KEEP_S`` are deleted (RMAN DELETE ARCHIVELOG UNTIL TIME).
        Every replica in a set is younger than that (EVA 7 x 6 h, XP 3 x 6 h), so recovery
        from any of them still finds its logs. Weekly, because each purge rewrites the
        whole control file."""
        self._days += 1
        if self._days % PURGE_EVERY_DAYS:
            return
        cut = world.now() - ARCHIVE_KEEP_S
        for p in self.plans:
            db = world.apps[p.name]
            if db.status in ("OPEN", "MOUNTED"):
                # archive destination busy: the next run catches up
                with contextlib.suppress(ApprmError):
                    db.delete_archived_logs(cut)

    def workload(self, world: Any, n: int) -> int:
        """``n`` commits per database; a database that is down (IR) refuses and is skipped."""
        blocked = 0
        for p in self.plans:
            db = world.apps[p.name]
            if db.status != "OPEN":  # down for an instant recovery: clients wait
                blocked += 1
                continue
            apply = getattr(db, "apply_workload", None) or db.workload
            try:
                apply(n)
            except ApprmError:
                blocked += 1
        return blocked


def _vgs(p: layout.DbPlan) -> tuple[layout.VgPlan, ...]:
    return layout.plan_databases(p.index + 1, ORACLE_VGS)[p.index].vgs
