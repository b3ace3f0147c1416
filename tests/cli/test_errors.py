"""Bad input: one clear line on stderr and exit 2, never a traceback."""

from __future__ import annotations

import pytest

from .conftest import one_error_line


def test_unknown_command(home, cli):
    one_error_line(cli("nosuch"), "No such command")


def test_missing_argument(lab, cli):
    one_error_line(cli("lab", "advance"), "Missing argument")


def test_unknown_option(lab, cli):
    one_error_line(cli("stat", "--frobnicate"), "No such option")


def test_missing_things_are_one_line(lab, cli):
    one_error_line(cli("spec", "show", "X"), "spec 'X' not found")
    one_error_line(cli("spec", "delete", "X"), "spec 'X' not found")
    one_error_line(cli("replicas", "show", "X#1"), "replica 'X#1' not found")
    one_error_line(cli("backup", "X"), "spec 'X' not found")


def test_help_exits_zero(home, cli):
    res = cli("--help")
    assert res.exit_code == 0
    for group in ("lab", "spec", "backup", "restore", "stat", "sessions", "replicas", "fidelity"):
        assert group in res.stdout


def test_main_exits_with_code(home, monkeypatch, capsys):
    from apprm_ref.cli.main import main

    monkeypatch.setattr("sys.argv", ["apprm", "sessions", "list"])
    with pytest.raises(SystemExit) as exc:
        main()
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("apprm: error: no lab at") and err.count("\n") == 1


def test_json_errors_are_json_on_stderr_with_the_same_exit_code(home, cli):  # type: ignore[no-untyped-def]
    import json

    res = cli("sessions", "list", "--json")
    assert res.exit_code == 2 and res.stdout == ""
    err = json.loads(res.stderr)["error"]
    assert err["code"] == "NotFoundError" and "no lab at" in err["message"]
    res = cli("lab", "advance", "soon", "--json")
    assert res.exit_code == 2
    assert json.loads(res.stderr)["error"]["code"] == "UsageError"


def test_version(cli):  # type: ignore[no-untyped-def]
    from importlib.metadata import version

    res = cli("--version")
    assert res.exit_code == 0 and res.stdout.strip() == f"apprm-ref {version('apprm-ref')}"


def test_shell_completion_completes_commands():  # type: ignore[no-untyped-def]
    """``apprm --show-completion bash`` prints a script; completion answers with commands."""
    import os
    import subprocess

    script = subprocess.run(
        ["apprm", "--show-completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    assert "complete" in script and "_APPRM_COMPLETE" in script
    env = dict(os.environ, _APPRM_COMPLETE="complete_bash", COMP_WORDS="apprm replicas ch")
    env["COMP_CWORD"] = "2"
    out = subprocess.run(["apprm"], capture_output=True, text=True, env=env).stdout
    assert out.split() == ["check"]
