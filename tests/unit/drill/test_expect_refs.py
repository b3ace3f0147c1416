"""Expectations on session messages and the purge list; recovery targets by reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from apprm_ref.drill.loader import load_scenario
from apprm_ref.drill.runner import run_file
from apprm_ref.errors import ConfigError

SHIPPED = Path(__file__).parents[3] / "scenarios" / "oracle-dba-host-crash.yaml"
HEAD, _, _ = SHIPPED.read_text().partition("timeline:\n")

BACKUPS = """\
timeline:
  - {at: 0s, workload: {app: PRD, rate: 120}}
  - {at: 1h, backup: {spec: ora_prd, wait: true}}
  - {at: 1h30m, fault: {arm: eva.delete, nth: 1, code: EVA_BUSY, message: vdisk busy}}
  - {at: 2h, backup: {spec: ora_prd, wait: true}}
  - {at: 2h10m, workload: {app: PRD, action: stop}}
"""


def _run(tmp_path: Path, steps: str, expect: str):  # type: ignore[no-untyped-def]
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + BACKUPS + steps + "expect:\n" + expect)
    return run_file(p)


def _verdicts(res) -> list[tuple[str, bool, str]]:  # type: ignore[no-untyped-def]
    return [(e.kind, e.passed, e.observed) for e in res.expectations[1:]]


def test_purge_list_count_and_sessions(tmp_path: Path) -> None:
    res = _run(tmp_path, "", "  - purge_list: {spec: ora_prd, count: 1, sessions: [first-of ora_prd]}\n"
               "  - purge_list: {spec: ora_prd, count: 0}\n"
               "  - purge_list: {spec: ora_prd, sessions: [last-of ora_prd]}\n")  # fmt: skip
    assert [(k, ok) for k, ok, _ in _verdicts(res)] == [
        ("purge_list", True), ("purge_list", False), ("purge_list", False)
    ]  # fmt: skip
    assert _verdicts(res)[1][2] == "1: ora_prd#1"


def test_session_message_matches_code_or_text(tmp_path: Path) -> None:
    res = _run(tmp_path, "", "  - sessions: {spec: ora_prd, which: last, message: EVA_BUSY}\n"
               "  - sessions: {spec: ora_prd, which: last, message: moved to the purge list}\n"
               "  - sessions: {spec: ora_prd, which: all, message: EVA_BUSY}\n"
               "  - sessions: {spec: ora_prd, which: last, status: Failed, message: EVA_BUSY}\n")  # fmt: skip
    verdicts = _verdicts(res)
    assert [ok for _, ok, _ in verdicts] == [True, True, False, False]
    assert verdicts[2][2] == "no message 'EVA_BUSY' in 2008/03/03-1"


RESTORE = (
    "  - {{at: 2h20m, restore: {{session: last-of ora_prd, method: copy-back, keep: true, "
    "recovery: {{until: {until}, {until}: {{end_of_backup: last-of ora_prd}}, resetlogs: true}}}}}}\n"
)


def test_recovery_to_the_end_of_backup_time_is_refused_ora_01195(tmp_path: Path) -> None:
    res = _run(tmp_path, RESTORE.format(until="time"),
               "  - sessions: {spec: ora_prd, type: restore, status: Failed, message: ORA-01195}\n")  # fmt: skip
    assert [ok for _, ok, _ in _verdicts(res)] == [True]
    assert res.restores[0].recovered_to is not None


def test_recovery_to_the_end_of_backup_scn_completes(tmp_path: Path) -> None:
    res = _run(tmp_path, RESTORE.format(until="scn"),
               "  - sessions: {spec: ora_prd, type: restore, status: Completed}\n")  # fmt: skip
    assert [ok for _, ok, _ in _verdicts(res)] == [True]
    assert not res.errors


def test_a_reference_to_a_session_without_a_replica_is_a_step_error(tmp_path: Path) -> None:
    steps = RESTORE.format(until="scn").replace(
        "end_of_backup: last-of ora_prd", "end_of_backup: 'session #9 of ora_prd'"
    )
    res = _run(tmp_path, steps, "  - invariants: held\n")
    assert res.errors and "session #9 of ora_prd" in res.errors[0][1]


@pytest.mark.parametrize(
    ("recovery", "message"),
    [
        ("{until: scn}", "until: scn needs scn and nothing else"),
        ("{until: time, scn: 5}", "until: time needs time and nothing else"),
        ("{scn: {end_of_backup: nonsense}}", "end_of_backup"),
        ("{scn: {end_of_backup: last-of ora_prd, extra: 1}}", "extra"),
    ],
)
def test_bad_recovery_targets_are_refused_naming_the_field(
    tmp_path: Path, recovery: str, message: str
) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + BACKUPS + "  - {at: 3h, restore: {session: last-of ora_prd, "
                 f"recovery: {recovery}}}}}\n")  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert message in str(exc.value) and exc.value.line == HEAD.count("\n") + 7


def test_a_recovery_reference_to_an_unknown_spec_is_refused_at_load(tmp_path: Path) -> None:
    p = tmp_path / "s.yaml"
    p.write_text(HEAD + BACKUPS + RESTORE.format(until="scn").replace(
        "end_of_backup: last-of ora_prd", "end_of_backup: last-of nope"))  # fmt: skip
    with pytest.raises(ConfigError) as exc:
        load_scenario(p)
    assert str(exc.value).endswith(
        "timeline[5].restore.recovery: unknown spec 'nope' in end_of_backup: last-of nope"
    )
