"""pywbemcli mock script: the EVA SMI-S door on the connection ``pywbemcli --mock-server``
builds (pywbemtools "mock scripts", new-style ``setup(conn, server, verbose)``). The world
and the door's job list are loaded from and saved to ``$APPRM_SMIS_WORLD`` (and a
``.jobs.json`` beside it) so that successive pywbemcli commands see one array and its jobs,
like successive requests to one CIMOM."""

import atexit
import json
import os
from pathlib import Path


def setup(conn, server, verbose):  # type: ignore[no-untyped-def]
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.eva.smis import EvaSmisDoor
    from apprm_ref.sim.storage import GIB
    from apprm_ref.sim.world import World

    state = Path(os.environ["APPRM_SMIS_WORLD"])
    jobs = state.with_suffix(".jobs.json")
    if state.exists():
        world = World.load(state)
    else:
        world = World(7)
        eva = world.add_array(EvaBackend("eva1"))
        eva.add_disk_group("dg1", 400 * GIB)
        eva.create_vdisk("ora_data", 4 * GIB, "dg1", "vraid5")
    door = EvaSmisDoor(world, "eva1", conn)
    if jobs.exists():
        door.load_jobs(json.loads(jobs.read_text()))

    def save() -> None:
        world.save(state)
        jobs.write_text(json.dumps(door.dump_jobs()))

    atexit.register(save)
