"""``apprm whatif``: a plan's days run on the simulators, and what the report says of them.

The small estate (``small_estate.yaml``) is built to show each finding: its EVA disk
group has room for the source and two fully allocated snapshots only (so later sessions
fail for space, the array's own refusal), two specs on the same objects start at the same
minute (the second queues), and an XP spec rotates over MU 0-1 of three.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from apprm_ref.cli.main import app
from apprm_ref.errors import ConfigError
from apprm_ref.whatif.analyse import analyse
from apprm_ref.whatif.plan import load_plan
from apprm_ref.whatif.report import html_report, to_json
from apprm_ref.whatif.run import SAMPLE_S, run_plan

HERE = Path(__file__).parent
SMALL = HERE / "small_estate.yaml"
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")
GIB = 2**30


@pytest.fixture(scope="module")
def year():  # type: ignore[no-untyped-def]
    seen: list[tuple[int, int]] = []
    y = run_plan(load_plan(SMALL), 2, lambda d, n: seen.append((d, n)))
    y.progress_seen = seen  # type: ignore[attr-defined]
    return y


@pytest.fixture(scope="module")
def doc(year):  # type: ignore[no-untyped-def]
    return to_json(year, analyse(year))


def _walk_at(value, key=""):  # type: ignore[no-untyped-def]
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _walk_at(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _walk_at(v, key)
    elif key.endswith("_at"):
        yield value


def test_every_scheduled_session_ran_and_progress_reached_the_end(year, doc) -> None:  # type: ignore[no-untyped-def]
    # fs_eva 4 a day, fs_eva_again 2 a day, fs_xp 3 a day, for 2 days
    assert doc["summary"]["scheduled"] == doc["summary"]["sessions"] == 18
    assert year.progress_seen[-1] == (2, 2)
    assert [d for d, _ in year.progress_seen] == sorted(d for d, _ in year.progress_seen)


def test_capacity_is_read_from_the_arrays_over_time(doc) -> None:  # type: ignore[no-untyped-def]
    pools = {p["pool"]: p for p in doc["capacity"]}
    assert set(pools) == {"eva1/DG1", "xp1/ldevs"}
    dg = pools["eva1/DG1"]
    assert dg["capacity_bytes"] == 300 * GIB
    assert len(dg["series"]) == 2 * 86400 / SAMPLE_S
    used = [p["used_bytes"] for p in dg["series"]]
    # the source alone (64 GiB in VRAID5 = 80 GiB raw), then with two full snapshots
    assert used[0] == 80 * GIB and max(used) == dg["peak_used_bytes"] == 240 * GIB
    assert pools["xp1/ldevs"]["peak_used_bytes"] == 16 * GIB  # two 8 GiB S-VOLs in pairs


def test_space_exhaustion_is_the_arrays_refusal(doc) -> None:  # type: ignore[no-untyped-def]
    reasons = {(r["spec"], r["reason"]): r["count"] for r in doc["summary"]["failure_reasons"]}
    full = "[CRITICAL] disk group DG1 lacks 81920 free extents => aborting."
    assert reasons[("fs_eva", full)] == 7 and reasons[("fs_eva_again", full)] == 3
    assert doc["summary"]["statuses"] == {"Completed": 8, "Failed": 10}


def test_queued_sessions_and_mu_slots(doc) -> None:  # type: ignore[no-untyped-def]
    q = {r["spec"]: r for r in doc["queueing"]}
    assert q["fs_eva_again"]["queued"] == 1 and q["fs_eva_again"]["max_wait_seconds"] > 0
    assert q["fs_eva"]["queued"] == 0 and q["fs_xp"]["overlapping"] == 0
    conc = {c["array"]: c["max_concurrent_sessions"] for c in doc["concurrency"]}
    assert conc == {"eva1": 1, "xp1": 1}  # the queued session waited: never two at once
    (xp,) = [s for s in doc["slots"] if s["array"] == "xp1"]
    assert (xp["max_used"], xp["limit"], xp["limit_reached_at"]) == (2, 3, None)


def test_rpo_histogram_and_rotation(doc) -> None:  # type: ignore[no-untyped-def]
    r = {x["spec"]: x for x in doc["rpo"]}
    xp = r["fs_xp"]
    assert xp["replicas_made"] == 6
    assert xp["worst_rpo_seconds"] == pytest.approx(8 * 3600, abs=60)  # one schedule interval
    hist = {b["bucket"]: b["count"] for b in xp["histogram"]}
    assert sum(hist.values()) == 7  # start -> 6 replicas -> end
    assert r["fs_eva"]["worst_rpo_seconds"] > 40 * 3600  # only the first session made one
    rot = {x["spec"]: x for x in doc["rotations"]}["fs_xp"]
    assert rot["kept_at_end"] == ["fs_xp#5", "fs_xp#6"]  # the MU list 0,1 keeps two
    assert rot["rotations"] == 4 and all(
        "rotated out" in m for x in rot["last"] for m in x["messages"]
    )


def test_json_follows_the_cli_conventions(year, doc) -> None:  # type: ignore[no-untyped-def]
    times = list(_walk_at(doc))
    assert times and all(isinstance(t, str) and ISO.match(t) for t in times if t is not None)
    res = CliRunner().invoke(app, ["whatif", str(SMALL), "--days", "2", "--json"])
    assert res.exit_code == 1  # some sessions failed
    out = json.loads(res.stdout)
    assert out.pop("schema_version") == 1
    assert out == json.loads(json.dumps(doc))  # same run, same document: deterministic


def test_html_report_has_inline_plots_and_no_external_assets(year, doc, tmp_path) -> None:  # type: ignore[no-untyped-def]
    page = html_report(doc, year)
    assert page.count("<svg") == len(doc["capacity"]) + len(doc["rpo"])
    assert "<polyline" in page and "<script" not in page
    assert not re.search(r"(src|href)=['\"]", page)
    res = CliRunner().invoke(
        app, ["whatif", str(SMALL), "--days", "1", "--report", str(tmp_path / "r.html")]
    )
    assert res.exit_code == 1, res.stdout + res.stderr
    assert "<svg" in (tmp_path / "r.html").read_text()
    assert "capacity eva1/DG1" in res.stdout


def test_bad_input_is_one_line_and_runs_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.yaml"
    xp_schedule = '    schedules:\n      - {recurrence: daily, start: "03:00", repeat_hours: 8}\n'
    bad.write_text(SMALL.read_text().replace(xp_schedule, "    schedules: []\n"))
    with pytest.raises(ConfigError, match="fs_xp has no schedule"):
        load_plan(bad)
    runner = CliRunner()
    for args, text in (
        ([str(bad)], "fs_xp has no schedule"),
        ([str(SMALL), "--days", "0"], "--days must be between 1"),
        ([str(tmp_path / "none.yaml")], "no such file"),
    ):
        res = runner.invoke(app, ["whatif", *args])
        assert res.exit_code == 2, res.stdout + res.stderr
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and text in lines[0] and "Traceback" not in res.stderr


def test_reference_estate_file_is_current() -> None:
    from bench.whatif_estate import render

    ref = Path(__file__).parents[2] / "bench" / "reference-estate.yaml"
    assert ref.read_text() == render(10)
    plan = load_plan(ref)
    assert len(plan.specs) == 10 and len(plan.workloads) == 10


def test_archive_purge_runs_on_the_database_and_refuses_a_filesystem(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ref = Path(__file__).parents[2] / "bench" / "reference-estate.yaml"
    plan = load_plan(ref)
    one = dataclasses.replace(
        plan,
        specs=plan.specs[:1],
        workloads=plan.workloads[:1],
        purges=[plan.purges[0].model_copy(update={"every": "6h", "keep": "3h"})],
    )
    y = run_plan(one, 1)
    assert y.purges == 3 and y.purges_refused == []  # at 6, 12 and 18 h
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL.read_text() + "archive_purges:\n  - {app: fs_eva}\n")
    with pytest.raises(ConfigError, match="archive purge of 'fs_eva': no application"):
        load_plan(bad)
