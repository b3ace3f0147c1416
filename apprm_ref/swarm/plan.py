"""A seed's fault plan: which catalogued sites are armed, how likely and how often.

Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): rather than every fault at a low
rate in every run, each seed enables a small random subset of the sites, each at its own
rate, so combinations that a uniform plan drowns out get exercised. The draw uses a
``random.Random`` seeded from the seed alone, so a seed always means the same plan.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields
from typing import Any

from apprm_ref.sim.eva.timing import EvaTiming
from apprm_ref.sim.fault_sites import SITES
from apprm_ref.sim.xp.timing import XpTiming

RATES = (0.05, 0.15, 0.35, 0.7)  # per-call firing probability of an armed site
FIRINGS = (1, 2, 3)  # how often an armed site may fire before it is spent
MAX_SITES = 4


@dataclass(frozen=True)
class ArmedSite:
    site: str
    probability: float
    times: int

    def to_step(self) -> dict[str, object]:
        """The scenario ``fault:`` step that arms the same rule (for shrunk files)."""
        return {"arm": self.site, "probability": self.probability, "times": self.times}


# Timing knobs (FoundationDB's "buggify" knobs): every latency and copy rate of the array
# simulators is scaled per seed by a factor in KNOB_BOUNDS around its default in
# ``sim/eva/timing.py`` / ``sim/xp/timing.py``. Those defaults are themselves (inferred)
# orders of magnitude, so the bounds span a factor of four: slower and faster arrays than the
# defaults, never a latency of zero or a copy that never ends.
KNOB_BOUNDS = (0.5, 2.0)
TIMINGS: dict[str, type] = {"eva": EvaTiming, "xp": XpTiming}


@dataclass(frozen=True)
class Knob:
    kind: str  # eva | xp: which arrays' timing it scales
    name: str  # a field of that kind's timing dataclass
    factor: float


@dataclass(frozen=True)
class SwarmPlan:
    seed: int
    armed: tuple[ArmedSite, ...]
    knobs: tuple[Knob, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "seed": self.seed,
            "armed": [asdict(a) for a in self.armed],
            "knobs": [asdict(k) for k in self.knobs],
        }

    def apply_knobs(self, arrays: dict[str, Any]) -> None:
        """Scale each array's timing by this seed's knobs (before any session runs)."""
        for name in sorted(arrays):
            timing = getattr(arrays[name], "timing", None)
            for knob in self.knobs:
                if isinstance(timing, TIMINGS[knob.kind]):
                    setattr(timing, knob.name, getattr(timing, knob.name) * knob.factor)


def draw_knobs(rng: random.Random) -> tuple[Knob, ...]:
    """A factor within ``KNOB_BOUNDS`` for every timing field of every array kind."""
    lo, hi = KNOB_BOUNDS
    return tuple(
        Knob(kind, f.name, round(rng.uniform(lo, hi), 3))
        for kind, cls in sorted(TIMINGS.items())
        for f in fields(cls)
    )


def draw_plan(seed: int, sites: tuple[str, ...] | None = None, *, faults: bool = True) -> SwarmPlan:
    """The plan of ``seed`` over ``sites`` (default: the whole catalogue). The knobs come
    from the seed alone, faults or not, so a shrunk file replayed without faults (its plan is
    in the file) runs at the same timing."""
    knobs = draw_knobs(random.Random(f"apprm-swarm-knobs:{seed}"))
    if not faults:
        return SwarmPlan(seed, (), knobs)
    pool = tuple(SITES) if sites is None else sites
    rng = random.Random(f"apprm-swarm:{seed}")
    k = rng.randint(1, min(MAX_SITES, len(pool)))
    chosen = sorted(rng.sample(pool, k))
    armed = tuple(ArmedSite(s, rng.choice(RATES), rng.choice(FIRINGS)) for s in chosen)
    return SwarmPlan(seed, armed, knobs)
