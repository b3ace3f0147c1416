"""``apprm oracle config/check`` (``util_oracle8.pl -config`` / ``-chkconf``) and
``apprm oracle end-backup`` (the DBA's repair of a database left in backup mode)."""

from __future__ import annotations

import sys
from dataclasses import asdict
from typing import Any

import typer

from apprm_ref import credentials
from apprm_ref.cli.app import EXIT_WARN, emit_json, new_app, table
from apprm_ref.cli.labdir import Lab, current_home, open_lab
from apprm_ref.core.integrations import oracle_config as oc
from apprm_ref.core.integrations import oracle_repair as repair
from apprm_ref.errors import ConfigError, NotFoundError

app = new_app("Oracle integration: per-database configuration and its checks.")
config_app = new_app("Configure Oracle databases for ZDB (util_oracle8.pl -config).")
app.add_typer(config_app, name="config")


REF_HELP = "credential reference: env:NAME, file:/path or keyring:service/user (validated)"


def _password(stdin: bool) -> str | None:
    if stdin:
        text = sys.stdin.readline().rstrip("\r\n")
        if not text:
            raise ConfigError("no password on standard input", field="--password-stdin")
        return text
    return None


def _no_stray_arguments(ctx: typer.Context) -> None:
    """A word after the options (``--password-stdin PW``) is refused without echoing it:
    it may be the password typed where it does not belong."""
    if ctx.args:
        raise ConfigError(
            f"{len(ctx.args)} unexpected argument(s) or unknown option(s), not shown (one may "
            "be a password); --password-stdin reads the password from standard input",
            field="oracle config set",
        )


def config_dict(cfg: oc.OracleConfig) -> dict[str, Any]:
    """The stored record as shown: credentials masked to their kind, never revealed."""
    data = cfg.to_app_config().data
    return {
        "sid": cfg.sid,
        "host": cfg.host,
        **{k: v for k, v in data.items() if k not in ("target", "catalog")},
        "target": cfg.target.shown(),
        "catalog": None if cfg.catalog is None else cfg.catalog.shown(),
    }


@config_app.command(
    "set", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
)
def config_set(
    ctx: typer.Context,
    sid: str = typer.Argument(..., help="database SID"),
    host: str = typer.Option(..., "--host", help="application system"),
    oracle_home: str = typer.Option(..., "--oracle-home"),
    user: str = typer.Option("system", "--user", help="primary (target) database user"),
    service: str = typer.Option("", "--service", help="net service of the target database"),
    password_ref: str = typer.Option(None, "--password-ref", help=REF_HELP),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="read the password from stdin; stored encrypted"
    ),
    catalog_user: str = typer.Option(None, "--catalog-user", help="recovery catalog user"),
    catalog_password_ref: str = typer.Option(None, "--catalog-password-ref", help=REF_HELP),
    catalog_service: str = typer.Option("", "--catalog-service"),
    ctlcp_location: str = typer.Option(None, "--ctlcp-location", help="control file copy dir"),
    tmp_dir: str = typer.Option(oc.DEFAULT_TMP_DIR, "--tmp-dir"),
) -> None:
    """Store (or replace) the configuration of one database. Prefer a reference (nothing
    secret is stored); a password on stdin is stored encrypted with the lab's key file
    (secret.key, mode 0600), which never leaves the lab."""
    _no_stray_arguments(ctx)
    if password_ref and password_stdin:
        raise ConfigError("give --password-ref or --password-stdin, not both", field="password")
    secret = _password(password_stdin)
    home = current_home()
    with open_lab(home, save=True) as lab:  # the lab first: its key file is made only in a lab
        cfg = oc.make_config(
            sid=sid,
            host=host,
            oracle_home=oracle_home,
            user=user,
            password=secret,
            password_ref=password_ref,
            service=service,
            catalog_user=catalog_user,
            catalog_password=secret if catalog_user and not catalog_password_ref else None,
            catalog_password_ref=catalog_password_ref if catalog_user else None,
            catalog_service=catalog_service,
            ctlcp_location=ctlcp_location,
            tmp_dir=tmp_dir,
            seal=lambda password: credentials.encrypt(password, home),
        )
        lab.repo.save_config(cfg.to_app_config())
    typer.echo(f"Oracle configuration of {sid} on {host} saved.")


def _load(lab: Lab, sid: str) -> oc.OracleConfig:
    cfg = oc.load_config(lab.repo, sid)
    if cfg is None:
        raise NotFoundError(f"no Oracle configuration for {sid!r} (apprm oracle config set)")
    return cfg


@config_app.command("show")
def config_show(
    sid: str = typer.Argument(...), as_json: bool = typer.Option(False, "--json")
) -> None:
    """One database's configuration (passwords masked)."""
    with open_lab(current_home()) as lab:
        d = config_dict(_load(lab, sid))
    if as_json:
        emit_json(d)
        return
    for key in sorted(d):
        typer.echo(f"{key:<15}: {d[key]}")


