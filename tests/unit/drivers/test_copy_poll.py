"""The polling rule for background copies (``drivers/copy_poll.py``): sleep to a reported
end only when every copy in progress reports one still ahead, else one poll interval; go on
only once no copy is in progress; stop exactly once at a limit."""

from __future__ import annotations

from apprm_ref.drivers.array import CopyState
from apprm_ref.drivers.copy_poll import COPY_POLL_SECONDS, next_look, poll_copies

DONE = CopyState(False, None, 1.0)


def test_next_look() -> None:
    assert next_look([DONE, DONE], 10.0) is None
    assert next_look([CopyState(True, 50.0), CopyState(True, 80.0), DONE], 10.0) == 80.0
    unknown = [CopyState(True, 500.0), CopyState(True, None, 0.3)]
    assert next_look(unknown, 10.0) == 10.0 + COPY_POLL_SECONDS  # an end is unknown
    assert next_look([CopyState(True, 10.0)], 10.0, 5.0) == 15.0  # end reached, still copying


class Array:
    """A copy that ends at ``end``; ``known`` whether the array says when."""

    def __init__(self, end: float, known: bool) -> None:
        self.t, self.end, self.known, self.looks = 0.0, end, known, 0

    def read(self) -> list[CopyState]:
        self.looks += 1
        if self.t >= self.end:
            return [DONE]
        return [CopyState(True, self.end if self.known else None, self.t / self.end)]

    def now(self) -> float:
        return self.t

    def wait_until(self, t: float) -> None:
        assert t > self.t, "a look never waits for nothing"
        self.t = t


def test_an_exact_end_is_one_sleep_and_one_more_look() -> None:
    a = Array(1234.5, known=True)
    assert poll_copies(a.read, a.now, a.wait_until) and (a.t, a.looks) == (1234.5, 2)


def test_an_unknown_end_is_polled_and_seen_within_one_interval() -> None:
    a = Array(1234.5, known=False)
    assert poll_copies(a.read, a.now, a.wait_until, interval=60.0)
    assert 1234.5 <= a.t < 1234.5 + 60.0 and a.looks == 22


def test_a_limit_stops_the_wait_once_with_the_copy_running() -> None:
    for known in (True, False):
        a = Array(1234.5, known=known)
        assert not poll_copies(a.read, a.now, a.wait_until, interval=60.0, limit=100.0)
        assert a.t == 100.0
    a = Array(50.0, known=False)
    assert poll_copies(a.read, a.now, a.wait_until, interval=60.0, limit=100.0)
    assert a.t == 60.0
