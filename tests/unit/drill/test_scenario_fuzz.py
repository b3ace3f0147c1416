"""REL-I4 for scenario files: malformed mutations of the shipped scenarios are refused with
one line ``file:line: field: message`` (or ``file:line: message`` for a YAML-level error),
never a traceback, and refusing one writes nothing."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from apprm_ref.drill.loader import parse_scenario
from apprm_ref.drill.result import DrillResult
from apprm_ref.drill.summary import print_summary
from apprm_ref.errors import ConfigError

SCENARIOS = sorted((Path(__file__).parents[3] / "scenarios").glob("*.yaml"))
DOCS = {p.name: yaml.safe_load(p.read_text()) for p in SCENARIOS}
ONE_LINE = re.compile(r"^f\.yaml:\d+: (?:[\w.\[\]-]+: )?\S.*$")


def _paths(node: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(node, dict):
        for k in node:
            out += _paths(node[k], (*here, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, (*here, i))
    return out


def _nest(depth: int) -> Any:
    v: Any = "x"
    for i in range(depth):
        v = [v] if i % 2 else {"k": v}
    return v


BAD = st.one_of(
    st.sampled_from([None, True, 0, -1, 2**70, 1.5e308, float("nan"), [], {}, "", "-3h"]),
    st.sampled_from(["25:99", "1d 99:00", "+-5m", "3x", "1e400s", "\x00", "💥" * 3]),
    st.integers(1_000, 60_000).map(lambda n: "a.b/c:1 " * (n // 8)),
    st.integers(5, 60).map(_nest),
    st.dictionaries(st.sampled_from(["bogus", "at", "kind", "spec"]), st.integers(), max_size=3),
)


@st.composite
def mutated(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(sorted(DOCS)))
    doc = yaml.safe_load(yaml.safe_dump(DOCS[name]))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(doc)))
        value = draw(BAD)
        if not path:
            doc = value
            continue
        parent = doc
        for k in path[:-1]:
            parent = parent[k]
        if draw(st.booleans()) and isinstance(parent, dict):
            parent[draw(st.sampled_from(["unknown_key", "atx", "fail"]))] = value
        else:
            parent[path[-1]] = value
    return yaml.safe_dump(doc, allow_unicode=True, width=10**9)


def _refusal(text: str) -> str | None:
    try:
        parse_scenario(text, "f.yaml")
    except ConfigError as exc:
        return str(exc)
    return None


@pytest.mark.rule("REL-I4")
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_malformed_scenarios_are_refused_in_one_line(text: str) -> None:
    message = _refusal(text)  # anything but ConfigError propagates and fails the test
    if message is not None:
        assert "\n" not in message and ONE_LINE.match(message), message
        assert len(message) < 1000, "a refusal must not echo huge input"


@pytest.mark.rule("REL-I4")
@pytest.mark.parametrize(
    "text",
    [
        "{" * 2000,  # deep YAML nesting: the parser's recursion, not a traceback
        "[" * 200 + "]" * 200,
        "version: 1\nname: x\nestate: {}\ntimeline: [{at: 25:99, mark: m}]\n",
        "version: 1\nname: x\nestate: {}\ntimeline: [{at: 0s, sql: {app: PRD, statement: ''}}]\n",
        "\t: :",
        "version: 1\nname: x\nestate: {}\nexpect: [{purge_list: {spec: s, count: -1}}]\n",
    ],
    ids=["deep-flow", "deep-list", "bad-time", "empty-sql", "tab", "negative-count"],
)
def test_hand_picked_bad_files(text: str) -> None:
    message = _refusal(text)
    assert message is not None and "\n" not in message and ONE_LINE.match(message), message


@pytest.mark.rule("REL-I4")
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_a_refused_file_writes_nothing(tmp_path_factory: pytest.TempPathFactory, text: str) -> None:
    from apprm_ref.cli.main import app

    if _refusal(text) is None:
        return
    d = tmp_path_factory.mktemp("fuzz")
    (d / "f.yaml").write_text(text)
    before = sorted(p.name for p in d.iterdir())
    res = CliRunner().invoke(
        app, ["drill", "run", str(d / "f.yaml"), "--trace", str(d / "t.jsonl"),
              "--report", str(d / "r.html"), "--junit", str(d / "j.xml")],
    )  # fmt: skip
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    assert sorted(p.name for p in d.iterdir()) == before


@pytest.mark.rule("REL-I4")
def test_a_50000_character_name_is_refused_at_once() -> None:
    doc = yaml.safe_load(SCENARIOS[0].read_text())
    doc["name"] = "a.b/c:1 " * 6250
    start = time.process_time()
    message = _refusal(yaml.safe_dump(doc, width=10**9))
    assert message is not None and "name: String should have at most 200 characters" in message
    assert time.process_time() - start < 0.5


@pytest.mark.rule("REL-I4")
def test_the_summary_prints_a_long_name_without_highlighting_time() -> None:
    """rich's highlighter is quadratic on such a name (measured: seconds at 50,000)."""
    from rich.console import Console

    name = "a.b/c:1 [bold]" * 4000
    console = Console(width=120, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    start = time.process_time()
    print_summary(DrillResult(name, "f.yaml", 1, 0.0), console)
    assert time.process_time() - start < 0.5
    assert "[bold]" in console.export_text()  # printed as text, not taken as markup


@pytest.mark.rule("REL-I4")
def test_a_huge_bad_session_reference_is_not_echoed() -> None:
    """Found by the fuzzer: a 1,200-character session reference in ``expect`` came back
    whole in the refusal."""
    doc = yaml.safe_load(yaml.safe_dump(DOCS["eva-backup-host-crash.yaml"]))
    doc["expect"] = [{"replicas": {"spec": "fs_data", "sessions": ["a.b/c:1 " * 150]}}]
    message = _refusal(yaml.safe_dump(doc, width=10**9))
    assert message is not None and ONE_LINE.match(message), message
    assert "expect[0].replicas.sessions" in message and len(message) < 500, message
