"""``apprm lab workload|fail|data``: simulation controls with clear errors."""

from __future__ import annotations

from .conftest import doc, one_error_line


def test_workload_moves_the_scn_and_data_reports_it(lab, cli):  # type: ignore[no-untyped-def]
    before = doc(cli("lab", "data", "PROD", "--json").stdout)
    res = cli("lab", "workload", "PROD", "--commits", "25", "--json")
    assert res.exit_code == 0, res.stderr
    assert doc(res.stdout)["commits"] == 25
    after = doc(cli("lab", "data", "PROD", "--json").stdout)
    assert after["scn"] > before["scn"] and after["digest"] != before["digest"]


def test_failures_need_their_target(lab, cli):  # type: ignore[no-untyped-def]
    one_error_line(cli("lab", "fail", "meteor"), "unknown failure")
    one_error_line(cli("lab", "fail", "corrupted-datafile", "--app", "PROD"), "needs --file")
    one_error_line(cli("lab", "workload", "NOPE"), "NOPE")


def test_host_crash_then_data_of_a_file_is_refused_cleanly(lab, cli):  # type: ignore[no-untyped-def]
    assert cli("lab", "data", "app1:/data/ledger.db").exit_code == 0
    assert cli("lab", "fail", "host-crash", "--host", "app1").exit_code == 0
    one_error_line(cli("lab", "data", "app1:/data/ledger.db"), "down")
