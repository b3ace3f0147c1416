"""``apprm lab advance`` runs the schedules that fall due, holidays honoured (OPS-I8).

The default lab starts on Monday 2008-03-03 at 00:04:34 simulated time.
"""

from __future__ import annotations

import pytest

from .conftest import doc

SPEC = """\
name: fs6h
type: filesystem
application_system: app1
backup_system: bk1
array: eva1
objects: [/data]
replication: {{snapshot_type: vsnap, replicas: 3}}
schedules:
  - {{recurrence: daily, start: "00:30", repeat_hours: 6, holidays: {holidays}}}
holidays: ["2008-03-04"]
"""


def _lab_with(cli, tmp_path, *, holidays: bool):  # type: ignore[no-untyped-def]
    spec = tmp_path / "fs6h.yaml"
    spec.write_text(SPEC.format(holidays="true" if holidays else "false"))
    res = cli("spec", "create", "--file", str(spec))
    assert res.exit_code == 0, res.stdout + res.stderr


def _sessions(cli) -> list[dict]:  # type: ignore[no-untyped-def]
    res = cli("sessions", "list", "--json")
    assert res.exit_code == 0, res.stderr
    return doc(res.stdout)


@pytest.mark.rule("OPS-I8")
def test_advance_runs_every_due_schedule(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    _lab_with(cli, tmp_path, holidays=True)
    res = cli("lab", "advance", "1d")
    assert res.exit_code == 0, res.stdout + res.stderr
    assert res.stdout.count("(fs6h, scheduled) Completed.") == 4, res.stdout
    starts = [line.split("  ")[0] for line in res.stdout.splitlines() if "scheduled" in line]
    assert [s[11:16] for s in starts] == ["00:30", "06:30", "12:30", "18:30"]
    assert len(_sessions(cli)) == 4


@pytest.mark.rule("OPS-I8")
@pytest.mark.rule("VC-I21")
def test_holidays_are_skipped_only_when_the_schedule_says_so(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    _lab_with(cli, tmp_path, holidays=True)
    assert cli("lab", "advance", "3d").exit_code == 0
    days = sorted({s["spec"] + s["id"][:10] for s in _sessions(cli)})
    assert days == ["fs6h2008/03/03", "fs6h2008/03/05"], days


@pytest.mark.rule("OPS-I8")
def test_holiday_runs_when_the_option_is_off(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    _lab_with(cli, tmp_path, holidays=False)
    assert cli("lab", "advance", "2d").exit_code == 0
    assert len(_sessions(cli)) == 8


@pytest.mark.rule("OPS-I8")
def test_split_advances_run_each_schedule_once(lab, cli, tmp_path):  # type: ignore[no-untyped-def]
    _lab_with(cli, tmp_path, holidays=True)
    for step in ("6h", "3h", "3h", "12h"):
        assert cli("lab", "advance", step).exit_code == 0
    ids = [s["id"] for s in _sessions(cli)]
    assert len(ids) == 4 and len(set(ids)) == 4
