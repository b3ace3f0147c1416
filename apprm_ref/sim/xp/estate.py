"""Build an XP from the ``xp`` section of an estate: LDEVs, LUN paths, pairs, exclude list.

Pairs listed in the estate are created and left to reach PAIR (their initial copy runs as
one completion event), as an administrator prepares them before the first ZDB session.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.errors import ConfigError
from apprm_ref.sim.xp.backend import XpBackend

if TYPE_CHECKING:
    from apprm_ref.sim.estate import XpCfg
    from apprm_ref.sim.world import World


def build_xp(world: World, cfg: XpCfg) -> dict[str, str]:
    xp = world.add_array(XpBackend(cfg.name, serial=cfg.serial, model=cfg.model))
    names: dict[str, str] = {}
    for ld in cfg.ldevs:
        extent = 1024 * 1024
        if ld.size % extent:
            raise ConfigError(
                f"LDEV {ld.id}: size is not a multiple of 1 MiB", field="arrays.ldevs.size"
            )
        ldev = xp.add_ldev(ld.id, ld.size // extent)
        names[f"{cfg.name}/{ld.id}"] = ldev.id
        for host in ld.present_to:
            xp.present(ldev.id, host, port=ld.port)
    for pair in cfg.pairs:
        xp.paircreate(pair.pvol, pair.svol, pair.mu)
    for lid in cfg.exclude:
        xp.exclude(lid)
    if cfg.pairs:
        done = max((p.copy_done_at or 0.0) for p in xp.pairs.values())
        world.clock.run_until(done + 1.0)
    return names
