"""The only source of time.

Simulated seconds since the world's epoch map to UTC datetimes, used for session IDs and
messages. Nothing in core/ or sim/ reads the wall clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

import simpy

DEFAULT_EPOCH = datetime(2008, 3, 3, 0, 0, 0, tzinfo=UTC)
DateTime = datetime  # for annotations inside classes whose ``datetime`` method shadows it


class Clock(Protocol):
    env: simpy.Environment
    epoch: datetime

    def now(self) -> float: ...

    def datetime(self) -> datetime: ...


@dataclass
class SimClock:
    """Simulated time over a ``simpy.Environment``; ``now`` is seconds since ``epoch``."""

    env: simpy.Environment
    epoch: datetime = DEFAULT_EPOCH

    @classmethod
    def start(cls, *, epoch: datetime = DEFAULT_EPOCH, at: float = 0.0) -> SimClock:
        return cls(simpy.Environment(initial_time=at), epoch)

    def now(self) -> float:
        return float(self.env.now)

    def datetime(self) -> datetime:
        return self.at(self.now())

    def at(self, seconds: float) -> DateTime:
        return self.epoch + timedelta(seconds=seconds)

    def seconds_of(self, when: DateTime) -> float:
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return (when - self.epoch).total_seconds()

    def advance(self, seconds: float) -> None:
        """Run every pending event up to ``now + seconds``."""
        if seconds < 0:
            raise ValueError("time does not go backwards")
        self.run_until(self.env.now + seconds)

    def run_until(self, seconds: float) -> None:
        """Run every event up to and including those scheduled at exactly ``seconds``."""
        if seconds > self.env.now:
            self.env.run(until=seconds)
        while self.env.peek() <= seconds:
            self.env.step()


def parse_duration(text: str | int | float) -> float:
    """``90``, ``"90s"``, ``"15m"``, ``"2h"``, ``"3d"``, ``"1w"`` -> seconds."""
    if isinstance(text, int | float):
        return float(text)
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    t = text.strip()
    if t and t[-1] in units:
        return float(t[:-1]) * units[t[-1]]
    return float(t)
