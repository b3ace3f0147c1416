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
