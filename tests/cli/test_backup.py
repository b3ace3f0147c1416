"""End to end over separate invocations: lab init, spec create, backup, sessions, replicas."""

from __future__ import annotations

import pytest

from .conftest import doc, one_error_line

SPEC = """\
name: fs1
type: filesystem
application_system: app1
backup_system: bk1
array: eva1
objects: [/data]
"""


@pytest.fixture
def spec_file(tmp_path):  # type: ignore[no-untyped-def]
    path = tmp_path / "fs1.yaml"
    path.write_text(SPEC)
    return path


@pytest.fixture
def with_spec(lab, cli, spec_file):  # type: ignore[no-untyped-def]
    res = cli("spec", "create", "--file", str(spec_file))
    assert res.exit_code == 0, res.stdout + res.stderr
    return lab


def test_spec_create_list_show_delete(with_spec, cli, spec_file):
    assert doc(cli("spec", "list", "--json").stdout)[0]["name"] == "fs1"
    shown = doc(cli("spec", "show", "fs1", "--json").stdout)
    assert shown["objects"] == ["/data"] and shown["backup_system"] == "bk1"
    assert "application_system: app1" in cli("spec", "show", "fs1").stdout
    one_error_line(cli("spec", "create", "--file", str(spec_file)), "already exists")
    assert cli("spec", "delete", "fs1").exit_code == 0
    assert cli("spec", "list").stdout.strip() == "No backup specifications."


def test_spec_create_inline(lab, cli):
    res = cli(
        "spec",
        "create",
        "--name",
        "fs2",
        "--host",
        "app1",
        "--backup-host",
        "bk1",
        "--array",
        "eva1",
        "--object",
        "/data",
    )
    assert res.exit_code == 0, res.stderr
    assert doc(cli("spec", "show", "fs2", "--json").stdout)["application_system"] == "app1"


def test_spec_create_bad_input(lab, cli, tmp_path):
    one_error_line(cli("spec", "create", "--name", "x"), "missing --host, --array")
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    one_error_line(cli("spec", "create", "--file", str(bad)), "not valid YAML")
    bad.write_text(SPEC.replace("array: eva1", "array: eva1\ncolour: red"))
    one_error_line(cli("spec", "create", "--file", str(bad)), "colour")
    bad.write_text(SPEC.replace("eva1", "nosuch"))
    one_error_line(cli("spec", "create", "--file", str(bad)), "nosuch")
    one_error_line(cli("spec", "create", "--file", str(tmp_path / "none.yaml")), "no such file")


def test_three_invocations_show_the_completed_session(with_spec, cli):
    res = cli("backup", "fs1")
    assert res.exit_code == 0, res.stdout + res.stderr
    sid = res.stdout.strip().splitlines()[-1].split()[1]
    assert res.stdout.strip().endswith(f"Session {sid} Completed.")
    listed = cli("sessions", "list")
    assert listed.exit_code == 0
    row = [line for line in listed.stdout.splitlines() if line.startswith(sid)]
    assert row and row[0].split()[1:3] == ["Backup", "Completed"]
    data = doc(cli("sessions", "list", "--json").stdout)
    assert [(d["id"], d["status"]) for d in data] == [(sid, "Completed")]
    assert cli("stat").stdout == "No currently running sessions.\n"


def test_session_ids_continue_across_invocations(with_spec, cli):
    ids = []
    for _ in range(2):
        res = cli("backup", "fs1", "--json")
        assert res.exit_code == 0, res.stderr
        ids.append(doc(res.stdout)["id"])
    day = ids[0].rsplit("-", 1)[0]
    assert ids == [f"{day}-1", f"{day}-2"]


def test_replicas_list_show_check(with_spec, cli):
    sid = doc(cli("backup", "fs1", "--json").stdout)["id"]
    reps = doc(cli("replicas", "list", "--json").stdout)
    assert len(reps) == 1 and reps[0]["session_id"] == sid and reps[0]["spec"] == "fs1"
    rid = reps[0]["id"]
    shown = doc(cli("replicas", "show", rid, "--json").stdout)
    assert shown["targets"] and shown["array"] == "eva1"
    assert rid in cli("replicas", "list", "--array", "eva1").stdout
    res = cli("replicas", "check")
    assert res.exit_code == 0, res.stdout
    assert doc(cli("replicas", "check", "--json").stdout) == []


