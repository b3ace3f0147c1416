"""The diskshadow interpreter: copy vs full semantics (VC-I24), writer verify/exclude,
create/expose/list output in the captured layout, exec, refused commands. Sources:
sap-vss-addendum.md VSS-11; MicrosoftDocs windowsserverdocs windows-commands/diskshadow.md,
writer.md, exec.md, end-backup.md; public captures of ``create`` output."""

from __future__ import annotations

import re

import pytest
from vsslab import app_writer, make_world, service

from apprm_ref.sim.vss.models import BackupType
from apprm_ref.sim.vss.runner import SimWindowsRunner, run_script

FULL = """set context persistent
set metadata C:\\bkp\\app.cab
begin backup
add volume E: alias AppData
add volume F:
writer verify {0b1a2c3d-0000-4000-8000-000000000001}
create
end backup
"""


def _events(world) -> list[tuple[str, BackupType]]:
    return app_writer(world).seen


@pytest.mark.rule("VC-I24")
def test_without_begin_backup_it_is_a_copy_with_no_backup_complete() -> None:
    world = make_world(eva={"default_type": "snapshot"})
    rc, out = run_script(
        service(world), "set context persistent\nadd volume E:\nadd volume F:\ncreate\n"
    )
    assert rc == 0, out
    kinds = {k for _, k in _events(world)}
    assert kinds == {BackupType.COPY}
    assert "BackupComplete" not in [e for e, _ in _events(world)]
    assert app_writer(world).truncated == []


@pytest.mark.rule("VC-I24")
def test_begin_and_end_backup_make_a_full_backup_with_backup_complete() -> None:
    world = make_world(eva={"default_type": "snapshot"})
    rc, out = run_script(service(world), FULL)
    assert rc == 0, out
    seen = [e for e, _ in _events(world)]
    assert seen[-2:] == ["BackupComplete", "BackupShutdown"]
    assert {k for _, k in _events(world)} == {BackupType.FULL}
    assert app_writer(world).truncated == ["appdb"]
    assert "C:\\BKP\\APP.CAB" in service(world).files


def test_create_prints_the_captured_layout() -> None:
    world = make_world()
    rc, out = run_script(service(world), FULL)
    assert rc == 0, out
    assert out.startswith(
        "Microsoft DiskShadow version 1.0\nCopyright (C) 2007 Microsoft Corporation\n"
    )
    assert "-> add volume E: alias AppData\n" in out
    assert re.search(
        r"Alias AppData for shadow ID \{[0-9a-f-]{36}\} set as environment variable\.", out
    )
    assert re.search(r"Alias VSS_SHADOW_1 for shadow ID \{", out)  # the unaliased F:
    assert "\t* Shadow copy ID = {" in out and "\t\t%AppData%" in out
    assert "\t\t- Original volume name: \\\\?\\Volume{" in out and "[E:\\]" in out
    assert "\t\t- Not exposed\n" in out
    assert "\t\t- Attributes:  No_Auto_Release Persistent Hardware Plex\n" in out
    assert "Number of shadow copies listed: 2\n" in out


def test_expose_and_unexpose_an_alias() -> None:
    world = make_world()
    rc, out = run_script(
        service(world),
        "set context persistent\nadd volume E: alias D1\ncreate\nexpose %D1% P:\nlist shadows all\nunexpose P:\n",
    )
    assert rc == 0, out
    assert re.search(r"-> %D1% = \{[0-9a-f-]{36}\}\n", out)
    assert "The shadow copy was successfully exposed as P:\\.\n" in out
    assert "\t\t- Exposed name: P:\\\n" in out
    assert "P:\\" not in world.hosts.host("win1").mounts


def test_writer_verify_fails_when_the_writer_is_not_included() -> None:
    world = make_world()
    script = "set context persistent\nadd volume G:\nwriter verify {0b1a2c3d-0000-4000-8000-000000000001}\ncreate\n"
    rc, out = run_script(service(world), script)
    assert rc == 1 and "is not included in the shadow copy set" in out
    assert service(world).shadows == {} and service(world).creating == ""


def test_writer_exclude_leaves_the_writer_out() -> None:
    world = make_world()
    rc, out = run_script(
        service(world),
        'begin backup\nadd volume E:\nadd volume F:\nwriter exclude "Sim App Writer"\ncreate\nend backup\n',
    )
    assert rc == 0, out
    assert _events(world) == []


