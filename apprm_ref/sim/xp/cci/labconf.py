"""HORCM configuration files for a lab: what an administrator writes for the estate's pairs.

Instance 0 describes the P-VOL side and instance 1 the S-VOL side of every Business Copy
pair of every XP in the world; each (array, MU) is one device group named ``<ARRAY>_MU<n>``
(upper-case, as RAID Manager group names usually are), each P-VOL one device in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp.cci.horcm import DevLine, HorcmConf, format_horcm

if TYPE_CHECKING:
    from apprm_ref.sim.world import World

SERVICES = ("horcm0", "horcm1")


def group_name(array: str, mu: int) -> str:
    return f"{array.upper()}_MU{mu}"


def lab_horcm(world: World) -> dict[int, str]:
    """``{instance: horcm<instance>.conf text}``; empty when the world has no XP pairs."""
    pside = HorcmConf(path="horcm0.conf", service=SERVICES[0])
    sside = HorcmConf(path="horcm1.conf", service=SERVICES[1])
    for name in sorted(world.arrays):
        xp = world.arrays[name]
        if getattr(xp, "kind", "") != "xp":
            continue
        pside.cmd.append(f"\\\\.\\CMD-{xp.serial}")
        sside.cmd.append(f"\\\\.\\CMD-{xp.serial}")
        for key in sorted(xp.pairs):
            pair = xp.pairs[key]
            if getattr(pair, "kind", "BC") != "BC":
                continue
            group = group_name(name, pair.mu)
            dev = f"dev_{pair.pvol.replace(':', '')}"
            pside.devs.append(DevLine(group, dev, 0, mu=pair.mu, serial=xp.serial, ldev=pair.pvol))
            sside.devs.append(DevLine(group, dev, 0, serial=xp.serial, ldev=pair.svol))
            pside.inst[group] = ("localhost", SERVICES[1])
            sside.inst[group] = ("localhost", SERVICES[0])
    if not pside.devs:
        return {}
    return {0: format_horcm(pside), 1: format_horcm(sside)}
