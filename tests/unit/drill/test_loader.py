"""Scenario loading: every error is one line naming file:line, the field and what is expected."""

from __future__ import annotations

import textwrap

import pytest

from apprm_ref.drill.loader import line_of, load_yaml, parse_scenario
from apprm_ref.drill.schema import BackupStep, MarkStep, RestoreStep, Scenario
from apprm_ref.errors import ConfigError

GOOD = """\
version: 1
name: demo
seed: 7
estate: {}
specs:
  - name: fs
    application_system: h1
    array: eva1
    objects: [/data]
timeline:
  - at: 0s
    mark: before
  - at: 1h
    backup: fs
  - at: +30m
    restore:
      session: last-of fs
      method: copy-back
  - at: 1d 03:00
    check: {data_equals: before}
expect:
  - sessions: {spec: fs, status: Completed}
  - rto: {max: 1h}
"""


def _err(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        parse_scenario(textwrap.dedent(text), "s.yaml")
    msg = str(info.value)
    assert "\n" not in msg
    return info.value


def test_good_scenario_loads_with_times() -> None:
    sc = parse_scenario(GOOD, "s.yaml")
    assert isinstance(sc, Scenario) and sc.seed == 7
    assert [type(s) for s in sc.timeline][:3] == [MarkStep, BackupStep, RestoreStep]
    assert sc.step_times() == [0.0, 3600.0, 5400.0, 86400.0 + 3 * 3600]


def test_unknown_key_names_line_field_and_allowed_keys() -> None:
    e = _err(GOOD.replace("method: copy-back", "methd: copy-back"))
    assert (e.file, e.line, e.field) == ("s.yaml", 18, "timeline[2].restore.methd")
    assert "unknown key 'methd'" in e.message and "method" in e.message


def test_bad_enum_value_says_what_is_expected() -> None:
    e = _err(GOOD.replace("method: copy-back", "method: swap"))
    assert e.line == 18 and e.field == "timeline[2].restore.method"
    assert "'switch'" in e.message and "'swap'" in e.message


def test_missing_field_points_at_its_mapping() -> None:
    e = _err(GOOD.replace("    array: eva1\n", ""))
    assert e.field == "specs[0].array" and e.line == 6
    assert str(e).startswith("s.yaml:6: specs[0].array: required field is missing")


def test_step_without_kind() -> None:
    e = _err(GOOD.replace("    mark: before\n", "    mak: before\n"))
    assert e.field == "timeline[0]" and e.line == 11 and "exactly one of" in e.message


def test_bad_time_expression() -> None:
    e = _err(GOOD.replace("at: 1h", "at: soon"))
    assert e.line == 13 and e.field == "timeline[1].at" and "1d 03:00" in e.message


def test_unknown_spec_reference_is_located() -> None:
    e = _err(GOOD.replace("backup: fs", "backup: fz"))
    assert e.line == 14 and "unknown spec 'fz'" in e.message


def test_label_must_be_marked_earlier() -> None:
    e = _err(GOOD.replace("data_equals: before", "data_equals: later"))
    assert e.line == 20 and "mark: later" in e.message


def test_bad_session_ref() -> None:
    e = _err(GOOD.replace("last-of fs", "newest fs"))
    assert e.line == 17 and "session #N of SPEC" in e.message


def test_version_must_be_1() -> None:
    e = _err(GOOD.replace("version: 1", "version: 2"))
    assert e.line == 1 and e.field == "version"


def test_yaml_syntax_error_has_a_line() -> None:
    e = _err(GOOD.replace("  - at: +30m", "  - at: [+30m"))
    assert e.line is not None and "not valid YAML" in e.message


def test_duplicate_keys_are_errors() -> None:
    e = _err(GOOD.replace("seed: 7", "seed: 7\nseed: 8"))
    assert e.line == 4 and "duplicate key" in e.message


def test_line_of_walks_lists_and_maps() -> None:
    data = load_yaml("a:\n  - x: 1\n  - y:\n      z: 2\n", "f")
    assert line_of(data, ("a", 1, "y", "z")) == 4
    assert line_of(data, ("a", 0, "nope")) == 2


def test_cross_checks_duplicate_spec() -> None:
    text = GOOD.replace(
        "timeline:",
        "  - name: fs\n    application_system: h1\n    array: e\n    objects: [/x]\ntimeline:",
    )
    e = _err(text)
    assert e.field == "specs[1].name" and "twice" in e.message


def test_filesystem_spec_needs_objects() -> None:
    e = _err(GOOD.replace("    objects: [/data]\n", ""))
    assert e.field == "specs[0].objects"


def test_step_naming_an_unknown_host_or_workload_target() -> None:
    text = GOOD.replace(
        "  - at: 1d 03:00", "  - at: +1m\n    fail: {kind: host_crash, host: h9}\n  - at: 1d 03:00"
    )
    e = _err(text)
    assert e.field == "timeline[3].fail.host" and e.line == 20 and "no host 'h9'" in e.message
    e = _err(GOOD.replace("    mark: before\n", "    workload: {app: nope}\n"))
    assert e.field == "timeline[0].workload.app" and "no spec or application 'nope'" in e.message


def test_long_inputs_are_shortened_in_messages() -> None:
    e = _err(GOOD.replace("seed: 7", "seed: [" + ", ".join(["1"] * 60) + "]"))
    assert e.field == "seed" and len(e.message) < 140


ESTATE = """\
version: 1
name: e
estate:
  arrays:
    - type: eva
      name: eva1
      disk_groups: [{name: DG1, capacity: 1TiB}]
      vdisks:
        - {name: d1, disk_group: DG1, size: 8GiB}
  hosts:
    - name: app1
"""


def test_estate_union_member_errors_point_at_the_item() -> None:
    e = _err(ESTATE.replace("{name: d1, disk_group: DG1, size: 8GiB}", "{name: d1, size: 8GiB}"))
    assert (e.line, e.field) == (9, "estate.arrays[0].vdisks[0].disk_group")
    e = _err(ESTATE.replace("      name: eva1\n", "      name: eva1\n      colour: red\n"))
    assert (e.line, e.field) == (7, "estate.arrays[0].colour")
    assert "expected one of: type, name" in e.message


def test_line_of_finds_list_items_by_name() -> None:
    from apprm_ref.drill.loader import locate

    data = load_yaml(ESTATE, "f")
    assert locate(data, ("estate", "hosts", "app1")) == (11, ("estate", "hosts", 0))


def test_step_times_must_not_go_backwards() -> None:
    e = _err(GOOD.replace("  - at: 1d 03:00", "  - at: 1h"))
    assert (e.line, e.field) == (19, "timeline[3].at") and "before the previous step" in e.message


def test_unknown_fault_site_is_located() -> None:
    e = _err(GOOD.replace("    mark: before\n", "    fault: {arm: eva.create_snapshot}\n"))
    assert e.line == 12 and e.field.startswith("timeline[0]")
    assert "no fault site matches 'eva.create_snapshot'" in e.message and "eva.create" in e.message
