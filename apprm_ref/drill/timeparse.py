"""Simulated time expressions in scenario files.

``"0s"``, ``"90"``, ``"2h"``, ``"1h30m"``, ``"1d 03:00"`` (day 1 at 03:00), ``"03:00"``
(day 0) and ``"+15m"`` (relative to the previous step). All results are seconds since the
world's epoch; nothing here reads the wall clock.
"""

from __future__ import annotations

import re

_UNITS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_RE = re.compile(r"^(?:(\d+(?:\.\d+)?)\s*([wdhms]))+$")
_PART_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([wdhms])")
_CLOCK_RE = re.compile(r"^(?:(\d+)d\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?$")

EXPECTED = "a time like 0s, 90, 2h, 1h30m, 1d 03:00, 03:00 or +15m"


def parse_duration(text: str | int | float) -> float:
    """A non-negative duration: a number of seconds or unit parts (``1h30m``)."""
    if isinstance(text, bool):
        raise ValueError(f"expected a duration like 90s, 15m, 2h or 1d, got {text!r}")
    if isinstance(text, int | float):
        if text < 0:
            raise ValueError("a duration cannot be negative")
        return float(text)
    t = text.strip().replace(" ", "")
    if re.fullmatch(r"\d+(?:\.\d+)?", t):
        return float(t)
    if not t or not _DURATION_RE.match(t):
        raise ValueError(f"expected a duration like 90s, 15m, 2h or 1d, got {text!r}")
    return float(sum(float(n) * _UNITS[u] for n, u in _PART_RE.findall(t)))


def parse_at(text: str | int | float, previous: float = 0.0) -> float:
    """A step time in seconds since the epoch; ``+D`` is relative to ``previous``."""
    if isinstance(text, str):
        t = text.strip()
        if t.startswith("+"):
            return previous + parse_duration(t[1:])
        m = _CLOCK_RE.match(t)
        if m:
            day, hh, mm, ss = (int(g) if g else 0 for g in m.groups())
            if hh > 23 or mm > 59 or ss > 59:
                raise ValueError(f"not a time of day: {text!r}")
            return float(day * 86400 + hh * 3600 + mm * 60 + ss)
    try:
        return parse_duration(text)
    except ValueError:
        raise ValueError(f"expected {EXPECTED}, got {text!r}") from None


def format_at(seconds: float) -> str:
    """``93784.0`` -> ``"1d 02:03:04"`` (trace and report display)."""
    whole = int(seconds)
    frac = seconds - whole
    d, rem = divmod(whole, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    tail = f"{frac:.3f}"[1:] if frac else ""
    return f"{d}d {h:02d}:{m:02d}:{s:02d}{tail}"


def short_at(seconds: float) -> str:
    """Whole seconds, day shown only when not 0: ``"01:00:21"``, ``"2d 06:00:00"``."""
    whole = int(round(seconds))
    d, rem = divmod(whole, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    return (f"{d}d " if d else "") + f"{h:02d}:{m:02d}:{s:02d}"


def short_duration(seconds: float) -> str:
    """``"16m54s"``, ``"2h05m00s"``, ``"3d 02h00m"``, ``"0s"``."""
    whole = int(round(seconds))
    d, rem = divmod(whole, 86400)
    h, rem = divmod(rem, 3600)
    m, s = divmod(rem, 60)
    if d:
        return f"{d}d {h:02d}h{m:02d}m"
    if h:
        return f"{h}h{m:02d}m{s:02d}s"
    return f"{m}m{s:02d}s" if m else f"{s}s"
