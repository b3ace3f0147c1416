"""The runner on a small estate without backups: time, marks, checks, faults, determinism, replay."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprm_ref.drill.replay import replay
from apprm_ref.drill.runner import run_file
from apprm_ref.drill.trace import read_trace
from apprm_ref.errors import ConfigError

SCENARIO = """\
version: 1
name: quiet
seed: 5
estate:
  hosts:
    - name: app1
timeline:
  - {at: 0s, mark: start}
  - {at: 1h, fault: {arm: eva.create, nth: 1, code: EVA_TEST}}
  - {at: +30m, advance: 2h}
  - {at: 1d 03:00, check: {data_equals: start}}
  - {at: 1d 04:00, fault: {disarm: eva.create}}
  - {at: 1d 05:00, fail: {kind: host_crash, host: app1}}
expect:
  - invariants: held
  - nothing_in_backup_mode: true
"""


def _write(tmp_path: Path, text: str = SCENARIO) -> Path:
    p = tmp_path / "s.yaml"
    p.write_text(text)
    return p


def test_steps_run_at_their_simulated_times(tmp_path: Path) -> None:
    res = run_file(_write(tmp_path))
    assert res.trace is not None
    steps = [e for e in res.trace.events() if e["type"] == "step"]
    assert [e["t"] for e in steps] == [0, 3600, 5400, 97200, 100800, 104400]
    assert res.duration == 104400
    assert [m.kind for m in res.markers] == ["mark", "fault", "check", "fault", "fail"]


def test_expectations_and_implicit_step_check(tmp_path: Path) -> None:
    res = run_file(_write(tmp_path))
    names = [e.name for e in res.expectations]
    assert names[0].startswith("check at 1d 03:00:00") and "every timeline step ran" in names
    check = res.expectations[0]
    assert not check.passed and check.observed.startswith("nothing to compare") and check.line == 11
    assert [e.name for e in res.failed] == [check.name]
    assert res.expectations[-1].line == 16  # nothing_in_backup_mode


def test_same_seed_same_digest_other_seed_same_here(tmp_path: Path) -> None:
    p = _write(tmp_path)
    assert run_file(p).digest == run_file(p).digest


def test_step_error_fails_the_drill_and_is_traced(tmp_path: Path) -> None:
    bad = "{kind: corrupted_file, host: app1, path: /nope/x}"
    p = _write(tmp_path, SCENARIO.replace("{kind: host_crash, host: app1}", bad))
    res = run_file(p)
    step = next(e for e in res.failed if e.kind == "steps")
    assert "/nope/x" in step.observed
    assert any(e["type"] == "step.error" for e in res.trace.events())  # type: ignore[union-attr]


def test_replay_identical_then_catches_injected_difference(tmp_path: Path) -> None:
    p = _write(tmp_path)
    res = run_file(p)
    tr = tmp_path / "t.jsonl"
    res.trace.write(tr)  # type: ignore[union-attr]
    assert replay(tr).same
    lines = tr.read_text().splitlines()
    k = next(i for i, line in enumerate(lines) if '"t":3600' in line)
    lines[k] = lines[k].replace('"t":3600', '"t":3601')
    tr.write_text("\n".join(lines) + "\n")
    out = replay(tr)
    assert not out.same and out.difference is not None and out.difference.index == k - 1
    assert '"t":3601' in (out.difference.expected or "")


def test_replay_refuses_a_changed_scenario(tmp_path: Path) -> None:
    p = _write(tmp_path)
    res = run_file(p)
    tr = tmp_path / "t.jsonl"
    res.trace.write(tr)  # type: ignore[union-attr]
    p.write_text(SCENARIO.replace("seed: 5", "seed: 6"))
    with pytest.raises(ConfigError, match="changed since the trace was recorded"):
        replay(tr)


def test_trace_header_names_scenario_seed_and_file_digest(tmp_path: Path) -> None:
    p = _write(tmp_path)
    res = run_file(p, seed=9)
    tr = tmp_path / "t.jsonl"
    res.trace.write(tr)  # type: ignore[union-attr]
    head = read_trace(tr).header
    assert head["seed"] == 9 and head["scenario"] == str(p) and len(head["scenario_sha256"]) == 64


def test_bad_estate_error_names_the_scenario_line(tmp_path: Path) -> None:
    text = SCENARIO.replace("    - name: app1\n", "    - name: app1\n    - name: app1\n")
    with pytest.raises(ConfigError) as info:
        run_file(_write(tmp_path, text))
    assert str(info.value).startswith(f"{tmp_path / 's.yaml'}:") and info.value.line is not None


def test_a_hung_session_does_not_hang_the_drill(tmp_path: Path) -> None:
    from apprm_ref.drill.loader import load_scenario
    from apprm_ref.drill.runner import Drill

    drill = Drill(load_scenario(_write(tmp_path)), path="s.yaml")
    env = drill.world.env

    def hung():  # type: ignore[no-untyped-def]
        yield env.event()  # never triggered

    def ticking():  # type: ignore[no-untyped-def]
        while True:  # like a workload: the clock never runs dry
            yield env.timeout(900)

    drill.orch.procs.append(env.process(hung()))
    env.process(ticking())
    res = drill.run()
    assert any("still running after 48h" in m for _, m in res.errors)
    assert not res.passed and res.duration == 104400 + 2 * 86400


def test_progress_is_reported_after_every_step(tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    run_file(_write(tmp_path), progress=lambda done, total, kind: calls.append((done, total, kind)))
    assert [c[0] for c in calls] == [1, 2, 3, 4, 5, 6] and {c[1] for c in calls} == {6}
    assert calls[-1][2] == "fail"
