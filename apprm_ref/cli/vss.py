"""``apprm vss`` (the VSS kinds' view of the VSSDB, like ``omnidbvss -get session_persistent``,
and the writers the product's VSS driver sees) and ``apprm mssql`` (a simulated SQL Server
instance's databases, so a lab shows what an instant recovery brought back)."""

from __future__ import annotations

from typing import Any

import typer

from apprm_ref.cli.app import emit_json, new_app, table
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.errors import ConfigError, NotFoundError

app = new_app("VSS integration: replicas in the VSSDB and the writers of a Windows host.")
mssql_app = new_app("SQL Server (simulated): databases, their state and committed data.")


def _vss_replicas(lab: Any, spec: str | None) -> list[Any]:
    reps = (
        lab.orchestrator.repo.list_replicas(spec=spec)
        if spec
        else lab.orchestrator.repo.list_replicas()
    )
    return [r for r in reps if r.details.get("vss")]


@app.command("replicas")
def replicas(
    spec: str = typer.Option(None, "--spec", help="only this specification's replicas"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """VSS replicas (``omnidbvss -get session_persistent``): shadow-copy set, backup type,
    components and whether each can be restored alone."""
    with open_lab(current_home()) as lab:
        reps = _vss_replicas(lab, spec)
        rows = []
        for r in reps:
            v = r.details["vss"]
            comps = ", ".join(f"{c['name']}{'' if c['alone'] else '*'}" for c in v["components"])
            rows.append(
                {
                    "replica": r.id,
                    "session": r.session_id,
                    "host": v["host"],
                    "set_id": v["set_id"],
                    "backup_type": v["backup_type"],
                    "transportable": v["transportable"],
                    "status": r.status,
                    "components": comps or "-",
                }
            )
    if as_json:
        emit_json(rows, key="replicas")
        return
    if not rows:
        print("No VSS replicas.")
        return
    heads = ["replica", "session", "host", "set_id", "backup_type", "transportable", "status"]
    print(table([*heads, "components"], [[r[h] for h in [*heads, "components"]] for r in rows]))
    print("(* shares its volumes with other data: restored only with the whole replica)")


@app.command("show")
def show(
    replica_id: str = typer.Argument(..., metavar="REPLICA"),
    xml: bool = typer.Option(False, "--xml", help="print the saved Backup Components Document"),
) -> None:
    """One VSS replica: shadow copies, components with their files."""
    with open_lab(current_home()) as lab:
        rep = lab.orchestrator.repo.get_replica(replica_id)
        v = rep.details.get("vss")
    if not v:
        raise NotFoundError(f"{replica_id} is not a VSS replica")
    if xml:
        print(v["bcd"])
        return
    print(
        f"Replica       : {rep.id}\nShadow set    : {{{v['set_id']}}}\nHost          : {v['host']}"
    )
    print(f"Backup type   : {v['backup_type']}\nTransportable : {v['transportable']}")
    for sid in v["shadows"]:
        print(f"Shadow copy   : {{{sid}}}")
    for c in v["components"]:
        alone = "alone on its volumes" if c["alone"] else "shares its volumes"
        print(f"Component     : {c['writer']} {c['logical_path']}\\{c['name']} ({alone})")
        for f in c["files"]:
            print(f"                {f}")


@app.command("writers")
def writers(
    host: str = typer.Option(..., "--host", help="Windows host running VSS"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Writers on ``host`` as the product's VSS driver reports them (state, last error)."""
    from apprm_ref.drivers.vss import VssDriver

    with open_lab(current_home()) as lab:
        drivers = lab.orchestrator.drivers.apps
        drv = next((d for _, d in sorted(drivers.items()) if isinstance(d, VssDriver)), None)
        if drv is None:
            raise ConfigError("no VSS service in this lab (an application of type vss)")
        found = drv.writers(host)
    rows = [[w.name, w.writer_id, f"[{w.state}] {w.state_text}", w.last_error] for w in found]
    if as_json:
        keys = ("name", "writer_id", "state", "last_error")
        emit_json([dict(zip(keys, r, strict=True)) for r in rows], key="writers")
        return
    print(table(["writer", "writer id", "state", "last error"], rows))


@mssql_app.command("databases")
def databases(
    app_name: str = typer.Argument(..., metavar="APP", help="the SQL Server instance"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Each database: state, files, rows per table and a digest of its committed data."""
    from apprm_ref.drill.datastate import _digest

    with open_lab(current_home()) as lab:
        inst = lab.world.app(app_name)
        if getattr(inst, "kind", "") != "mssql":
            raise ConfigError(f"{app_name} is not a SQL Server instance", field="APP")
        rows = []
        for name in sorted(inst.databases):
            db = inst.databases[name]
            data = inst.database_data(name) if db.open else None
            rows.append(
                {
                    "database": name,
                    "state": db.state if db.open or db.state != "ONLINE" else "RECOVERY_PENDING",
                    "data": db.data_path,
                    "log": db.log_path,
                    "rows": sum(len(t) for t in (data or {}).values()),
                    "digest": None if data is None else _digest(data),
                }
            )
    if as_json:
        emit_json(rows, key="databases")
        return
    heads = ["database", "state", "data", "log", "rows", "digest"]
    print(table(heads, [[r[h] if r[h] is not None else "-" for h in heads] for r in rows]))
