"""``pairevtwait``: wait in simulated time for a group to reach a status (protocols.md 2.7).

With ``-t`` the command runs the world's clock forward, event by event, until every pair
shows a wanted status (exit 0), a pair falls into PSUE (``EX_EWSUSE``) or the timeout is
reached (``EX_EWSTOT``, the clock then stands at the deadline). ``-nowait`` / ``-nowaits``
return the current P-VOL / S-VOL status as the exit code at once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import resolve
from apprm_ref.sim.xp.models import Pair, cci_status

if TYPE_CHECKING:
    from apprm_ref.sim.xp.cci.args import Args
    from apprm_ref.sim.xp.cci.commands import Cci

NOWAIT_CODES = {"smpl": 1, "copy": 2, "pair": 3, "psus": 4, "psue": 5}
# status words accepted after -s / -ss: ssus is the S-VOL name of psus, rcpy waits as copy
_ALIASES = {"ssus": "psus", "rcpy": "copy"}
_ORDER = ["copy", "psue", "psus", "pair", "smpl"]
MAX_STEPS = 10_000


def side_status(pair: Pair, role: str) -> str:
    return cci_status(pair.state, role)


def _statuses(cci: Cci, args: Args, side: str) -> tuple[list[str], list[resolve.View]]:
    tc = cci.tc(args)
    views = []
    for v in cci.views(args):
        v.dev.local.array.settle()
        v.dev.remote.array.settle()
        views.append(resolve.view(v.dev, tc))
    out = []
    for v in views:
        if v.pair is None:
            out.append("smpl")
            continue
        s = side_status(v.pair, side).lower()
        out.append({"rcpy": "copy", "ssus": "psus"}.get(s, s))
    return out, views


def _next_event(views: list[resolve.View], now: float) -> float | None:
    times = []
    for v in views:
        p = v.pair
        if p is not None and p.copy_done_at is not None:
            times.append(p.abort_at if p.abort_at is not None else p.copy_done_at)
    later = [t for t in times if t >= now]
    return min(later) if later else None


def _wanted(args: Args) -> dict[str, set[str]]:
    """{side: statuses} of -s (P-VOL side) and -ss (S-VOL side)."""
    out = {}
    for opt, side in (("-s", "P"), ("-ss", "S")):
        words = [w.lower() for w in args.opts.get(opt, [])]
        bad = [w for w in words if w not in NOWAIT_CODES and w not in _ALIASES]
        if bad:
            xe.refuse("EX_INVARG", f"unknown status {bad[0]}")
        if words:
            out[side] = {_ALIASES.get(w, w) for w in words}
    if not out:
        xe.refuse("EX_REQARG", "pairevtwait needs -s <status> or -ss <status>")
    return out


def _done(msg: str, args: Args) -> tuple[int, str]:
    return 0, "" if args.has("-nomsg") else msg


def pairevtwait(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-nowait") or args.has("-nowaits"):
        if args.has("-nowait") and args.has("-nowaits"):
            xe.refuse("EX_INVARG", "-nowait and -nowaits exclude each other")
        statuses, _ = _statuses(cci, args, "S" if args.has("-nowaits") else "P")
        worst = min(statuses, key=_ORDER.index)
        return NOWAIT_CODES[worst], ""
    wanted = _wanted(args)
    if not args.has("-t"):
        xe.refuse("EX_REQARG", "pairevtwait needs -t <timeout>")
    timeout = float(args.number("-t") or 0)
    clock = cci.world.clock
    start = clock.now()
    deadline = start + timeout
    vals = args.opts["-t"]
    interval = float(vals[1]) if len(vals) > 1 else None
    if cci.world.env.active_process is not None:
        if len(wanted) > 1:
            xe.refuse("EX_UNWOPT", "-s with -ss inside a running process is not implemented")
        side, want = next(iter(wanted.items()))
        return _predict(cci, args, side, want, deadline)
    for _ in range(MAX_STEPS):
        views: list[resolve.View] = []
        reached = True
        for side in sorted(wanted):
            statuses, views = _statuses(cci, args, side)
            if "psue" in statuses and "psue" not in wanted[side]:
                xe.refuse("EX_EWSUSE", "pair suspended at WAIT state")
            reached = reached and all(s in wanted[side] for s in statuses)
        if reached:
            _to_poll(clock, start, interval, deadline)
            return _done("pairevtwait : Wait status done.\n", args)
        nxt = _next_event(views, clock.now())
        if clock.now() >= deadline:
            break
        clock.run_until(min(deadline, nxt) if nxt is not None else deadline)
    xe.refuse("EX_EWSTOT", f"no status {sorted(map(sorted, wanted.values()))} within {timeout:g} s")


def _to_poll(clock, start: float, interval: float | None, deadline: float) -> None:  # type: ignore[no-untyped-def]
    """With ``-t <timeout> <interval>`` the status is looked at every ``interval`` seconds:
    the command returns at the first look after the status was reached."""
    if interval is None or clock.now() <= start:
        return
    polls = -(-(clock.now() - start) // interval)
    when = min(deadline, start + polls * interval)
    if when > clock.now():
        clock.run_until(when)


def pairsyncwait(cci: Cci, args: Args) -> tuple[int, str]:
    """``pairsyncwait`` confirms that a TrueCopy Async / Universal Replicator sequence
    marker reached the S-VOL. The simulated pairs are ShadowImage or synchronous TrueCopy,
    so the command is refused as RAID Manager refuses it on such volumes (EX_INVVOL)."""
    views = cci.views(args)
    if any(v.pair is None for v in views):
        xe.refuse("EX_INVVOL", "pairsyncwait: the group has SMPL volumes")
    xe.refuse("EX_INVVOL", "pairsyncwait needs TrueCopy Async / UR volumes")


def _predict(cci: Cci, args: Args, side: str, wanted: set[str], deadline: float) -> tuple[int, str]:
    """Called from inside a running SimPy process the command cannot run the clock: it
    works out when the wait ends from the pending completions and books that time on
    ``cci.busy_until`` (the runner's ``now``), which the caller then waits for."""
    statuses, views = _statuses(cci, args, side)
    done = cci.world.now()
    for status, v in zip(statuses, views, strict=True):
        if status in wanted:
            continue
        pair = v.pair
        if status == "psue" or (pair is not None and pair.abort_at is not None):
            cci.busy_until = max(cci.busy_until, pair.abort_at or done if pair else done)
            xe.refuse("EX_EWSUSE", "pair suspended at WAIT state")
        after = None
        if pair is not None and pair.copy_done_at is not None:
            after = side_status(_Next(pair.next_state), v.role or side).lower()
            after = {"rcpy": "copy", "ssus": "psus"}.get(after, after)
        if after not in wanted or pair.copy_done_at > deadline:
            cci.busy_until = max(cci.busy_until, deadline)
            xe.refuse("EX_EWSTOT", f"no status {sorted(wanted)} before the timeout")
        done = max(done, pair.copy_done_at)
    cci.busy_until = max(cci.busy_until, done)
    return 0, "pairevtwait : Wait status done.\n"


class _Next:
    """A stand-in pair in its next state, for :func:`side_status`."""

    def __init__(self, state: str) -> None:
        self.state = state
