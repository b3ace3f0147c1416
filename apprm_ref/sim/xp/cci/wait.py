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


def pairevtwait(cci: Cci, args: Args) -> tuple[int, str]:
    if args.has("-nowait") or args.has("-nowaits"):
        statuses, _ = _statuses(cci, args, "S" if args.has("-nowaits") else "P")
        worst = min(statuses, key=_ORDER.index)
        return NOWAIT_CODES[worst], ""
    side = "S" if args.has("-ss") else "P"
    wanted = {s.lower() for s in args.opts.get("-ss" if side == "S" else "-s", [])}
    if not wanted:
        xe.refuse("EX_REQARG", "pairevtwait needs -s <status> or -ss <status>")
    bad = wanted - set(NOWAIT_CODES)
    if bad:
        xe.refuse("EX_INVARG", f"unknown status {sorted(bad)[0]}")
    if not args.has("-t"):
        xe.refuse("EX_REQARG", "pairevtwait needs -t <timeout>")
    try:
        timeout = float(args.opts["-t"][0])
    except ValueError:
        xe.refuse("EX_INVARG", "-t takes a number of seconds")
    clock = cci.world.clock
    deadline = clock.now() + timeout
    if cci.world.env.active_process is not None:
        return _predict(cci, args, side, wanted, deadline)
    for _ in range(MAX_STEPS):
        statuses, views = _statuses(cci, args, side)
        if all(s in wanted for s in statuses):
            return 0, "pairevtwait : Wait status done.\n"
        if "psue" in statuses and "psue" not in wanted:
            xe.refuse("EX_EWSUSE", "pair suspended at WAIT state")
        nxt = _next_event(views, clock.now())
        if clock.now() >= deadline:
            break
        clock.run_until(min(deadline, nxt) if nxt is not None else deadline)
    xe.refuse("EX_EWSTOT", f"no status {sorted(wanted)} within {timeout:g} s")


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
