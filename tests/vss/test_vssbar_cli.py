"""The issue's end-to-end case from the CLI: on a lab with Windows hosts, a VSS spec for SQL
Server on EVA (transportable, mounted on the backup host) runs; ``vssadmin list writers`` and
``diskshadow`` run against the lab and show the writers the session left; an instant
recovery of one database brings back exactly its committed rows of the replica's instant."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "vss-sql-eva-transportable-ir.yaml"


def _digests(cli) -> dict[str, str]:  # type: ignore[no-untyped-def]
    res = cli("mssql", "databases", "sql1", "--json")
    assert res.exit_code == 0, res.stdout + res.stderr
    return {d["database"]: d["digest"] for d in json.loads(res.stdout)["databases"]}


@pytest.mark.slow  # a dozen CLI commands on one lab, each opening and saving it
@pytest.mark.rule("VC-I11")
@pytest.mark.rule("VC-I14")
def test_sql_server_vss_backup_and_one_database_ir_from_the_cli(
    home, cli, tmp_path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(SCENARIO.read_text())
    (tmp_path / "estate.yaml").write_text(yaml.safe_dump(doc["estate"]))
    spec = dict(doc["specs"][0])
    spec["replication"] = {**spec["replication"], "leave_backup_system_enabled": True}
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))

    def ok(*args: str) -> str:
        res = cli(*args)
        assert res.exit_code == 0, (args, res.stdout, res.stderr)
        return str(res.stdout)

    ok("lab", "init", "--scenario", str(tmp_path / "estate.yaml"))
    ok("spec", "create", "-f", str(tmp_path / "spec.yaml"))
    ok("lab", "workload", "sql1", "--commits", "90")
    ok("lab", "advance", "15m")
    ok("lab", "workload", "sql1", "--commits", "90")
    assert "Completed" in ok("backup", "sql_eva")
    at_backup = _digests(cli)
    shown = json.loads(ok("vss", "replicas", "--json"))["replicas"]
    assert [(r["transportable"], r["components"]) for r in shown] == [(True, "sales*, stock*, hr")]
    assert "Replica mounted on winbk" in ok("sessions", "show", "2008/03/03-1")

    from apprm_ref.doors import diskshadow, vssadmin

    monkeypatch.setenv("COMPUTERNAME", "win1")
    capsys.readouterr()
    assert vssadmin.main(["list", "writers"]) == 0
    out = capsys.readouterr().out
    assert "Writer name: 'SqlServerWriter'" in out
    sql = out.split("Writer name: 'SqlServerWriter'", 1)[1]
    assert "   State: [1] Stable\n   Last error: No error" in sql
    script = tmp_path / "ls.dsh"
    script.write_text("list writers status\n")
    assert diskshadow.main(["/s", str(script)]) == 0
    assert '* WRITER "SqlServerWriter"' in capsys.readouterr().out

    ok("lab", "fail", "dropped-table", "--app", "sql1", "--table", "hr.orders")
    ok("lab", "workload", "sql1", "--commits", "30")
    assert _digests(cli)["hr"] != at_backup["hr"]
    ok("lab", "advance", "2h")  # the snapclones normalize
    out = ok(
        "restore", "--session", "2008/03/03-1", "--method", "copy-back", "--keep-replica",
        "--component", "hr",
    )  # fmt: skip
    assert "PostRestore: hr recovered" in out
    after = _digests(cli)
    assert after["hr"] == at_backup["hr"]  # exactly hr's committed rows of the instant
    assert after["sales"] != at_backup["sales"]  # the others kept their later commits
