from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import simpy

from apprm_ref.core.scheduler import Scheduler, run_times, spec_run_times
from apprm_ref.core.specs import BackupSpec, ScheduleEntry
from apprm_ref.errors import ConfigError

EPOCH = datetime(2008, 1, 1, tzinfo=UTC)


def _runs(
    entry: ScheduleEntry, start: datetime, end: datetime, holidays=frozenset()
) -> list[datetime]:  # type: ignore[no-untyped-def]
    return list(run_times(entry, EPOCH, start, end, holidays))


@pytest.mark.rule("VC-P16")
def test_monthly_on_the_31st_skips_short_months_across_a_leap_year() -> None:
    entry = ScheduleEntry(
        recurrence="monthly", day_of_month=31, start="22:00", start_date="2008-01-01"
    )
    runs = _runs(entry, EPOCH, datetime(2009, 1, 1, tzinfo=UTC))
    assert [r.month for r in runs] == [1, 3, 5, 7, 8, 10, 12]
    feb29 = ScheduleEntry(recurrence="monthly", day_of_month=29, start_date="2008-01-01")
    runs = _runs(feb29, EPOCH, datetime(2009, 4, 1, tzinfo=UTC))
    assert date(2008, 2, 29) in [r.date() for r in runs]
    assert all(not (r.year == 2009 and r.month == 2) for r in runs)


@pytest.mark.rule("VC-P16")
def test_daily_repeat_within_day_and_every_n_days() -> None:
    entry = ScheduleEntry(
        recurrence="daily", every=2, start="00:00", repeat_hours=6, start_date="2008-02-27"
    )
    runs = _runs(entry, datetime(2008, 2, 27, tzinfo=UTC), datetime(2008, 3, 3, tzinfo=UTC))
    assert [r.strftime("%m-%d %H") for r in runs] == [
        f"{d} {h:02d}" for d in ("02-27", "02-29", "03-02") for h in (0, 6, 12, 18)
    ]


@pytest.mark.rule("VC-P16")
def test_weekly_on_chosen_weekdays_every_other_week() -> None:
    entry = ScheduleEntry(
        recurrence="weekly",
        every=2,
        weekdays=("mon", "fri"),
        start="01:30",
        start_date="2008-01-07",
    )
    runs = _runs(entry, EPOCH, datetime(2008, 2, 1, tzinfo=UTC))
    assert [r.strftime("%a %d") for r in runs] == ["Mon 07", "Fri 11", "Mon 21", "Fri 25"]


@pytest.mark.rule("VC-I21")
def test_holidays_skip_only_when_the_option_is_on() -> None:
    hol = frozenset({date(2008, 1, 2)})
    on = ScheduleEntry(recurrence="daily", start="03:00", holidays=True)
    off = ScheduleEntry(recurrence="daily", start="03:00")
    end = datetime(2008, 1, 4, tzinfo=UTC)
    assert [r.day for r in _runs(on, EPOCH, end, hol)] == [1, 3]
    assert [r.day for r in _runs(off, EPOCH, end, hol)] == [1, 2, 3]


def test_disabled_entries_do_not_run_and_duplicates_merge() -> None:
    spec = BackupSpec(
        name="s",
        application_system="h",
        array="a",
        objects=["/d"],
        schedules=[
            ScheduleEntry(start="01:00"),
            ScheduleEntry(start="01:00"),
            ScheduleEntry(start="05:00", disabled=True),
        ],
    )
    runs = spec_run_times(spec, EPOCH, EPOCH, datetime(2008, 1, 3, tzinfo=UTC))
    assert [r.strftime("%d %H") for r in runs] == ["01 01", "02 01"]


def test_bad_times_are_config_errors() -> None:
    with pytest.raises(ConfigError) as err:
        _runs(ScheduleEntry(start="25"), EPOCH, datetime(2008, 1, 2, tzinfo=UTC))
    assert err.value.field == "schedules.start"
    with pytest.raises(ConfigError):
        _runs(
            ScheduleEntry(recurrence="weekly", weekdays=("funday",)),
            EPOCH,
            EPOCH,
            datetime(2008, 1, 2, tzinfo=UTC),
        )


def test_scheduler_starts_sessions_at_their_simulated_times() -> None:
    env = simpy.Environment()
    started: list[tuple[float, str]] = []
    sched = Scheduler(env, EPOCH, lambda name: started.append((env.now, name)))
    spec = BackupSpec(
        name="s",
        application_system="h",
        array="a",
        objects=["/d"],
        schedules=[ScheduleEntry(start="06:00", repeat_hours=6)],
    )
    sched.run([spec], 2 * 86400)
    env.run(until=2 * 86400)
    assert [t for t, _ in started] == [h * 3600 for h in (6, 12, 18, 30, 36, 42)]