@config_app.command("list")
def config_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every configured database."""
    with open_lab(current_home()) as lab:
        rows = [
            config_dict(oc.OracleConfig.from_app_config(c)) for c in lab.repo.list_configs("oracle")
        ]
    if as_json:
        emit_json(rows, key="configs")
    elif not rows:
        typer.echo("No Oracle configurations.")
    else:
        body = [[r["sid"], r["host"], r["oracle_home"], r["target"]["user"]] for r in rows]
        typer.echo(table(["SID", "Host", "Oracle home", "User"], body))


@config_app.command("delete")
def config_delete(sid: str = typer.Argument(...)) -> None:
    """Remove a database's configuration."""
    with open_lab(current_home(), save=True) as lab:
        lab.repo.delete_config("oracle", sid)
    typer.echo(f"Oracle configuration of {sid} deleted.")


def _spec_for(lab: Lab, sid: str, spec_name: str | None) -> Any:
    if spec_name:
        return lab.repo.get_spec(spec_name)
    for spec in lab.repo.list_specs():
        if spec.type == "oracle" and spec.objects[:1] == [sid]:
            return spec
    return None


def run_checks(lab: Lab, sid: str, spec_name: str | None) -> dict[str, Any]:
    """Configuration present, database reachable and its mode, IR layout check."""
    cfg = _load(lab, sid)
    drivers = lab.drivers()
    drv = drivers.apps.get(sid)
    if drv is None:
        raise NotFoundError(f"no Oracle database {sid!r} in this estate")
    info = drv.database()
    warnings: list[str] = []
    if info.log_mode != "ARCHIVELOG":
        warnings.append(f"{info.log_mode}: online ZDB is impossible (ORA-01123)")
    if info.status != "OPEN":
        warnings.append(f"database is {info.status}, not OPEN")
    spec = _spec_for(lab, sid, spec_name)
    opts = oc.parse_options(spec.application if spec else {}, spec_name=spec.name if spec else sid)
    problems = oc.ir_problems(
        drv.file_layout(), lambda p: drivers.host.volumes_under(cfg.host, p), opts
    )
    stuck = repair.files_in_backup_mode(drv)
    return {
        "sid": sid,
        "host": cfg.host,
        "spec": spec.name if spec else None,
        "status": info.status,
        "log_mode": info.log_mode,
        "open_mode": info.open_mode,
        "ir_problems": problems,
        "backup_mode": stuck,
        "warnings": warnings,
    }


@app.command("check")
def check(
    sid: str = typer.Argument(..., help="database SID"),
    spec: str = typer.Option(None, "--spec", help="spec whose options apply (default: found)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """util_oracle8.pl -chkconf: exit 0 ready, 1 with warnings, IR problems or datafiles
    left in backup mode (OPS-I2: every later online backup would fail with ORA-01146)."""
    with open_lab(current_home()) as lab:
        res = run_checks(lab, sid, spec)
    if as_json:
        emit_json(res)
    else:
        typer.echo(f"Configuration of {sid} on {res['host']}: found")
        typer.echo(f"Database {sid}: {res['status']}, {res['log_mode']}, {res['open_mode']}")
        for w in res["warnings"]:
            typer.echo(f"Warning: {w}")
        if res["ir_problems"]:
            for p in res["ir_problems"]:
                typer.echo(f"IR configuration check: {p}")
        else:
            typer.echo("IR configuration check: passed")
        if res["backup_mode"]:
            typer.echo(f"Datafiles in backup mode: {', '.join(res['backup_mode'])}")
            typer.echo(f"  end it with: apprm oracle end-backup {sid}")
        else:
            typer.echo("Backup mode: no datafile in backup mode")
    if res["warnings"] or res["ir_problems"] or res["backup_mode"]:
        raise typer.Exit(EXIT_WARN)


@app.command("end-backup")
def end_backup(
    sid: str = typer.Argument(..., help="database SID"),
    open_after: bool = typer.Option(
        True, "--open/--no-open", help="open the database afterwards if it is not open"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """ALTER DATABASE END BACKUP: take every datafile out of backup mode, also after a crash."""
    with open_lab(current_home(), save=True) as lab:
        drv = lab.drivers().apps.get(sid)
        if drv is None:
            raise NotFoundError(f"no Oracle database {sid!r} in this estate")
        done = repair.end_backup_mode(drv, open_after=open_after)
    res = {"sid": sid, **asdict(done), "ended": list(done.ended)}
    if as_json:
        emit_json(res)
        return
    if res["was"] in ("SHUTDOWN", "STARTED"):
        typer.echo(f"Database {sid}: instance was {res['was']}; mounted")
    if res["ended"]:
        names = ", ".join(res["ended"])
        typer.echo(f"ALTER DATABASE END BACKUP: out of backup mode: {names}")
    else:
        typer.echo(f"Database {sid}: no datafile in backup mode")
    if res["opened"]:
        typer.echo(f"Database {sid} opened")
