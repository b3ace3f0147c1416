"""The lab store: a lab from before it migrates on first open, a refused console command
saves nothing, a failed command rolls back world and IDB together, a dead command's
journal is reconciled by the next one (REL-I2, OPS-I1, REL-I4)."""

from __future__ import annotations

import json
import os
import sqlite3

import pytest

from apprm_ref.doors.cci import main as cci_main
from apprm_ref.lab.handle import LabHandle
from apprm_ref.lab.journal import JOURNAL, Journal, JournalSession

from .conftest import doc, one_error_line
from .integrity import EVA_SPEC, check_lab, ok, sessions


def _world(home):  # type: ignore[no-untyped-def]
    lab = LabHandle(home).open()
    lab.close()
    return lab.world


def _generation(home) -> int:  # type: ignore[no-untyped-def]
    with sqlite3.connect(home / "idb.sqlite") as db:
        return int(db.execute("SELECT generation FROM lab_world").fetchone()[0])


@pytest.mark.rule("REL-I2")
def test_a_lab_with_world_json_is_migrated_on_first_open(lab, cli):  # type: ignore[no-untyped-def]
    ok(cli("lab", "advance", "1h"))
    world = _world(lab)
    (lab / "world.json").write_bytes(world.to_bytes())  # as a lab saved before the store
    with sqlite3.connect(lab / "idb.sqlite") as db:
        db.execute("DELETE FROM lab_world")
    assert "(+0s)" not in ok(cli("lab", "show")).stdout  # a reader reads world.json as it is
    assert (lab / "world.json").exists()
    ok(cli("lab", "advance", "1h"))  # the first writer moves it into the database
    assert not (lab / "world.json").exists()
    assert _world(lab).now() == world.now() + 3600


@pytest.mark.rule("REL-I4")
@pytest.mark.rule("OPS-I1")
def test_a_refused_console_command_saves_nothing(lab, cli, monkeypatch, capsys):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HORCMINST", "0")
    monkeypatch.setenv("HORCC_MRCF", "1")
    now, gen = _world(lab).now(), _generation(lab)
    # out of range: refused with its limit (EX_INVARG), before the wait could move the clock
    assert cci_main(["pairevtwait", "-g", "XP1_MU0", "-s", "psus", "-t", "1e300"]) == 253
    assert "[EX_INVARG]" in capsys.readouterr().err
    assert (_world(lab).now(), _generation(lab)) == (now, gen)
    assert cci_main(["pairsplit", "-g", "XP1_MU0"]) == 0  # a command that succeeds commits
    assert _generation(lab) == gen + 1
    assert _world(lab).arrays["xp1"].pairs  # and the lab still opens
    ok(cli("lab", "show"))


@pytest.mark.rule("OPS-I1")
def test_a_failed_command_keeps_neither_world_nor_idb(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    ok(cli("spec", "create", *EVA_SPEC))
    gen = _generation(lab)
    bad = tmp_path / "specs.yaml"
    good = {"name": "ok1", "type": "filesystem", "application_system": "app1",
            "backup_system": "bk1", "array": "eva1", "objects": ["/data"]}  # fmt: skip
    bad.write_text(json.dumps([good, {**good, "name": "bad", "array": "nowhere"}]))
    res = cli("spec", "create", "--file", str(bad))
    assert res.exit_code == 2
    assert _generation(lab) == gen  # nothing committed
    names = [s["name"] for s in doc(ok(cli("spec", "list", "--json")).stdout)]
    assert names == ["fs_eva"]


@pytest.mark.rule("REL-I2")
@pytest.mark.rule("OPS-I2")
def test_the_next_command_ends_a_dead_commands_sessions_aborted(lab, cli):  # type: ignore[no-untyped-def]
    journal = Journal(lab)
    journal.start("apprm backup fs_eva", _generation(lab))
    journal.add_session(JournalSession("2008/03/03-1", "Backup", "fs_eva", 12.0))
    assert (lab / JOURNAL).exists()
    res = ok(cli("sessions", "list", "--json"))  # a reader repairs a lab no writer holds
    assert "session 2008/03/03-1 ended Aborted" in res.stderr
    (s,) = doc(res.stdout)
    assert (s["id"], s["status"], s["spec"]) == ("2008/03/03-1", "Aborted", "fs_eva")
    shown = ok(cli("sessions", "show", "2008/03/03-1")).stdout
    assert f"pid {os.getpid()}, 'apprm backup fs_eva'" in shown and "rolled back" in shown
    assert not (lab / JOURNAL).exists()
    check_lab(cli)
    ok(cli("spec", "create", *EVA_SPEC))
    nxt = doc(ok(cli("backup", "fs_eva", "--json")).stdout)["id"]
    assert nxt == "2008/03/03-2"  # the aborted session's ID stays taken
    assert [x["id"] for x in sessions(cli)] == ["2008/03/03-1", "2008/03/03-2"]


def test_readers_refuse_to_write(lab):  # type: ignore[no-untyped-def]
    from apprm_ref.core.records import AppConfig
    from apprm_ref.errors import IdbError

    reader = LabHandle(lab).open()
    try:
        with pytest.raises(IdbError):
            reader.store.repo.save_config(AppConfig(kind="oracle", name="X", host="h", data={}))
    finally:
        reader.close()


def test_bad_wait_is_refused(lab, cli):  # type: ignore[no-untyped-def]
    one_error_line(cli("--wait", "1e9", "lab", "advance", "1h"), "--wait")


@pytest.mark.rule("REL-I3")
def test_the_journal_records_no_option_values() -> None:
    from apprm_ref.lab.lock import command_line

    argv = [
        "/venv/bin/apprm",
        "--home",
        "/l",
        "oracle",
        "config",
        "set",
        "--password-ref",
        "env:S3CRET",
    ]
    assert command_line(argv) == "apprm oracle config set ..."
    assert command_line(["apprm", "backup", "fs_eva", "--json"]) == "apprm backup fs_eva ..."


@pytest.mark.rule("REL-I2")
def test_a_held_idb_call_that_fails_undoes_only_itself(lab, cli):  # type: ignore[no-untyped-def]
    from apprm_ref.core.specs import parse_spec
    from apprm_ref.errors import NotFoundError

    good = {"name": "held1", "type": "filesystem", "application_system": "app1",
            "backup_system": "bk1", "array": "eva1", "objects": ["/data"]}  # fmt: skip
    writer = LabHandle(lab, write=True).open()
    try:
        repo = writer.store.repo
        repo.save_spec(parse_spec(good))
        with pytest.raises(NotFoundError):
            repo.delete_spec("nothing")  # its savepoint is rolled back, not the transaction
        assert repo.get_spec("held1").name == "held1"
        assert ok(cli("spec", "list")).stdout.strip() == "No backup specifications."
    finally:
        writer.close()  # never committed: nothing of it is left
    assert ok(cli("spec", "list")).stdout.strip() == "No backup specifications."
