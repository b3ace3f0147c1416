"""Schedules: recurrence -> run times, and a SimPy process that starts the sessions.

Model of ``vss-and-core.md`` §15 (inferred parts configurable): daily / weekly / monthly
recurrence every N units, optional repeat every H hours within the day, a holiday list
that skips runs only when the entry's Holidays option is on (VC-I21), disabled entries
skipped. A monthly day that a month lacks (31 in April) is skipped, not moved (inferred).
A run that fires while the previous one is still active starts anyway and queues.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import simpy

from apprm_ref.core.specs import BackupSpec, ScheduleEntry
from apprm_ref.errors import ConfigError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _hhmm(text: str, fld: str) -> time:
    try:
        hh, mm = text.split(":")
        return time(int(hh), int(mm))
    except (ValueError, TypeError):
        raise ConfigError(f"expected HH:MM, got {text!r}", field=fld) from None


def _months_between(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + b.month - a.month


def _day_matches(entry: ScheduleEntry, first: date, d: date) -> bool:
    if d < first:
        return False
    if entry.recurrence == "once":
        return d == first
    if entry.recurrence == "daily":
        return (d - first).days % entry.every == 0
    if entry.recurrence == "weekly":
        days = entry.weekdays or (WEEKDAYS[first.weekday()],)
        week = ((d - first).days + first.weekday()) // 7
        return WEEKDAYS[d.weekday()] in days and week % entry.every == 0
    dom = entry.day_of_month or first.day
    return d.day == dom and _months_between(first, d) % entry.every == 0


def _times_in_day(entry: ScheduleEntry) -> list[time]:
    start = _hhmm(entry.start, "schedules.start")
    if not entry.repeat_hours:
        return [start]
    end = _hhmm(entry.until, "schedules.until") if entry.until else time(23, 59)
    out: list[time] = []
    minutes: float = start.hour * 60 + start.minute
    limit = end.hour * 60 + end.minute
    step = entry.repeat_hours * 60
    while minutes <= limit:
        out.append(time(int(minutes // 60), int(minutes % 60)))
        minutes += step
    return out


def validate_entry(entry: ScheduleEntry) -> None:
    _times_in_day(entry)
    if entry.start_date:
        try:
            date.fromisoformat(entry.start_date)
        except ValueError:
            raise ConfigError(
                f"expected YYYY-MM-DD, got {entry.start_date!r}", field="schedules.start_date"
            ) from None
    bad = [w for w in entry.weekdays if w not in WEEKDAYS]
    if bad:
        raise ConfigError(f"unknown weekday {bad[0]!r} (mon..sun)", field="schedules.weekdays")


def run_times(
    entry: ScheduleEntry,
    epoch: datetime,
    after: datetime,
    until: datetime,
    holidays: frozenset[date] = frozenset(),
) -> Iterator[datetime]:
    """Every run of ``entry`` in [after, until), in order."""
    validate_entry(entry)
    if entry.disabled:
        return
    first = date.fromisoformat(entry.start_date) if entry.start_date else epoch.date()
    times = _times_in_day(entry)
    d = max(first, after.date())
    while d <= until.date():
        if _day_matches(entry, first, d) and not (entry.holidays and d in holidays):
            for t in times:
                when = datetime.combine(d, t, tzinfo=epoch.tzinfo)
                if after <= when < until:
                    yield when
        d += timedelta(days=1)


def spec_run_times(
    spec: BackupSpec, epoch: datetime, after: datetime, until: datetime
) -> list[datetime]:
    """Merged runs of every entry; two entries at the same minute give one run."""
    holidays = frozenset(date.fromisoformat(h) for h in spec.holidays)
    merged = {t for e in spec.schedules for t in run_times(e, epoch, after, until, holidays)}
    return sorted(merged)


class Scheduler:
    """Starts scheduled sessions in simulated time through ``start(spec_name)``."""

    def __init__(
        self, env: simpy.Environment, epoch: datetime, start: Callable[[str], Any]
    ) -> None:
        self.env = env
        self.epoch = epoch
        self.start = start
        self.started: list[tuple[float, str]] = []

    def plan(
        self, specs: list[BackupSpec], horizon_s: float, since_s: float | None = None
    ) -> list[tuple[float, str]]:
        """Runs in [since, horizon) (since defaults to now); an overdue run starts at once."""
        start = float(self.env.now) if since_s is None else since_s
        after = self.epoch + timedelta(seconds=start)
        until = self.epoch + timedelta(seconds=horizon_s)
        runs = [
            ((t - self.epoch).total_seconds(), s.name)
            for s in specs
            for t in spec_run_times(s, self.epoch, after, until)
        ]
        return sorted(runs)

    def run(
        self, specs: list[BackupSpec], horizon_s: float, since_s: float | None = None
    ) -> simpy.Process:
        return self.env.process(self._loop(self.plan(specs, horizon_s, since_s)))

    def _loop(self, runs: list[tuple[float, str]]) -> Generator[simpy.Event, Any, None]:
        for at, name in runs:
            if at > self.env.now:
                yield self.env.timeout(at - self.env.now)
            self.started.append((at, name))
            self.start(name)
