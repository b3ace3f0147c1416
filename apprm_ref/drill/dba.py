"""What a DR team does by hand in a drill: reboot a crashed host, run SQL as the DBA.

A reboot is what the OS does at boot: rescan the LUNs, activate the volume groups, mount
the estate's filesystems (the estate is the host's fstab; replica mounts a session made on
a backup system are not in it), and start only the databases configured to start at boot.
SQL goes through the DB-API door (``sim/oracle/dbapi.py``), so a refusal carries Oracle's
own code (python-oracledb puts it in ``exc.args[0].full_code``).
"""

from __future__ import annotations

import re
from typing import Any

from apprm_ref.drill.steps import Reboot, Sql
from apprm_ref.errors import ConfigError, OracleError

_STARTUP = re.compile(r"STARTUP(?:\s+(NOMOUNT|MOUNT|OPEN))?", re.IGNORECASE)
_SHUTDOWN = re.compile(r"SHUTDOWN(?:\s+(ABORT|IMMEDIATE|NORMAL))?", re.IGNORECASE)


def reboot(world: Any, estate: Any, step: str | Reboot) -> str:
    """Boot ``host`` as its OS would; returns a one-line label."""
    r = Reboot(host=step) if isinstance(step, str) else step
    hosts = world.hosts
    if not hosts.host(r.host).crashed:
        raise ConfigError(f"host {r.host} is up: only a crashed host is rebooted", field="host")
    hosts.boot(r.host)
    hosts.rescan(r.host)
    cfg = next((h for h in estate.hosts if h.name == r.host), None)
    mounted = []
    for vg in cfg.volume_groups if cfg is not None else []:
        hosts.activate_vg(r.host, vg.name)
        for lv in vg.lvs:
            if lv.mount:
                hosts.mount(r.host, vg.name, lv.name, lv.mount)
                mounted.append(lv.mount)
    for name in r.start:
        world.app(name).startup()
    started = f", started {', '.join(r.start)}" if r.start else ""
    return f"host {r.host} rebooted (mounted {', '.join(mounted) or 'nothing'}{started})"


def run_sql(world: Any, s: Sql) -> list[tuple[Any, ...]]:
    """Run one statement through the door; rows of a query, [] otherwise."""
    from apprm_ref.sim.oracle import dbapi

    try:
        mode = dbapi.AUTH_MODE_SYSDBA if s.sysdba else dbapi.AUTH_MODE_DEFAULT
        with dbapi.connect(s.app, user=s.user, password=s.password, mode=mode, world=world) as c:
            return _execute(c, s.statement.strip().rstrip(";").strip())
    except dbapi.Error as exc:
        err = exc.args[0]
        code = getattr(err, "full_code", "") or "ORA-00600"
        raise OracleError(str(err).removeprefix(f"{code}: "), code=code) from None


def _execute(conn: Any, statement: str) -> list[tuple[Any, ...]]:
    from apprm_ref.sim.oracle import dbapi

    m = _STARTUP.fullmatch(statement)
    if m is not None:
        conn.startup()
        for stage in {"NOMOUNT": (), "MOUNT": ("MOUNT",)}.get(
            (m[1] or "").upper(), ("MOUNT", "OPEN")
        ):
            conn.cursor().execute(f"ALTER DATABASE {stage}")
        return []
    m = _SHUTDOWN.fullmatch(statement)
    if m is not None:
        how = (m[1] or "NORMAL").upper()
        if how == "ABORT":
            conn.shutdown(dbapi.DBSHUTDOWN_ABORT)
            return []
        conn.shutdown()
        for stage in ("CLOSE NORMAL", "DISMOUNT"):
            conn.cursor().execute(f"ALTER DATABASE {stage}")
        conn.shutdown(dbapi.DBSHUTDOWN_FINAL)
        return []
    cur = conn.cursor()
    out = cur.execute(statement)
    return cur.fetchall() if out is not None else []
