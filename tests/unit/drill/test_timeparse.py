"""Simulated time expressions of scenario files."""

from __future__ import annotations

import pytest

from apprm_ref.drill.timeparse import format_at, parse_at, parse_duration, short_at, short_duration


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("0s", 0), (90, 90), ("90", 90), ("2h", 7200), ("1h30m", 5400), ("1d 03:00", 97200),
     ("03:00", 10800), ("6d 18:40:30", 6 * 86400 + 67230), ("1w", 604800), ("2.5m", 150)],
)  # fmt: skip
def test_parse_at(text: str | int, seconds: float) -> None:
    assert parse_at(text) == seconds


def test_relative_to_previous_step() -> None:
    assert parse_at("+15m", previous=3600) == 4500


@pytest.mark.parametrize("text", ["soon", "25:00", "1d 03:61", "-5m", "h", ""])
def test_bad_times(text: str) -> None:
    with pytest.raises(ValueError):
        parse_at(text)


def test_durations_refuse_negative_and_bool() -> None:
    with pytest.raises(ValueError):
        parse_duration(-1)
    with pytest.raises(ValueError):
        parse_duration(True)


def test_formats() -> None:
    assert format_at(93784.5) == "1d 02:03:04.500"
    assert short_at(3621) == "01:00:21" and short_at(86400 * 2) == "2d 00:00:00"
    assert short_duration(1014) == "16m54s" and short_duration(7500) == "2h05m00s"
    assert short_duration(5) == "5s" and short_duration(3 * 86400 + 7200) == "3d 02h00m"
