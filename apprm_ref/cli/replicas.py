"""``apprm replicas``: the ZDB database (omnidbsmis / omnidbxp / omnidbvss)."""

from __future__ import annotations

from typing import Any

import typer

from apprm_ref.cli.app import EXIT_WARN, emit_json, new_app, plain_time, table
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.front.views import replica_dict

app = new_app("The ZDB database: replicas made by ZDB sessions, and their check.")

LIVE = ReplicaStatus.LIVE


@app.command("list")
def list_(
    spec: str = typer.Option(None, "--spec"),
    array: str = typer.Option(None, "--array"),
    all_: bool = typer.Option(False, "--all", help="include deleted and consumed replicas"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """Replicas by specification and creation order."""
    with open_lab(current_home()) as lab:
        reps = [
            r for r in lab.repo.list_replicas(spec=spec, array=array) if all_ or r.status in LIVE
        ]
        arrays = lab.drivers().arrays
        rows = [replica_dict(lab, r, arrays) for r in reps]
    if as_json:
        emit_json(rows, key="replicas")
    elif not rows:
        typer.echo("No replicas.")
    else:
        body = [
            [
                r["id"],
                r["session_id"],
                r["array"],
                r["type"],
                r["status"],
                _ir(r),
                plain_time(r["created_at"]),
                len(r["targets"]),
            ]
            for r in rows
        ]
        head = ["Replica", "SessionID", "Array", "Type", "Status", "IR", "Created", "Targets"]
        typer.echo(table(head, body))


def _ir(r: dict[str, Any]) -> str:
    """The IR column: a tracked replica whose array side changed is not IR-capable."""
    if r["ir_capable"]:
        return "yes"
    if r["status"] == ReplicaStatus.INVALID:  # its targets failed on the array (OPS-I5)
        return "no (invalid)"
    return "no (changed)" if r["tracked"] and r["identity_problems"] else "no"


@app.command("show")
def show(
    replica_id: str = typer.Argument(..., metavar="ID"),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """One replica: its targets and the mount layout it was made from."""
    with open_lab(current_home()) as lab:
        d = replica_dict(lab, lab.repo.get_replica(replica_id))
    if as_json:
        emit_json(d)
        return
    shown = {**d, "created": plain_time(d["created_at"])}
    for key in ("id", "spec", "session_id", "array", "type", "status", "tracked", "created", "mu"):
        if shown[key] is not None:
            typer.echo(f"{key.replace('_', ' ').capitalize():<12} : {shown[key]}")
    typer.echo(f"{'IR capable':<12} : {_ir(d)}")
    for problem in d["identity_problems"]:
        typer.echo(f"{'Changed':<12} : {problem}")
    typer.echo("")
    typer.echo(
        table(
            ["Source", "Target", "Type"],
            [[t["source"], t["target"], t["type"]] for t in d["targets"]],
        )
    )
    for m in d["layout"]:
        typer.echo(
            f"\n{m['host']}: {m['vg']}/{m['lv']} on {m['mount_point']} ({', '.join(m['volumes'])})"
        )


@app.command("delete")
def delete(
    replica_id: str = typer.Argument(..., metavar="ID"),
    force: bool = typer.Option(False, "--force", help="delete even if presented or in use"),
) -> None:
    """Delete a replica from the array and mark it deleted in the IDB."""
    with open_lab(current_home(), save=True) as lab:
        rep = lab.orchestrator.delete_replica(replica_id, force=force)
    typer.echo(f"Replica {replica_id} deleted.")
    if _told_problems([rep]):
        raise typer.Exit(EXIT_WARN)


def _told_problems(reps: list[Any]) -> bool:
    """Print what deleting each replica left wrong on the array (a pair its resync
    suspended); True if anything was."""
    told = False
    for rep in reps:
        for text in rep.details.get("delete_problems", []):
            typer.echo(f"{rep.id}: {text}", err=True)
            told = True
    return told


@app.command("purge")
def purge(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Retry deleting every replica on the purge list."""
    with open_lab(current_home(), save=True) as lab:
        gone = lab.orchestrator.purge()
        removed = [r.id for r in gone]
        left = [r.id for r in lab.repo.list_replicas(status=ReplicaStatus.PURGE)]
    problems = {
        r.id: r.details["delete_problems"] for r in gone if r.details.get("delete_problems")
    }
    if as_json:
        emit_json({"removed": removed, "remaining": left, "problems": problems})
    else:
        typer.echo(
            f"Purged {len(removed)} replica(s)"
            + (f": {', '.join(removed)}" if removed else "")
            + "."
        )
        if left:
            typer.echo(f"Still on the purge list: {', '.join(left)}")
        _told_problems(gone)
    if left or problems:
        raise typer.Exit(EXIT_WARN)


@app.command("check")
def check(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Compare the IDB with the arrays: missing targets, orphans, and replicas whose content
    on the array changed since they were made (identity-changed); exit 1 if any."""
    from apprm_ref.idb.reconcile import reconcile

    with open_lab(current_home()) as lab:
        findings = reconcile(lab.repo.list_replicas(), lab.drivers().arrays, stamp=lab.stamp)
    if as_json:
        emit_json([f.to_dict() for f in findings], key="findings")
    elif not findings:
        typer.echo("The ZDB database agrees with the arrays.")
    else:
        for f in findings:
            typer.echo(str(f))
    if findings:
        raise typer.Exit(EXIT_WARN)
