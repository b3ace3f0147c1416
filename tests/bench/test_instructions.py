"""``bench.instructions``: the cost of simulated days counted in instructions (callgrind).

The counted run is slow (valgrind runs the interpreter about 50 times slower), so one
small window is counted: a database's second day. The other tests check the parsing and
the refusals without valgrind.
"""

from __future__ import annotations

import os
import shutil

import pytest

from bench import instructions as bi

HAVE_VALGRIND = shutil.which("valgrind") is not None
# the line callgrind 3.19 prints on standard error when its program ends
ENDED = "==4242== Events    : Ir\n==4242== Collected : 3651832676\n==4242==\n==4242== I   refs:"


def test_the_count_is_read_from_callgrinds_last_words() -> None:
    assert bi.collected(ENDED) == 3651832676


@pytest.mark.parametrize("stderr", ["", "Traceback (most recent call last):\n", ENDED + ENDED])
def test_no_single_count_is_an_error(stderr: str) -> None:
    with pytest.raises(bi.CountError):
        bi.collected(stderr)


def test_bad_windows_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--days", "0"], ["--first-day", "0"], ["--databases", "0"]):
        with pytest.raises(SystemExit):
            bi.main(argv)
        assert "must be at least 1" in capsys.readouterr().err


def test_a_missing_valgrind_is_said(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bi.shutil, "which", lambda _name: None)
    assert bi.main(["--days", "1"]) == 1
    assert "valgrind is not installed" in capsys.readouterr().err


@pytest.mark.skipif(
    not HAVE_VALGRIND and not os.environ.get("APPRM_CI"), reason="valgrind not installed"
)
def test_a_day_is_counted_against_its_floor() -> None:
    out = bi.measure(databases=1, first_day=1, days=1)
    # measured on 4 Dec 2026: 70.0 M instructions for the day, 2.43 M for its floor
    assert 30_000_000 < out["instructions_per_db_day"] < 150_000_000
    assert 1_000_000 < out["floor_instructions_per_day"] < 10_000_000
    assert out["cost_over_floor_instructions"] == pytest.approx(
        out["instructions_per_db_day"] / out["floor_instructions_per_day"], rel=0.01
    )
    # the window's counts are the schedule's: 4 backups (and the day's restore)
    assert out["window_sessions_per_day"] == 5
    assert out["window_events_per_day"] > 0 and out["window_rows_per_day"] > 0
