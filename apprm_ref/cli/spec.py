"""``apprm spec``: ZDB backup specifications with array and application options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
import yaml

from apprm_ref.cli.app import emit_json, new_app, parse_kv, table
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.errors import ConfigError, NotFoundError
from apprm_ref.front.views import spec_row

app = new_app("Create, list, show and delete backup specifications.")


def _read_specs(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise NotFoundError(f"no such file: {path}") from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=str(path),
            line=line + 1 if line is not None else None,
        ) from None
    if isinstance(data, dict) and isinstance(data.get("specs"), list):
        data = data["specs"]
    items = data if isinstance(data, list) else [data]
    if not items or not all(isinstance(i, dict) for i in items):
        raise ConfigError("expected a specification (a mapping) or a list of them", file=str(path))
    return items


def _inline(
    name: str | None,
    type_: str,
    host: str | None,
    backup_host: str | None,
    array: str | None,
    objects: list[str],
    opts: list[str],
    app_opts: list[str],
) -> dict[str, Any]:
    missing = [f for f, v in (("--name", name), ("--host", host), ("--array", array)) if not v]
    if missing:
        raise ConfigError(f"missing {', '.join(missing)} (or give --file)")
    spec: dict[str, Any] = {
        "name": name,
        "type": type_,
        "application_system": host,
        "array": array,
        "objects": list(objects),
        "replication": parse_kv(opts, option="--opt"),
        "application": parse_kv(app_opts, option="--app-opt"),
    }
    if backup_host:
        spec["backup_system"] = backup_host
    return spec


@app.command("create")
def create(
    file: Path = typer.Option(None, "--file", "-f", help="specification YAML"),
    name: str = typer.Option(None, "--name"),
    type_: str = typer.Option("filesystem", "--type", help="filesystem | oracle | sap | vss"),
    host: str = typer.Option(None, "--host", help="application system"),
    backup_host: str = typer.Option(None, "--backup-host", help="backup system"),
    array: str = typer.Option(None, "--array"),
    objects: list[str] = typer.Option([], "--object", help="mount point / database (repeat)"),
    opts: list[str] = typer.Option([], "--opt", help="array option key=value (repeat)"),
    app_opts: list[str] = typer.Option([], "--app-opt", help="application option key=value"),
    replace: bool = typer.Option(False, "--replace", help="overwrite a spec of the same name"),
) -> None:
    """Create a specification from a file or from inline flags (validated against the estate)."""
    from apprm_ref.core.specs import parse_spec

    if file is not None:
        raw = _read_specs(file)
        source = str(file)
    else:
        raw = [_inline(name, type_, host, backup_host, array, objects, opts, app_opts)]
        source = None
    specs = [parse_spec(r, source=source) for r in raw]
    with open_lab(current_home(), save=True) as lab:
        for spec in specs:
            lab.orchestrator.create_spec(spec, replace=replace)
    for spec in specs:
        typer.echo(f"Specification {spec.name} created.")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="print JSON")) -> None:
    """Every specification in the IDB, by name."""
    with open_lab(current_home()) as lab:
        rows = [spec_row(s) for s in lab.repo.list_specs()]
    if as_json:
        emit_json(rows, key="specs")
    elif not rows:
        typer.echo("No backup specifications.")
    else:
        body = [
            [
                r["name"],
                r["type"],
                r["application_system"],
                r["backup_system"] or "-",
                r["array"],
                " ".join(r["objects"]),
            ]
            for r in rows
        ]
        typer.echo(
            table(["Specification", "Type", "Application", "Backup", "Array", "Objects"], body)
        )


@app.command("show")
def show(
    name: str = typer.Argument(...),
    as_json: bool = typer.Option(False, "--json", help="print JSON"),
) -> None:
    """One specification, as YAML (or JSON)."""
    with open_lab(current_home()) as lab:
        data = lab.repo.get_spec(name).model_dump(mode="json")
    if as_json:
        emit_json(data)
    else:
        typer.echo(yaml.safe_dump(data, sort_keys=True).rstrip())


@app.command("delete")
def delete(
    name: str = typer.Argument(...),
    force: bool = typer.Option(
        False, "--force", help="also delete its replicas from the arrays (else refused)"
    ),
) -> None:
    """Delete a specification; refused while it still has replicas unless --force, which
    deletes them first (a replica whose spec is gone could no longer be managed)."""
    with open_lab(current_home(), save=True) as lab:
        lab.repo.get_spec(name)
        live = [r.id for r in lab.repo.list_replicas(spec=name) if r.status in ReplicaStatus.LIVE]
        if live and not force:
            raise ConfigError(
                f"spec {name!r} still has replicas ({', '.join(live)}); delete them or use --force"
            )
        for replica_id in live:
            rep = lab.orchestrator.delete_replica(replica_id, force=True)
            typer.echo(f"Replica {replica_id} deleted.")
            for text in rep.details.get("delete_problems", []):
                typer.echo(f"{replica_id}: {text}", err=True)
        lab.repo.delete_spec(name)
    typer.echo(f"Specification {name} deleted.")
