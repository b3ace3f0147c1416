"""Lab controls for what happens *to* an estate: workload, failures, and a look at the data.

These are simulation controls, not product commands: they let a person run the whole
story of a recovery from the command line (load the database, note its data, break it,
restore, compare), with the same failure events that scenario files use.
"""

from __future__ import annotations

import hashlib
import json
from types import SimpleNamespace
from typing import Any

import typer

from apprm_ref.cli.app import emit_json, plain_time, table
from apprm_ref.cli.labdir import current_home, open_lab
from apprm_ref.errors import ConfigError

FAILURES = ("corrupted-datafile", "dropped-table", "corrupted-file", "lost-volume", "host-crash")

MAX_COMMITS = 10_000  # one command's batch; more is several commands (REL-I4: no hang)


def _digest(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def workload(
    app_name: str = typer.Argument(..., metavar="APP", help="Oracle database name"),
    commits: int = typer.Option(
        100, "--commits", min=1, max=MAX_COMMITS, help="committed transactions to apply"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Apply committed transactions to a database (one epoch: one batch of redo)."""
    with open_lab(current_home(), save=True) as lab:
        db = lab.world.app(app_name)
        if not callable(getattr(db, "workload", None)):
            raise ConfigError(f"{app_name} takes no workload", field="APP")
        done = db.workload(commits)
        out = {
            "app": app_name,
            "commits": len(done),
            "scn": getattr(db, "scn", None),  # a database without SCNs (SQL Server) has none
            "now_at": lab.iso(lab.world.now()),
        }
    scn = "" if out["scn"] is None else f", SCN now {out['scn']}"
    emit_json(out) if as_json else print(
        f"{app_name}: {out['commits']} commits{scn} at {lab.stamp(lab.world.now())}"
    )


def fail(
    kind: str = typer.Argument(..., metavar="KIND", help=" | ".join(FAILURES)),
    app: str = typer.Option(None, "--app", help="database (corrupted-datafile, dropped-table)"),
    file: str = typer.Option(None, "--file", help="datafile path (corrupted-datafile)"),
    table_name: str = typer.Option(None, "--table", help="table (dropped-table)"),
    host: str = typer.Option(None, "--host", help="host (corrupted-file, host-crash)"),
    path: str = typer.Option(None, "--path", help="file path (corrupted-file)"),
    array: str = typer.Option(None, "--array", help="array (lost-volume)"),
    volume: str = typer.Option(None, "--volume", help="volume id or name (lost-volume)"),
) -> None:
    """Inject a failure: a corrupted datafile or file, a dropped table, a lost volume, a crash."""
    from apprm_ref.drill.failures import inject

    if kind not in FAILURES:
        raise ConfigError(f"unknown failure {kind!r}; one of {', '.join(FAILURES)}", field="KIND")
    needs = {
        "corrupted-datafile": ("app", "file"),
        "dropped-table": ("app", "table"),
        "corrupted-file": ("host", "path"),
        "lost-volume": ("array", "volume"),
        "host-crash": ("host",),
    }[kind]
    given = {
        "app": app,
        "file": file,
        "table": table_name,
        "host": host,
        "path": path,
        "array": array,
        "volume": volume,
    }
    missing = [n for n in needs if not given[n]]
    if missing:
        raise ConfigError(f"{kind} needs --{missing[0]}", field=f"--{missing[0]}")
    failure = SimpleNamespace(kind=kind.replace("-", "_"), **given)
    with open_lab(current_home(), save=True) as lab:
        label = inject(lab.world, failure)
        print(f"{label} at {lab.stamp(lab.world.now())}")


def data(
    target: str = typer.Argument(
        ..., metavar="APP|HOST:PATH", help="a database, or a file as host:/path"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Show what an application (or a file) holds now, with a digest to compare later."""
    with open_lab(current_home()) as lab:
        world = lab.world
        if ":" in target:
            host, _, path = target.partition(":")
            blocks = world.hosts.read_file(host, path)
            out: dict[str, Any] = {
                "target": target,
                "blocks": len(blocks),
                "digest": _digest(list(blocks)),
            }
        else:
            db = world.app(target)
            rows = db.data() if db.status == "OPEN" else None
            out = {
                "target": target,
                "status": db.status,
                "scn": db.scn,
                "tables": {t: len(r) for t, r in sorted((rows or {}).items())},
                "digest": _digest(rows) if rows is not None else None,
            }
        out["now_at"] = lab.iso(world.now())
    if as_json:
        emit_json(out)
        return
    if "tables" in out:
        print(
            f"{target}: {out['status']}, SCN {out['scn']} at {plain_time(out['now_at'])}, data digest {out['digest']}"
        )
        if out["tables"]:
            print(table(["table", "rows"], sorted(out["tables"].items())))
    else:
        print(
            f"{target}: {out['blocks']} blocks at {plain_time(out['now_at'])}, digest {out['digest']}"
        )


def register(app: typer.Typer) -> None:
    app.command("workload")(workload)
    app.command("fail")(fail)
    app.command("data")(data)
