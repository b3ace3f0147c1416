"""The issue's end-to-end case from the CLI: on a lab, an Exchange 2007 CCR spec backs up
the passive copy; ``eseutil /mh`` and ``/k`` run against the replica on the backup system;
the active copy's logs are truncated; an instant recovery brings back exactly the mailbox
contents of the replica's instant (the passive copy at its replay point)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from apprm_ref.doors.eseutil import main as eseutil
from apprm_ref.lab.handle import LabHandle

ROOT = Path(__file__).resolve().parents[2]
SCENARIO = ROOT / "scenarios" / "exchange-2007-ccr-passive.yaml"
SG, DB = "First Storage Group", "Mailbox Database"


def _world(home: Path):  # type: ignore[no-untyped-def]
    lab = LabHandle(home).open()
    lab.close()
    return lab.world


@pytest.mark.slow
@pytest.mark.rule("VC-P20")
@pytest.mark.rule("VC-P19")
def test_ccr_passive_backup_eseutil_on_the_replica_and_ir_from_the_cli(
    home, cli, tmp_path, monkeypatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    doc = yaml.safe_load(SCENARIO.read_text())
    (tmp_path / "estate.yaml").write_text(yaml.safe_dump(doc["estate"]))
    spec = dict(doc["specs"][0])
    spec["replication"] = {**spec["replication"], "leave_backup_system_enabled": True}
    spec["application"] = {
        **spec["application"],
        "omnirc": {"OB2VSS_EXCHANGE_WRITER_STABILIZATION": 0},
    }
    (tmp_path / "spec.yaml").write_text(yaml.safe_dump(spec))

    def ok(*args: str) -> str:
        res = cli(*args)
        assert res.exit_code == 0, (args, res.stdout, res.stderr)
        return str(res.stdout)

    ok("lab", "init", "--scenario", str(tmp_path / "estate.yaml"))
    ok("spec", "create", "-f", str(tmp_path / "spec.yaml"))
    ok("lab", "workload", "EXCMS", "--commits", "48")
    world = _world(home)
    srv = world.app("EXCMS")
    expected = srv.copy_contents(SG, "passive")[DB]
    logs_before = set(srv.files("exnode1").closed_logs(srv.sg(SG), srv.sg(SG).active, 2007))
    out = ok("backup", "exch_ccr")
    assert "Completed" in out and "Replica mounted on winbk" in out

    world = _world(home)
    srv = world.app("EXCMS")
    after = set(srv.files("exnode1").closed_logs(srv.sg(SG), srv.sg(SG).active, 2007))
    assert after and after < logs_before  # the active copy's logs were truncated
    replica_edb = next(
        p
        for mp in ("D:\\", "E:\\")
        for p in world.hosts.list_files("winbk", mp)
        if p.endswith(".edb")
    )
    monkeypatch.setenv("APPRM_HOME", str(home))
    monkeypatch.setenv("APPRM_HOST", "winbk")
    capsys.readouterr()
    assert eseutil(["/mh", replica_edb]) == 0
    header = capsys.readouterr().out
    assert "     DB Signature: Create time:" in header and "Previous Full Backup:" in header
    # a shadow copy of a passive copy in replay: Dirty Shutdown, its replay point required
    assert "            State: Dirty Shutdown" in header
    assert eseutil(["/k", replica_edb]) == 0
    checked = capsys.readouterr().out
    assert "0 bad checksums" in checked and "Operation completed successfully in" in checked

    ok("lab", "workload", "EXCMS", "--commits", "24")
    ok("lab", "advance", "4h")  # the snapclones normalize
    ok("restore", "--session", "2008/03/03-1", "--method", "copy-back", "--keep-replica")
    world = _world(home)
    srv = world.app("EXCMS")
    assert srv.host == "exnode2"  # the clustered mailbox server moved to the restored node
    assert srv.data()[f"{SG}/{DB}"] == expected
