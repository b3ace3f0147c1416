"""``pairdisplay`` and ``pairvolchk``: what the array says about a group, printed.

``%`` is the copy concordance RAID Manager shows (the share of tracks identical on both
volumes: 100 in PAIR, the copied share during a copy, 100 minus the differences while
split), and ``M`` is ``W`` on the P-VOL row of a split pair whose S-VOL accepts writes
(protocols.md 2.5; BC-exec.sh logs show ``P-VOL PSUS,  100 ... W`` right after a split).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import hostdev, resolve
from apprm_ref.sim.xp.cci.formats import Row, pairdisplay_text, pairvolchk_line
from apprm_ref.sim.xp.cci.formats_ext import Ext
from apprm_ref.sim.xp.cci.wait import side_status
from apprm_ref.sim.xp.models import TRACKING

if TYPE_CHECKING:
    from apprm_ref.sim.xp.cci.args import Args
    from apprm_ref.sim.xp.cci.commands import Cci


def concordance(arr, pair, now: float) -> int:  # type: ignore[no-untyped-def]
    """Percent of tracks identical on P-VOL and S-VOL."""
    size = arr.ldevs[pair.pvol].data.size_extents or 1
    if pair.state in TRACKING:
        return (size - len(pair.pdiff | pair.sdiff)) * 100 // size
    if pair.copy_done_at is not None:
        left = round(pair.copy_tracks * (1.0 - pair.fraction(now)))
        return max(0, size - left) * 100 // size
    return 100


def _where(me: resolve.Side) -> tuple:
    line = me.line
    if line.port:
        port = line.port if line.port.count("-") == 2 else f"{line.port}-0"
        return port, line.tid, line.lu
    paths = me.array.paths_of(me.ldev)
    return paths[0] if paths else (None, None, None)


def _row(cci: Cci, v: resolve.View, side: str, tc: bool, now: float) -> Row:
    me = v.dev.local if side == "L" else v.dev.remote
    other = v.dev.remote if side == "L" else v.dev.local
    port, tid, lu = _where(me)
    role = None if v.pair is None else ("P" if (me is v.primary) else "S")
    base = dict(
        group=v.dev.group,
        dev=v.dev.name,
        lr=side,
        port=port,
        tid=tid,
        lu=lu,
        mu=None if tc else me.mu,
        serial=me.array.serial,
        ldev=me.array.ldevs[me.ldev].number,
        fence="NEVER" if tc else None,
        device=hostdev.device_file(cci.world, cci.env, me.array.name, me.ldev),
    )
    if role is None:
        return Row(ps="SMPL", status=None, **base)
    pair = v.pair
    status = side_status(pair, role)
    writable = role == "P" and status == "PSUS" and pair.svol_rw
    return Row(
        ps="P-VOL" if role == "P" else "S-VOL",
        status=status,
        partner_serial=other.array.serial if role == "P" else None,
        percent=concordance(v.primary.array, pair, now),
        partner_ldev=other.array.ldevs[other.ldev].number,
        m="W" if writable else "-",
        ext=Ext(p="N"),  # a CA pair: no CTG, journal, external LUN or GAD mode
        **base,
    )


def settled_views(cci: Cci, args: Args) -> list[resolve.View]:
    tc = cci.tc(args)
    out = []
    for v in cci.views(args):
        v.dev.local.array.settle()
        v.dev.remote.array.settle()
        out.append(resolve.view(v.dev, tc))
    return out


def pairdisplay(cci: Cci, args: Args) -> tuple[int, str]:
    if "d" in args.fmt and ("c" in args.fmt or "e" in args.fmt):
        xe.refuse("EX_UNWOPT", "pairdisplay -fd together with -fc or -fe is not implemented")
    tc = cci.tc(args)
    if "e" in args.fmt and not tc:
        xe.refuse("EX_UNWOPT", "pairdisplay -fe on a Business Copy (MRCF) group is not implemented")
    now = cci.world.now()
    rows = []
    for v in settled_views(cci, args):
        rows.append(_row(cci, v, "L", tc, now))
        if not args.has("-l"):
            rows.append(_row(cci, v, "R", tc, now))
    fmt = args.fmt
    text = pairdisplay_text(
        rows,
        tc=tc,
        fc="c" in fmt,
        hexa="x" in fmt,
        cli=args.has("-CLI"),
        fd="d" in fmt,
        fe="e" in fmt,
    )
    return 0, text


_PRECEDENCE = ["COPY", "RCPY", "PSUE", "PSUS", "SSUS", "PAIR"]
_VOLCHK = {"SMPL": 11, "COPY": 2, "RCPY": 2, "PAIR": 3, "PSUS": 4, "SSUS": 4, "PSUE": 5}


def pairvolchk(cci: Cci, args: Args) -> tuple[int, str]:
    tc = cci.tc(args)
    views = settled_views(cci, args)
    roles = {v.role for v in views if v.pair is not None} | (
        {None} if any(v.pair is None for v in views) else set()
    )
    if len(roles) > 1:
        xe.refuse("EX_ENQVOL", f"group {views[0].dev.group} mixes volume attributes")
    role = roles.pop()
    quiet = args.has("-nomsg")
    if role is None:
        rc = 11 if args.has("-s") or args.has("-ss") else 1
        return rc, "" if quiet else pairvolchk_line("SMPL", None) + "\n"
    statuses = [side_status(v.pair, role) for v in views]
    status = min(statuses, key=lambda s: _PRECEDENCE.index(s) if s in _PRECEDENCE else 99)
    attr = "P-VOL" if role == "P" else "S-VOL"
    line = "" if quiet else pairvolchk_line(attr, status, fence="NEVER" if tc else None) + "\n"
    if not (args.has("-s") or args.has("-ss")):
        return (2 if role == "P" else 3), line
    return (20 if role == "P" else 30) + _VOLCHK[status], line
