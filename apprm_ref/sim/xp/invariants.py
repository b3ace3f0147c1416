"""ARR-I9..I12 checked on the plain data of one XP array (``world.check_invariants``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp.models import MIRRORING, SMPL, STATES, TRACKING, TRANSIENT

if TYPE_CHECKING:
    from apprm_ref.sim.xp.backend import XpBackend
    from apprm_ref.sim.xp.models import Pair


def check_backend(b: XpBackend) -> list[str]:
    problems: list[str] = []
    svols: dict[str, str] = {}
    for key in sorted(b.pairs):
        pair = b.pairs[key]
        problems += _shape(b, key, pair)
        if pair.kind == "BC":
            if pair.svol in svols:
                problems.append(f"ARR-I9: S-VOL {pair.svol} in {svols[pair.svol]} and {key}")
            svols[pair.svol] = key
        problems += _states(pair)
        problems += _differences(b, pair)
    problems += _cascade(b)
    for lid in b.excluded:
        if lid not in b.ldevs:
            problems.append(f"excluded LDEV {lid} does not exist")
    for g in sorted(b.host_groups):
        for lun, lid in sorted(b.host_groups[g].luns.items()):
            if lid not in b.ldevs:
                problems.append(f"{g} LUN {lun} maps missing LDEV {lid}")
    return problems


def _shape(b: XpBackend, key: str, pair: Pair) -> list[str]:
    out = []
    if key != pair.key:
        out.append(f"pair stored under {key} is {pair.key}")
    if pair.pvol not in b.ldevs:
        out.append(f"pair {key}: no P-VOL LDEV")
        return out
    if pair.kind == "CA":
        remote = b.world.arrays.get(pair.svol_array) if b.world is not None else None
        ldev = remote.ldevs.get(pair.svol) if remote is not None else None
        if ldev is None or ldev.ca_primary != f"{b.name}/{pair.pvol}":
            out.append(f"CA pair {key}: remote S-VOL link broken")
        return out
    if pair.svol not in b.ldevs:
        out.append(f"pair {key}: no S-VOL LDEV")
    elif b.ldevs[pair.svol].data.size_extents != b.ldevs[pair.pvol].data.size_extents:
        out.append(f"pair {key}: P-VOL and S-VOL differ in size")
    return out


def _states(pair: Pair) -> list[str]:
    out = []
    if pair.state not in STATES or pair.state == SMPL:
        out.append(f"ARR-I10: pair {pair.key} in impossible state {pair.state}")
    if (pair.state in TRANSIENT) != (pair.copy_done_at is not None):
        out.append(f"ARR-I10: pair {pair.key} {pair.state} copy_done_at={pair.copy_done_at}")
    if pair.state in MIRRORING and not pair.swap_freeze and (pair.pdiff or pair.sdiff):
        out.append(f"ARR-I11: pair {pair.key} {pair.state} keeps difference bitmaps")
    return out


def _differences(b: XpBackend, pair: Pair) -> list[str]:
    """ARR-I11/I12: every track where P-VOL and S-VOL differ is in the bitmaps."""
    if pair.state not in TRACKING or pair.state == "PSUE" or b.world is None:
        return []
    target = b.world.arrays[pair.svol_array] if pair.kind == "CA" else b
    p, s = b.content(pair.pvol), target.content(pair.svol)
    keys = set(p.written()) | set(s.written())
    differ = {i for i in keys if p.read(i) != s.read(i)}
    missing = differ - pair.pdiff - pair.sdiff
    if missing:
        return [f"ARR-I11: pair {pair.key} differs on untracked tracks {sorted(missing)[:8]}"]
    return []


def _cascade(b: XpBackend) -> list[str]:
    out = []
    for lid in sorted(b.ldevs):
        mine = b.pairs_of_pvol(lid)
        parent = b.pair_of_svol(lid)
        if parent is None:
            if len(mine) > 3 or any(p.mu not in (0, 1, 2) for p in mine):
                out.append(f"ARR-I9: P-VOL {lid} has L1 pairs MU {[p.mu for p in mine]}")
            continue
        if len(mine) > 2 or any(p.mu not in (1, 2) for p in mine):
            out.append(f"ARR-I9: node {lid} has L2 pairs MU {[p.mu for p in mine]}")
        if mine and b.pair_of_svol(parent.pvol) is not None:
            out.append(f"ARR-I9: {lid} is a third cascade level")
    return out
