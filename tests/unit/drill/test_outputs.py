"""Trace canonical form and digest, replay diff, JUnit and HTML report on synthetic results."""

from __future__ import annotations

import enum
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from apprm_ref.drill.junit import junit_xml
from apprm_ref.drill.report import report_html
from apprm_ref.drill.result import (
    DrillResult,
    ExpectationResult,
    Marker,
    ReplicaRow,
    RestoreRow,
    SessionRow,
)
from apprm_ref.drill.trace import Trace, canonical, first_difference, read_trace
from apprm_ref.errors import ConfigError


class Colour(enum.Enum):
    RED = "red"


@dataclass
class Thing:
    a: int
    b: tuple[str, ...]


def _trace() -> Trace:
    t = Trace({"scenario": "s.yaml", "scenario_sha256": "ab", "seed": 3, "name": "s"})
    t.record(0.0, "step", kind="backup", spec="fs")
    t.record(12.5, "world", kind="eva.snapclone", data={"z": 1, "a": {"y", "x"}})
    return t


def test_canonical_values_are_stable() -> None:
    assert canonical({"b": Colour.RED, "a": Thing(1, ("x",))}) == {
        "a": {"a": 1, "b": ["x"]},
        "b": "red",
    }
    assert canonical(2.0) == 2 and canonical(1 / 3) == 0.333333
    assert " at 0x" not in canonical(object())


def test_trace_lines_sorted_and_digest_ignores_header() -> None:
    t = _trace()
    assert (
        t.lines[1]
        == '{"data":{"a":["x","y"],"z":1},"kind":"eva.snapclone","t":12.5,"type":"world"}'
    )
    other = _trace()
    other.header["scenario"] = "/elsewhere/s.yaml"
    assert other.digest == t.digest
    other.record(13, "step", kind="mark")
    assert other.digest != t.digest


def test_trace_round_trip(tmp_path: Path) -> None:
    t = _trace()
    t.write(tmp_path / "t.jsonl")
    back = read_trace(tmp_path / "t.jsonl")
    assert back.header == t.header and back.lines == t.lines and back.digest == t.digest


def test_read_trace_rejects_non_trace(tmp_path: Path) -> None:
    (tmp_path / "x.jsonl").write_text('{"type":"world"}\n')
    with pytest.raises(ConfigError, match="header"):
        read_trace(tmp_path / "x.jsonl")


def test_first_difference_finds_changed_and_missing_events() -> None:
    a = ["1", "2", "3"]
    assert first_difference(a, list(a)) is None
    d = first_difference(a, ["1", "X", "3"])
    assert d is not None and (d.index, d.expected, d.actual) == (1, "2", "X")
    assert "trace line 3" in d.describe()
    d = first_difference(a, ["1", "2"])
    assert d is not None and (d.index, d.actual) == (2, None)


def _result(passed: bool = True) -> DrillResult:
    r = DrillResult("demo", "scenarios/demo.yaml", 1, 7200.0, trace=_trace())
    r.sessions = [
        SessionRow("2008/03/03-1", "Backup", "fs", "Completed", 0.0, 60.0, "fs#1", (10.0, 12.0)),
        SessionRow("2008/03/03-2", "Restore", "fs", "Completed", 3600.0, 3700.0),
    ]
    r.replicas = [ReplicaRow("fs#1", "fs", "2008/03/03-1", "snapclone", "active", 11.0)]
    r.restores = [
        RestoreRow(
            "2008/03/03-2",
            "fs",
            "fs#1",
            "copy-back",
            "Completed",
            3600.0,
            3700.0,
            3000.0,
            11.0,
            700.0,
            2989.0,
        )
    ]
    r.markers = [Marker(3000.0, "fail", "lost_volume <x>")]
    r.expectations = [
        ExpectationResult("rto <= 1h", "rto", True, "<= 1h", "700s"),
        ExpectationResult("sessions of fs", "sessions", passed, "Completed", "Failed", line=30),
    ]
    return r


def test_junit_has_one_testcase_per_expectation() -> None:
    root = ET.fromstring(junit_xml(_result(passed=False)))
    suite = root.find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    cases = suite.findall("testcase")
    assert [c.get("name") for c in cases] == ["rto <= 1h", "sessions of fs"]
    fail = cases[1].find("failure")
    assert fail is not None and "scenarios/demo.yaml:30" in (fail.text or "")
    assert cases[0].find("failure") is None


def test_report_is_self_contained_html_with_svg_and_escaping() -> None:
    html = report_html(_result())
    assert html.startswith("<!DOCTYPE html>") and "<svg" in html and "</svg>" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "lost_volume &lt;x&gt;" in html and "PASSED" in html
    assert "fs#1" in html and _result().digest in html
    ET.fromstring(html[html.index("<svg") : html.index("</svg>") + 6])  # well-formed SVG


def test_report_says_failed() -> None:
    assert "FAILED" in report_html(_result(passed=False))
