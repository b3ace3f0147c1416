"""``apprm sap config set|get|list|delete|check``: the SAP configuration on the cell manager
(``util_cmd -putopt/-getopt/-getconf SAP <client>%<SID>`` and ``util_sap -CHKCONF``,
oracle-sap.md §9.1)."""

from __future__ import annotations

from dataclasses import asdict

import typer

from apprm_ref.cli.app import EXIT_WARN, emit_json, new_app, table
from apprm_ref.cli.labdir import Lab, current_home, open_lab
from apprm_ref.core.integrations import sap_checks
from apprm_ref.core.integrations import sap_config as sc
from apprm_ref.core.integrations.sap import sap_driver
from apprm_ref.errors import ConfigError, NotFoundError

app = new_app("SAP R/3 integration: per-SID configuration and its checks.")
config_app = new_app("The SAP configuration of each SID on the cell manager (util_cmd).")
app.add_typer(config_app, name="config")

SUBLIST_HELP = f"the sublist the option lives in ({sc.ENVIRONMENT}: exported variables)"


@config_app.command("set")
def config_set(
    sid: str = typer.Argument(..., help="ORACLE_SID of the SAP database"),
    option: str = typer.Argument(..., help=f"one of {', '.join(sc.OPTIONS)}, or a variable"),
    value: str = typer.Argument(..., help="the value; empty deletes the option"),
    sublist: str = typer.Option(None, "--sublist", help=SUBLIST_HELP),
    host: str = typer.Option(None, "--host", help="the SAP client (needed the first time)"),
) -> None:
    """util_cmd -putopt: set one option of a SID (an empty value deletes it)."""
    sc.check_sid(sid)
    with open_lab(current_home(), save=True) as lab:
        cfg = sc.load(lab.repo, sid)
        if cfg is None:
            if not host:
                raise ConfigError(f"{sid} is not configured yet: give --host", field="--host")
            cfg = sc.SapConfig(sid, host)
        elif host and host != cfg.host:
            raise ConfigError(f"{sid} is configured on {cfg.host}, not {host}", field="--host")
        changed = sc.put_option(cfg, option, value, sublist)
        lab.repo.save_config(cfg.to_app_config())
    where = f" (sublist {sublist})" if sublist else ""
    verb = "deleted" if not value else "set"
    typer.echo(f"SAP {sid}: {option}{where} {verb}{'' if changed else ' (unchanged)'}.")
    typer.echo("*RETVAL*0")


@config_app.command("get")
def config_get(
    sid: str = typer.Argument(...),
    option: str = typer.Argument(None, help="one option (default: the whole configuration)"),
    sublist: str = typer.Option(None, "--sublist", help=SUBLIST_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """util_cmd -getopt (one option) or -getconf (the whole configuration)."""
    with open_lab(current_home()) as lab:
        cfg = sc.require(lab.repo, sid)
    if option is not None:
        got = sc.get_option(cfg, option, sublist)
        if as_json:
            emit_json({"sid": sid, "option": option, "sublist": sublist, "value": got})
        else:
            typer.echo(got)
        return
    shown = cfg.shown()
    if as_json:
        emit_json(shown)
        return
    typer.echo(f"{sid} on {cfg.host}")
    for name, val in shown["options"].items():
        typer.echo(f"  {name:<22}{val}")
    for name, val in cfg.environment.items():
        typer.echo(f"  {sc.ENVIRONMENT}/{name:<10}{val}")


@config_app.command("list")
def config_list(as_json: bool = typer.Option(False, "--json")) -> None:
    """Every configured SID."""
    with open_lab(current_home()) as lab:
        rows = [sc.SapConfig.from_app_config(c) for c in lab.repo.list_configs(sc.KIND)]
    if as_json:
        emit_json([r.shown() for r in rows], key="configs")
    elif not rows:
        typer.echo("No SAP configurations.")
    else:
        body = [
            [r.sid, r.host, r.get("SAPDATA_HOME") or "-", str(len(r.environment))] for r in rows
        ]
        typer.echo(table(["SID", "Client", "SAPDATA_HOME", "Env"], body))


@config_app.command("delete")
def config_delete(sid: str = typer.Argument(...)) -> None:
    """Remove a SID's whole configuration (``set SID OPTION ''`` removes one option)."""
    with open_lab(current_home(), save=True) as lab:
        lab.repo.delete_config(sc.KIND, sid)
    typer.echo(f"SAP configuration of {sid} deleted.")


def run_checks(lab: Lab, sid: str) -> list[sap_checks.Check]:
    cfg = sc.require(lab.repo, sid)
    drivers = lab.drivers()
    ora = drivers.apps.get(sid)
    if ora is None:
        raise NotFoundError(f"no Oracle database {sid!r} in this estate")
    checks = sap_checks.oracle_checks(cfg, ora)
    checks.append(sap_checks.ir_layout_check(cfg, ora, drivers.host))
    try:
        sap = sap_driver(drivers, sid)
    except ConfigError:
        detail = f"no SAP system {sid} (BR*Tools) in this estate"
        return [*checks, sap_checks.Check("SAP", "BR*Tools", False, detail)]
    return checks + sap_checks.sap_checks(cfg, sap)


@config_app.command("check")
def config_check(
    sid: str = typer.Argument(..., help="ORACLE_SID"), as_json: bool = typer.Option(False, "--json")
) -> None:
    """util_sap -CHKCONF: the Oracle and SAP checks; exit 0 all passed, 1 with failures."""
    with open_lab(current_home()) as lab:
        checks = run_checks(lab, sid)
    failed = [c for c in checks if not c.ok]
    if as_json:
        emit_json({"sid": sid, "checks": [asdict(c) for c in checks], "passed": not failed})
    else:
        for c in checks:
            typer.echo(f"{c.side:<7}{c.name:<17}{'passed' if c.ok else 'FAILED'}  {c.detail}")
        typer.echo(f"*RETVAL*{0 if not failed else 1}")
    if failed:
        raise typer.Exit(EXIT_WARN)
