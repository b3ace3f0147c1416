"""The pytest plugin: scenario files become test items only with --apprm-scenarios."""

from __future__ import annotations

import pytest

from apprm_ref.drill.pytest_plugin import seed_for

pytest_plugins = ["pytester"]

PASSING = """\
version: 1
name: passes
estate: {}
timeline:
  - {at: 0s, mark: m}
  - {at: 1h, advance: 30m}
expect:
  - invariants: held
  - nothing_in_backup_mode: true
"""

FAILING = PASSING.replace("name: passes", "name: fails") + "  - data: {equals: m}\n"


def _tree(pytester: pytest.Pytester) -> None:
    pytester.mkdir("scenarios")
    (pytester.path / "scenarios" / "ok.yaml").write_text(PASSING)
    (pytester.path / "scenarios" / "bad.yaml").write_text(FAILING)


def test_scenarios_collected_and_judged(pytester: pytest.Pytester) -> None:
    _tree(pytester)
    res = pytester.runpytest_subprocess("--apprm-scenarios", "scenarios", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=1, failed=1)
    res.stdout.fnmatch_lines(["*scenarios/bad.yaml:10: data equals m: expected equal to mark m*"])


def test_yaml_ignored_without_the_option(pytester: pytest.Pytester) -> None:
    _tree(pytester)
    res = pytester.runpytest_subprocess("scenarios", "-p", "no:cacheprovider")
    assert res.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_sim_world_is_seeded_from_node_id(sim_world, request: pytest.FixtureRequest) -> None:  # type: ignore[no-untyped-def]
    assert sim_world.seed == seed_for(request.node.nodeid)
    assert seed_for("a::b") == seed_for("a::b") != seed_for("a::c")


def test_rule_marker_is_registered_for_strict_markers(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("import pytest\n@pytest.mark.rule('X-1')\ndef test_x():\n    assert True\n")
    pytester.runpytest_subprocess("--strict-markers", "-p", "no:cacheprovider").assert_outcomes(
        passed=1
    )


def test_a_bad_scenario_is_a_failing_item_naming_file_line_field(pytester: pytest.Pytester) -> None:
    _tree(pytester)
    (pytester.path / "scenarios" / "typo.yaml").write_text(
        PASSING.replace("  - {at: 1h, advance: 30m}", "  - {at: 1h, advnce: 30m}")
    )
    res = pytester.runpytest_subprocess("--apprm-scenarios", "scenarios", "-p", "no:cacheprovider")
    res.assert_outcomes(passed=1, failed=2)
    assert res.ret == pytest.ExitCode.TESTS_FAILED  # not INTERRUPTED by a collection error
    res.stdout.fnmatch_lines(["*scenarios/typo.yaml:6: timeline[[]1[]]*"])


def test_lab_fixture_runs_the_default_estate(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_backup_and_restore(lab):
            lab.create_spec({"name": "fs", "application_system": "app1", "backup_system": "bk1",
                             "array": "eva1", "objects": ["/data"]})
            backup = lab.backup("fs")
            assert backup.status.value == "Completed", [m.text for m in backup.messages]
            restore = lab.restore(backup.id)
            assert restore.status.value == "Completed", [m.text for m in restore.messages]
            assert lab.invariant_problems() == []
        """
    )
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=1)
