"""The swarm: per-seed fault plans, safety and liveness checks, shrinking, local and Dask runs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from apprm_ref.sim.fault_sites import SITES
from apprm_ref.swarm.execute import Task, run_task, run_tasks
from apprm_ref.swarm.plan import draw_plan
from apprm_ref.swarm.shrink import ddmin, shrink

SCENARIOS = Path(__file__).parents[2] / "scenarios"
QUICK = str(SCENARIOS / "quickstart.yaml")
XP = str(SCENARIOS / "xp-ir-normal.yaml")


def _key(outcomes):  # type: ignore[no-untyped-def]
    return [(o.scenario, o.seed, o.passed, o.first_broken, o.digest) for o in outcomes]


def test_a_seed_always_draws_the_same_plan_from_the_catalogue() -> None:
    plans = [draw_plan(s) for s in range(50)]
    assert plans == [draw_plan(s) for s in range(50)]
    assert len({p.armed for p in plans}) > 40  # seeds explore different combinations
    for p in plans:
        assert 1 <= len(p.armed) <= 4 and all(a.site in SITES for a in p.armed)
    assert draw_plan(3, faults=False).armed == ()


def test_ddmin_finds_a_one_minimal_failing_subset() -> None:
    assert ddmin(list(range(12)), lambda c: {2, 9} <= set(c)) == [2, 9]
    assert ddmin([1], lambda c: True) == [1]


@pytest.mark.rule("REL-P1")
def test_without_faults_every_shipped_scenario_is_safe_and_live() -> None:
    outcomes = run_tasks([Task(str(p), 0, faults=False) for p in sorted(SCENARIOS.glob("*.yaml"))])
    assert [(Path(o.scenario).name, o.violations) for o in outcomes if not o.passed] == []


@pytest.mark.rule("REL-P1")
def test_a_seed_is_deterministic() -> None:
    a, b = run_task(Task(QUICK, 5)), run_task(Task(QUICK, 5))
    assert (a.digest, a.violations, a.firings) == (b.digest, b.violations, b.firings)
    assert a.firings > 0 or a.plan["armed"]  # the plan was armed


@pytest.mark.rule("REL-I5")
def test_dask_distributed_gives_the_same_outcome_per_seed_as_local_processes() -> None:
    distributed = pytest.importorskip("distributed")
    tasks = [Task(s, seed) for s in (QUICK, XP) for seed in range(2)]
    local = run_tasks(tasks, jobs=2)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = run_tasks(tasks, scheduler=client)
    assert _key(on_dask) == _key(local)


@pytest.mark.rule("REL-P2")
def test_a_seeded_bug_is_found_and_shrunk_to_a_file_that_replays(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The bug: the host never thaws a frozen file system (as if the thaw call were lost)."""
    from apprm_ref.sim.host.driver import SimHostDriver

    monkeypatch.setattr(SimHostDriver, "thaw", lambda self, host, mount_point: None)
    found = run_task(Task(QUICK, 2))
    assert found.first_broken == "leftovers"
    assert "app1:/data frozen" in found.violations[0].detail
    result = shrink(QUICK, 2, tmp_path)
    original = yaml.safe_load(Path(QUICK).read_text())["timeline"]
    assert result.check == "leftovers" and result.steps_after < len(original)
    replay = run_task(Task(result.path, 2, faults=False))
    assert (replay.first_broken, replay.digest) == ("leftovers", result.digest)
    monkeypatch.undo()  # without the bug the shrunk file holds
    assert run_task(Task(result.path, 2, faults=False)).passed


def test_cli_swarm_run_json_and_bad_input(tmp_path):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from apprm_ref.cli.main import app

    runner = CliRunner()
    res = runner.invoke(app, ["swarm", "run", XP, "--seeds", "2", "--no-faults", "--json"])
    assert res.exit_code == 0, res.stdout + res.stderr
    data = json.loads(res.stdout)
    assert data["schema_version"] == 1
    assert [s["seed"] for s in data["seeds"]] == [0, 1] and data["shrunk"] == []
    assert all(s["passed"] and len(s["digest"]) == 64 for s in data["seeds"])
    bad = runner.invoke(app, ["swarm", "run", XP, "--seeds", "0"])
    assert bad.exit_code == 2 and "--seeds must be between 1" in bad.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("version: 1\nname: x\nestate: {}\ntimeline:\n  - {at: 0s, mak: m}\n")
    res = runner.invoke(app, ["swarm", "run", str(broken)])
    assert res.exit_code == 2 and "broken.yaml:5" in res.stderr


@pytest.mark.rule("REL-P1")
def test_a_handful_of_faulted_seeds_over_several_scenarios_all_pass() -> None:
    """Seeds whose plans once broke the estate (orphans after a failed undo, a database
    left in backup mode after a crash, a safety copy left split, an IDB write refused)."""
    names = ("quickstart", "xp-ir-normal", "oracle-fault-in-backup-mode")
    tasks = [Task(str(SCENARIOS / f"{n}.yaml"), s) for n in names for s in (1, 6, 9)]
    outcomes = run_tasks(tasks)
    assert sum(o.firings for o in outcomes) > 0
    assert [
        (Path(o.scenario).name, o.seed, o.violations[:1]) for o in outcomes if not o.passed
    ] == []


def test_a_seed_draws_its_timing_knobs_within_the_bounds() -> None:
    from apprm_ref.sim.eva.timing import EvaTiming
    from apprm_ref.swarm.plan import KNOB_BOUNDS

    plan = draw_plan(4)
    assert plan.knobs == draw_plan(4).knobs == draw_plan(4, faults=False).knobs
    assert plan.knobs != draw_plan(5).knobs
    assert all(KNOB_BOUNDS[0] <= k.factor <= KNOB_BOUNDS[1] for k in plan.knobs)

    class Array:
        timing = EvaTiming()

    arrays = {"eva1": Array()}
    plan.apply_knobs(arrays)
    knob = next(k for k in plan.knobs if (k.kind, k.name) == ("eva", "delete_s"))
    assert arrays["eva1"].timing.delete_s == pytest.approx(EvaTiming().delete_s * knob.factor)


@pytest.mark.rule("REL-P2")
def test_a_rotation_that_forgets_an_array_replica_is_found_and_shrunk(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The bug (docs/swarm.md): rotation records the old replica deleted but never deletes
    its targets on the array. Without faults the swarm finds the orphans at the first step
    after the rotating session, shrinks the drill and the file replays to one digest."""
    from apprm_ref.core.replication import snapshot_rotation

    def forgets(ctx, drv, live):  # type: ignore[no-untyped-def]
        return True
        yield  # a generator like the real one

    monkeypatch.setattr(snapshot_rotation, "_delete_all", forgets)
    rotation = str(SCENARIOS / "eva-rotation-vsnap.yaml")
    found = run_task(Task(rotation, 0, faults=False))
    assert found.first_broken == "leftovers"
    assert "orphan replica target eva1:" in found.violations[0].detail
    result = shrink(rotation, 0, tmp_path)
    assert result.check == "leftovers" and result.steps_after < result.steps_before
    replay = run_task(Task(result.path, 0, faults=False))
    assert (replay.first_broken, replay.digest) == ("leftovers", result.digest)
    monkeypatch.undo()
    assert run_task(Task(result.path, 0, faults=False)).passed
