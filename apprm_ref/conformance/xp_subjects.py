"""Conformance subjects for split-mirror arrays: the simulated XP through its protocol door
(``sim-xp``) and the real RAID Manager driver over the simulator's CCI door (``xp-cci``).

The backdoor provisions LDEVs on the simulated array and, for the CCI subject, writes the
HORCM_LDEV lines that name a pair in both instances (what an administrator does before
RAID Manager can address a pair).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.sim_backdoors import SimBackdoor
from apprm_ref.sim.storage import MIB
from apprm_ref.sim.world import World

CONF = """HORCM_MON
localhost {mine} 1000 3000
HORCM_CMD
\\\\.\\CMD-{serial}:/dev/sd
HORCM_INST
CONF localhost {other}
"""


class XpBackdoor(SimBackdoor):
    def __init__(self, world: World, array: str, runner: Any = None) -> None:
        self.world, self.backend, self.runner = world, world.array(array), runner
        self._n = 0x300

    def provision_source(self, size_bytes: int) -> str:
        self._n += 1
        return self.backend.add_ldev(self._n, max(1, size_bytes // MIB)).id

    def destroy(self, volume: str) -> None:
        if self.runner is not None:
            for conf in self.runner.cci.confs.values():
                conf.devs = [d for d in conf.devs if d.ldev != volume]
        self.backend.delete_ldev(volume)

    def declare_pair(self, pvol: str, svol: str, mu: int) -> None:
        """Name the pair in the HORCM configuration (CCI subject only)."""
        if self.runner is None:
            return
        from apprm_ref.sim.xp.cci.horcm import DevLine

        confs = self.runner.cci.confs
        dev = f"d{pvol.replace(':', '')}m{mu}"
        confs[0].devs.append(DevLine("CONF", dev, 0, mu, serial=self.backend.serial, ldev=pvol))
        confs[1].devs.append(DevLine("CONF", dev, 0, 0, serial=self.backend.serial, ldev=svol))


def sim_xp_subject(seed: int = 0) -> tuple[Any, XpBackdoor]:
    """A fresh simulated XP, its protocol-door driver and backdoor."""
    from apprm_ref.sim.xp.backend import XpBackend
    from apprm_ref.sim.xp.driver import XpDriver

    world = World(seed)
    world.add_array(XpBackend("conf-xp"))
    return XpDriver(world, "conf-xp"), XpBackdoor(world, "conf-xp")


def cci_xp_subject(seed: int = 0) -> tuple[Any, XpBackdoor]:
    """The real XpCciDriver, its commands executed by the simulator's CCI door."""
    from apprm_ref.real.xp_cci import XpCciDriver
    from apprm_ref.sim.xp.backend import XpBackend
    from apprm_ref.sim.xp.cci.runner import SimCciRunner

    world = World(seed)
    xp = world.add_array(XpBackend("conf-xp"))
    confs = {
        0: CONF.format(mine=31000, other=31001, serial=xp.serial),
        1: CONF.format(mine=31001, other=31000, serial=xp.serial),
    }
    runner = SimCciRunner(world, confs, {"HORCMINST": "0", "HORCC_MRCF": "1"})
    driver = XpCciDriver(runner, 0, groups=["CONF"], now=world.now)
    return driver, XpBackdoor(world, "conf-xp", runner)
