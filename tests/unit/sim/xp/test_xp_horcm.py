"""horcm.conf parsing: sections, columns, and errors that name the line."""

from __future__ import annotations

import pytest
from xp_helpers import CONF0, CONF1

from apprm_ref.errors import ConfigError
from apprm_ref.sim.xp.cci.horcm import format_horcm, parse_horcm


def test_parses_reference_example() -> None:
    conf = parse_horcm(CONF0, "/etc/horcm0.conf")
    assert (conf.ip, conf.service, conf.poll, conf.timeout) == ("localhost", "31000", 1000, 3000)
    assert conf.cmd == ["\\\\.\\CMD-64123:/dev/sd"] and conf.cmd_serials() == [64123]
    assert [(d.group, d.dev, d.serial, d.ldev, d.mu) for d in conf.group("ORA_BC")] == [
        ("ORA_BC", "data01", 64123, "01:10", 0),
        ("ORA_BC", "data02", 64123, "01:11", 0),
    ]
    assert conf.inst["ORA_BC"] == ("localhost", "31001")


def test_horcm_dev_section() -> None:
    conf = parse_horcm(
        "HORCM_MON\nlocalhost 31000 1000 3000\nHORCM_DEV\nG d1 CL1-A 0 16 1\nG d2 CL1-A-3 0 17\n"
    )
    d1, d2 = conf.devs
    assert (d1.port, d1.tid, d1.lu, d1.mu) == ("CL1-A", 0, 16, 1)
    assert (d2.port, d2.mu) == ("CL1-A-3", None)


@pytest.mark.parametrize("text", [CONF0, CONF1])
def test_format_round_trip(text: str) -> None:
    conf = parse_horcm(text)
    again = parse_horcm(format_horcm(conf))
    assert (again.ip, again.service, again.cmd, again.inst) == (
        conf.ip,
        conf.service,
        conf.cmd,
        conf.inst,
    )
    assert [(d.group, d.dev, d.serial, d.ldev, d.mu) for d in again.devs] == [
        (d.group, d.dev, d.serial, d.ldev, d.mu) for d in conf.devs
    ]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("HORCM_MON\nlocalhost 31000 1000\n", 2, "expected 4 columns"),
        ("HORCM_MON\nlocalhost 31000 fast 3000\n", 2, "poll(10ms) must be a number"),
        ("HORCM_MON\na 1 1 1\nb 2 2 2\n", 3, "one line"),
        ("HORCM_MON\na 1 1 1\nHORCM_FOO\n", 3, "unknown section"),
        ("# c\nlocalhost 31000 1000 3000\n", 2, "before any"),
        ("HORCM_MON\na 1 1 1\nHORCM_LDEV\nG d 64123 zz:10 0\n", 4, "bad CU:LDEV"),
        ("HORCM_MON\na 1 1 1\nHORCM_LDEV\nG d x 01:10 0\n", 4, "Serial# must be a number"),
        ("HORCM_MON\na 1 1 1\nHORCM_LDEV\nG d 1 01:10 99\n", 4, "MU# 99 out of range"),
        ("HORCM_MON\na 1 1 1\nHORCM_LDEV\nG d 1 01:10\nG d 1 01:11\n", 5, "defined twice"),
        ("HORCM_MON\na 1 1 1\nHORCM_DEV\nG d PORT1 0 1\n", 4, "bad port"),
        ("HORCM_MON\na 1 1 1\n\nHORCM_INST\nG localhost\n", 5, "expected 3 columns"),
    ],
)
def test_errors_name_the_line(text: str, line: int, words: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_horcm(text, "/etc/horcm9.conf")
    assert err.value.line == line and err.value.file == "/etc/horcm9.conf"
    assert words in str(err.value)
    assert f"/etc/horcm9.conf:{line}:" in str(err.value)


def test_missing_mon_is_an_error() -> None:
    with pytest.raises(ConfigError, match="no HORCM_MON"):
        parse_horcm("HORCM_CMD\n/dev/sdx\n")
