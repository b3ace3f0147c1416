"""A seed's fault plan: which catalogued sites are armed, how likely and how often.

Swarm testing (Groce et al., "Swarm Testing", ISSTA 2012): rather than every fault at a low
rate in every run, each seed enables a small random subset of the sites, each at its own
rate, so combinations that a uniform plan drowns out get exercised. The draw uses a
``random.Random`` seeded from the seed alone, so a seed always means the same plan.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from apprm_ref.sim.fault_sites import SITES

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


@dataclass(frozen=True)
class SwarmPlan:
    seed: int
    armed: tuple[ArmedSite, ...]

    def to_dict(self) -> dict[str, object]:
        return {"seed": self.seed, "armed": [asdict(a) for a in self.armed]}


def draw_plan(seed: int, sites: tuple[str, ...] | None = None, *, faults: bool = True) -> SwarmPlan:
    """The plan of ``seed`` over ``sites`` (default: the whole catalogue)."""
    if not faults:
        return SwarmPlan(seed, ())
    pool = tuple(SITES) if sites is None else sites
    rng = random.Random(f"apprm-swarm:{seed}")
    k = rng.randint(1, min(MAX_SITES, len(pool)))
    chosen = sorted(rng.sample(pool, k))
    armed = tuple(ArmedSite(s, rng.choice(RATES), rng.choice(FIRINGS)) for s in chosen)
    return SwarmPlan(seed, armed)
