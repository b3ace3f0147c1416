"""Builders shared by the XP simulator tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apprm_ref import persist
from apprm_ref.sim.world import World
from apprm_ref.sim.xp.backend import XpBackend

P, S, S2, S3, S4 = "01:10", "01:20", "01:21", "01:22", "01:23"
SIZE = 16


def make_world(seed: int = 7, *, ldevs: int = 8, size: int = SIZE) -> tuple[World, XpBackend]:
    world = World(seed)
    xp = world.add_array(XpBackend("xp1", serial=64123))
    xp.add_ldev(P, size)
    xp.add_ldev("01:11", size)
    for i in range(ldevs):
        xp.add_ldev(0x120 + i, size)
    xp.add_ldev("02:00", size * 2)  # a bigger LDEV for size guards
    return world, xp


def snapshot(xp: XpBackend) -> dict:
    """Plain dump of the whole array, to prove a refusal changed nothing."""
    return persist.dump(xp)


def run_to(world: World, t: float) -> None:
    world.clock.run_until(t + 1e-6)


def pair_in(world: World, xp: XpBackend, state: str, *, pvol: str = P, svol: str = S, mu: int = 0):
    """Bring (pvol, mu) with S-VOL ``svol`` into ``state`` (RWC name) and return the pair."""
    key = (pvol, mu)
    if state == "SMPL":
        return None
    split = state in ("COPY(SP)", "PSUS(SP)", "PSUS", "COPY(RS)", "COPY(RS-R)")
    done = xp.paircreate(pvol, svol, mu)
    if state == "COPY(PD)":
        return xp.pairs[f"{pvol}/{mu}"]
    run_to(world, done)
    if state == "PSUE":
        xp.pairsuspend([key])
    elif split:
        done = xp.pairsplit([key], quick=state == "PSUS(SP)")
        if state not in ("COPY(SP)", "PSUS(SP)"):
            run_to(world, done)
        if state == "COPY(RS)":
            xp.block_write(pvol, {1: "changed"})
            xp.pairresync([key])
        elif state == "COPY(RS-R)":
            xp.pairresync([key], restore=True)
    pair = xp.pairs[f"{pvol}/{mu}"]
    assert pair.state == state, (pair.state, state)
    return pair


CONF0 = """\
# /etc/horcm0.conf   (P-VOL side)
HORCM_MON
#ip_address   service   poll(10ms)   timeout(10ms)
localhost     31000     1000         3000

HORCM_CMD
#dev_name
\\\\.\\CMD-64123:/dev/sd

HORCM_LDEV
#dev_group   dev_name   Serial#   CU:LDEV(LDEV#)   MU#
ORA_BC       data01     64123     01:10            0
ORA_BC       data02     64123     01:11            0
ORA_B1       data01     64123     01:10            1

HORCM_INST
#dev_group   ip_address   service
ORA_BC       localhost    31001
ORA_B1       localhost    31001
"""

CONF1 = """\
HORCM_MON
localhost     31001     1000         3000

HORCM_CMD
\\\\.\\CMD-64123:/dev/sd

HORCM_LDEV
ORA_BC       data01     64123     01:20            0
ORA_BC       data02     64123     01:21            0
ORA_B1       data01     64123     01:22            0

HORCM_INST
ORA_BC       localhost    31000
ORA_B1       localhost    31000
"""


def cci_world(seed: int = 3):
    """A world with one XP, LUN paths to app/backup hosts, and instances 0 and 1."""
    from apprm_ref.sim.xp.cci.runner import SimCciRunner

    world, xp = make_world(seed)
    for lid in (P, "01:11"):
        xp.present(lid, "app")
    for lid in (S, S2, S3):
        xp.present(lid, "bkp", port="CL2-A")
    runner = SimCciRunner(world, {0: CONF0, 1: CONF1}, {"HORCMINST": "0", "HORCC_MRCF": "1"})
    return world, xp, runner


def store_lab(home: Path, world: Any) -> Path:
    """Save ``world`` as a lab the way the CLI keeps one (world and IDB in the lab store)."""
    from apprm_ref.lab.handle import LabHandle

    world.save(home / "world.json")
    lab = LabHandle(home, write=True).open()  # a writer moves world.json into the store
    try:
        lab.commit()
    finally:
        lab.close()
    return home


def lab_state(home: Path) -> dict[str, Any]:
    """What a command could change: the stored world, its generation, the HORCM files."""
    import sqlite3

    world = stored_world(home)
    with sqlite3.connect(home / "idb.sqlite") as db:
        generation = int(db.execute("SELECT generation FROM lab_world").fetchone()[0])
    files = {p.name: p.read_bytes() for p in sorted(home.glob("horcm*"))}
    return {"world": world.to_bytes(), "generation": generation, "files": files}


def stored_world(home: Path) -> Any:
    """The lab's committed world."""
    from apprm_ref.lab.handle import LabHandle

    lab = LabHandle(home).open()
    lab.close()
    return lab.world