def test_a_volatile_copy_is_released_when_diskshadow_exits() -> None:
    world = make_world()
    rc, out = run_script(service(world), "add volume E:\ncreate\n")
    assert rc == 0, out
    assert service(world).shadows == {}  # the default context is volatile
    assert not [v for v in world.arrays["eva1"].vdisks.values() if v.source]


def test_a_failing_exec_script_makes_diskshadow_quit() -> None:
    world = make_world()
    world.hosts.define_script("win1", "C:\\bkp\\copy.cmd", exit_code=3, output=("copying",))
    rc, out = run_script(
        service(world),
        "set context persistent\nadd volume E:\ncreate\nexec C:\\bkp\\copy.cmd\nlist providers\n",
    )
    assert rc == 1
    assert "copying\n" in out and "returned 3" in out
    assert "-> list providers" not in out
    assert len(service(world).shadows) == 1  # what it did stays done


def test_a_writer_failure_is_reported_and_nothing_is_created() -> None:
    world = make_world()
    app_writer(world).veto["Freeze"] = "VSS_E_WRITERERROR_RETRYABLE"
    rc, out = run_script(service(world), FULL)
    assert rc == 1
    assert 'Writer "Sim App Writer" experienced a transient error.' in out
    assert "VSS_E_UNEXPECTED_WRITER_ERROR" in out
    assert service(world).shadows == {}


@pytest.mark.parametrize(
    "line",
    [
        "mask {x}",
        "revert {x}",
        "begin restore",
        "set option rollbackrecover",
        "expose {x} \\\\srv\\share",
        "frobnicate",
    ],
)
def test_unsupported_commands_are_refused_not_ignored(line: str) -> None:
    world = make_world(app=False)
    before = world.digest()
    rc, out = run_script(service(world), line + "\n")
    assert rc == 1
    assert "not simulated" in out or 'Unknown command "frobnicate"' in out
    assert world.digest() == before


def test_list_writers_status_and_providers_layout() -> None:
    world = make_world()
    rc, out = run_script(service(world), "list writers status\nlist providers\n")
    assert rc == 0
    assert (
        'Listing writer status ...\n* WRITER "System Writer"\n\t- Status: 1 (VSS_WS_STABLE)\n'
        in out
    )
    assert "\t- Writer Failure code: 0x00000000 (S_OK)\n" in out
    assert "\tType: [3] VSS_PROV_HARDWARE\n\tName: HP EVA VSS HW Provider\n" in out
    assert "2 providers registered.\n" in out


@pytest.mark.rule("VC-I11")
def test_transportable_backup_imported_on_the_backup_host_through_the_cab() -> None:
    world = make_world()
    app = SimWindowsRunner(world, "win1")
    app.write_file(
        "C:\\bkp\\t.dsh",
        FULL.replace("set context persistent", "set context persistent\nset option transportable"),
    )
    rc, out, _ = app.run(["diskshadow", "/s", "C:\\bkp\\t.dsh", "/l", "C:\\bkp\\t.log"])
    assert rc == 0, out
    assert app.read_file("C:\\bkp\\t.log") == out
    bk = SimWindowsRunner(world, "winbk")
    bk.write_file(
        "C:\\i.dsh", "load metadata \\\\win1\\C$\\bkp\\app.cab\nimport\nexpose %AppData% Q:\n"
    )
    rc, out, _ = bk.run(["diskshadow.exe", "/s", "C:\\i.dsh"])
    assert rc == 0, out
    assert "Alias AppData for shadow ID {" in out and "was imported: 2 shadow copies" in out
    assert world.hosts.read_file("winbk", "Q:\\app\\data.mdf") == world.hosts.read_file(
        "win1", "E:\\app\\data.mdf"
    )


def test_interactive_input_prompts_and_goes_on_after_an_error() -> None:
    world = make_world(app=False)
    rc, out = run_script(
        service(world),
        "frobnicate\nset option noautorecover transportable\nlist providers\n",
        script=False,
    )
    assert rc == 1
    assert out.count("DISKSHADOW> ") == 3 and "-> " not in out
    assert "2 providers registered.\n" in out
