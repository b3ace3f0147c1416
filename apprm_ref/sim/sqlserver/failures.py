"""Drill actions on a SQL Server instance's writer (``fail: {kind: ..., app: NAME}``).

``writer_hang``: the SQL writer's Freeze handler hangs 61 s, past the 60-s default freeze
timeout (VC-P3), at every backup until its service restarts (a hung VDI thread is only
freed by restarting the SQL Writer service, VSS-9). ``writer_service_restart``: what the
operator does about it (``net stop SQLWriter`` / ``net start SQLWriter``): the writers hosted
in the service come back stable with a new instance ID and the hang is gone. A drill has no
other place for an operator's action on a kind, hence a registered failure kind.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.sim.sqlserver.writer import SQL_WRITER_SERVICE

HANG_SECONDS = 61.0


def hang_writer(world: Any, failure: Any) -> str:
    inst = world.app(failure.app)
    inst.freeze_stall = HANG_SECONDS
    return f"SQL writer of {inst.host} hangs {HANG_SECONDS:.0f} s in Freeze"


def restart_writer_service(world: Any, failure: Any) -> str:
    from apprm_ref.sim.vss.backend import vss_service

    inst = world.app(failure.app)
    restarted = vss_service(world, inst.host).restart_service(SQL_WRITER_SERVICE)
    for name in sorted(world.apps):
        other = world.apps[name]
        if getattr(other, "kind", "") == "mssql" and other.host == inst.host:
            other.freeze_stall = 0.0
    return f"service {SQL_WRITER_SERVICE} restarted on {inst.host} ({len(restarted)} writer(s))"


def drop_table(world: Any, failure: Any) -> str:
    """``DELETE FROM db.table`` committed by mistake (``table: DB.TABLE``)."""
    from apprm_ref.errors import ConfigError

    inst = world.app(failure.app)
    db, _, table = str(failure.table).partition(".")
    if not table:
        raise ConfigError("a SQL Server table is named DATABASE.TABLE", field="fail.table")
    rows = inst.database_data(db).get(table, {})
    inst.transact(db, [(table, key, None) for key in sorted(rows)])
    return f"{len(rows)} row(s) deleted from {db}.{table} on {inst.server_name}"
