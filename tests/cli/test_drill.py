"""``apprm drill``: exit codes 0 / 1 / 2, one-line errors, schema, list, replay."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from apprm_ref.cli.drill import app

OK = """\
version: 1
name: ok
description: |
  Nothing but time
  passing. Second sentence.
estate: {hosts: [{name: app1}]}
timeline:
  - {at: 0s, mark: m}
  - {at: 2h, advance: 1h}
expect:
  - invariants: held
"""
FAILS = OK.replace("name: ok", "name: fails") + "  - data: {equals: m}\n"
runner = CliRunner()


def _files(tmp_path: Path) -> tuple[Path, Path]:
    (tmp_path / "ok.yaml").write_text(OK)
    (tmp_path / "fails.yaml").write_text(FAILS)
    return tmp_path / "ok.yaml", tmp_path / "fails.yaml"


def test_run_passing_writes_outputs_and_exits_0(tmp_path: Path) -> None:
    ok, _ = _files(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    args = [
        "run",
        str(ok),
        "--trace",
        str(out / "t.jsonl"),
        "--report",
        str(out / "r.html"),
        "--junit",
        str(out / "j.xml"),
    ]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "PASSED" in res.output and "trace sha256" in res.output
    assert (out / "t.jsonl").read_text().startswith('{"format":1')
    assert "<svg" in (out / "r.html").read_text() and "testcase" in (out / "j.xml").read_text()


def test_run_failing_expectation_exits_1(tmp_path: Path) -> None:
    _, fails = _files(tmp_path)
    res = runner.invoke(app, ["run", str(fails)])
    assert res.exit_code == 1 and "FAILED" in res.output and "nothing to compare" in res.output


def test_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(OK.replace("advance: 1h", "advance: soon"))
    res = runner.invoke(app, ["run", str(bad)])
    assert res.exit_code == 2
    lines = [line for line in res.stderr.splitlines() if line]
    assert lines == [
        f"apprm: error: {bad}:9: timeline[1].advance: expected a duration like 90s, 15m, 2h or 1d, got 'soon'"
    ]


def test_missing_file_exits_2() -> None:
    res = runner.invoke(app, ["run", "does/not/exist.yaml"])
    assert res.exit_code == 2 and "no such scenario file" in res.stderr


def test_schema_is_json_schema_of_version_1() -> None:
    res = runner.invoke(app, ["schema"])
    doc = json.loads(res.output)
    assert res.exit_code == 0 and doc["additionalProperties"] is False
    assert {"version", "estate", "timeline", "expect"} <= set(doc["properties"])


def test_list_shows_names_and_first_description_line(tmp_path: Path) -> None:
    _files(tmp_path)
    res = runner.invoke(app, ["list", str(tmp_path)])
    assert res.exit_code == 0
    assert "ok (2 steps, 1 expectations) Nothing but time passing." in res.output
    assert "Second sentence" not in res.output
    data = json.loads(runner.invoke(app, ["list", str(tmp_path), "--json"]).output)["scenarios"]
    assert [d["name"] for d in data] == ["fails", "ok"]


def test_list_json_exits_2_on_an_invalid_file(tmp_path: Path) -> None:
    _files(tmp_path)
    (tmp_path / "broken.yaml").write_text("version: 1\nname: [unclosed\n")
    res = runner.invoke(app, ["list", str(tmp_path), "--json"])
    assert res.exit_code == 2
    rows = {Path(d["path"]).name: d for d in json.loads(res.stdout)["scenarios"]}
    assert rows["broken.yaml"]["error"] and rows["ok.yaml"]["error"] is None


def test_replay_identical_then_different(tmp_path: Path) -> None:
    ok, _ = _files(tmp_path)
    tr = tmp_path / "t.jsonl"
    assert runner.invoke(app, ["run", str(ok), "--trace", str(tr)]).exit_code == 0
    res = runner.invoke(app, ["replay", str(tr)])
    assert res.exit_code == 0 and "replay identical" in res.output
    tr.write_text(tr.read_text().replace('"label":"m"', '"label":"x"'))
    res = runner.invoke(app, ["replay", str(tr)])
    assert res.exit_code == 1 and "replay differs: event" in res.output
