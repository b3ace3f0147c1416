"""``<lab>/apprm.toml``: the lab's defaults; unknown keys and bad values refused at file:line."""

from __future__ import annotations

import pytest

from .conftest import doc, one_error_line


def _write(lab, text: str) -> None:  # type: ignore[no-untyped-def]
    (lab / "apprm.toml").write_text(text)


def test_settings_give_the_defaults_the_command_line_leaves_out(lab, cli):
    ok = cli("spec", "create", "--name", "fs1", "--host", "app1", "--backup-host", "bk1",
             "--array", "eva1", "--object", "/data")  # fmt: skip
    assert ok.exit_code == 0, ok.stderr
    assert cli("backup", "fs1").exit_code == 0
    _write(lab, 'report = "warning"\njson_indent = 0\nwait = 1.5\n')
    res = cli("sessions", "show", "2008/03/03-1", "--json")
    assert res.stdout.count("\n") == 1  # json_indent = 0: one line
    assert doc(res.stdout)["messages"] == []  # report = "warning": no Normal messages
    shown = doc(cli("sessions", "show", "2008/03/03-1", "--json", "--report", "normal").stdout)
    assert shown["messages"]  # the command line wins


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ('wait = 2\n\ncolour = "red"\n', "apprm.toml:3: unknown setting 'colour'"),
        ("[ui]\nwait = 1\n", "apprm.toml:1: unknown setting 'ui'"),
        ("wait = -1\n", "apprm.toml:1: wait: must be between 0 and 86400 seconds"),
        ('report = "loud"\n', "apprm.toml:1: report: must be normal, warning"),
        ("json_indent = 99\n", "apprm.toml:1: json_indent: must be an integer from 0 to 8"),
        ("wait =\n", "not valid TOML"),
    ],
)
def test_bad_settings_are_refused_with_file_and_line(lab, cli, text, error):
    _write(lab, text)
    one_error_line(cli("stat"), error)