def test_restore_from_session(with_spec, cli):
    sid = doc(cli("backup", "fs1", "--json").stdout)["id"]
    res = cli("restore", "--session", sid, "--json")
    assert res.exit_code in (0, 1), res.stdout + res.stderr
    data = doc(res.stdout)
    assert data["type"] == "Restore"
    assert doc(cli("sessions", "show", data["id"], "--json").stdout)["id"] == data["id"]


def test_restore_bad_options(with_spec, cli):
    one_error_line(cli("restore", "--session", "x", "--method", "teleport"), "unknown method")
    one_error_line(
        cli("restore", "--session", "x", "--until-scn", "5", "--now"), "choose one recovery target"
    )
    one_error_line(cli("restore", "--session", "2000/01/01-1"), "no replica recorded")


def test_failed_backup_exit_code(with_spec, cli):
    assert cli("lab", "fault", "arm", "eva.*", "--times", "0", "--code", "EVA_FAIL").exit_code == 0
    res = cli("backup", "fs1", "--json")
    assert res.exit_code == 2, res.stdout + res.stderr
    assert doc(res.stdout)["status"] == "Failed"


def test_replica_delete_and_purge(with_spec, cli):
    cli("backup", "fs1")
    rid = doc(cli("replicas", "list", "--json").stdout)[0]["id"]
    res = cli("replicas", "delete", rid, "--force")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert cli("replicas", "list").stdout.strip() == "No replicas."
    gone = doc(cli("replicas", "list", "--all", "--json").stdout)
    assert [(r["id"], r["status"]) for r in gone] == [(rid, "deleted")]
    one_error_line(cli("replicas", "delete", rid), "already deleted")
    assert doc(cli("replicas", "purge", "--json").stdout) == {
        "removed": [],
        "remaining": [],
        "problems": {},
    }
    assert doc(cli("replicas", "check", "--json").stdout) == []


def test_replicas_check_finds_orphans(with_spec, cli):
    from apprm_ref.core.records import ReplicaStatus
    from apprm_ref.idb.engine import file_url, make_engine
    from apprm_ref.idb.repository import SqlRepository

    cli("backup", "fs1")
    repo = SqlRepository(make_engine(file_url(with_spec / "idb.sqlite")))
    rep = repo.list_replicas()[0]
    rep.status = ReplicaStatus.DELETED  # the IDB forgets it; the array still has the targets
    repo.update_replica(rep)
    repo.engine.dispose()
    res = cli("replicas", "check", "--json")
    assert res.exit_code == 1
    found = doc(res.stdout)
    assert sorted(f["volume"] for f in found) == sorted(t.target.volume for t in rep.targets)
    assert {f["kind"] for f in found} == {"orphan"}


def test_spec_create_refuses_unknown_systems_and_saves_nothing(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    for old, new, field in (
        ("application_system: app1", "application_system: nohost", "application_system"),
        ("backup_system: bk1", "backup_system: nobk", "backup_system"),
    ):
        bad = tmp_path / "bad.yaml"
        bad.write_text(SPEC.replace(old, new))
        one_error_line(cli("spec", "create", "--file", str(bad)), f"{field}: no host named")
    assert cli("spec", "list").stdout.strip() == "No backup specifications."


def test_spec_delete_force_deletes_its_replicas_from_the_array(with_spec, cli):  # type: ignore[no-untyped-def]
    assert cli("backup", "fs1").exit_code == 0
    one_error_line(cli("spec", "delete", "fs1"), "still has replicas")
    res = cli("spec", "delete", "fs1", "--force")
    assert res.exit_code == 0, res.stderr
    assert "Replica fs1#1 deleted." in res.stdout
    replicas = doc(cli("replicas", "list", "--json").stdout)
    assert all(r["status"] == "deleted" for r in replicas), replicas
    check = cli("replicas", "check", "--json")
    assert check.exit_code == 0, check.stdout


def test_spec_create_refuses_unknown_objects_and_saves_nothing(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    """A spec naming a path on no mounted filesystem is refused on ``objects`` (issue: it
    used to be saved and fail only when the first session ran)."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(SPEC.replace("objects: [/data]", "objects: [/nowhere]"))
    res = cli("spec", "create", "--file", str(bad))
    one_error_line(res, "objects.0: /nowhere is not in a filesystem mounted on app1")
    assert cli("spec", "list").stdout.strip() == "No backup specifications."
