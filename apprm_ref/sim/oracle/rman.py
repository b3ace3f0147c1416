"""A tiny RMAN door: the one RMAN-only command a recovery tool needs from the simulator.

``run(world, db_name, script)`` accepts ``RESTORE CONTROLFILE FROM '<path>';`` (instance in
NOMOUNT) and raises :class:`OracleError` like the real client reports the failure.
"""

from __future__ import annotations

import re
from typing import Any

from apprm_ref.errors import OracleError


def run(world: Any, db_name: str, script: str) -> list[str]:
    db = world.app(db_name)
    out: list[str] = []
    for stmt in (s.strip() for s in script.split(";")):
        if not stmt:
            continue
        m = re.fullmatch(r"RESTORE CONTROLFILE FROM '([^']+)'", stmt, flags=re.I)
        if m is None:
            raise OracleError(
                f"RMAN-00558: error encountered while parsing input commands: {stmt}",
                code="RMAN-00558",
            )
        db.restore_controlfile(m[1])
        out += [
            "Starting restore",
            "channel ORA_DISK_1: restoring control file",
            "Finished restore",
        ]
    return out
