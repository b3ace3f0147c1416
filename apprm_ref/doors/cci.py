"""Console door: RAID Manager commands against a lab, as a host runs them.

``pairdisplay -g XP1_MU0`` (the package's console scripts, one per command as a host has
them on its PATH) or ``python -m apprm_ref.doors.cci <command> [args]``. The world is the
lab's in ``$APPRM_HOME`` (default ``./.apprm``), opened through the lab store (its writer
lock for a state-changing command, a snapshot otherwise); the HORCM setup comes from the
lab directory (:mod:`apprm_ref.sim.xp.cci.main`). A state-changing command that succeeds
commits the world back; a refused or failed one saves nothing.
"""

from __future__ import annotations

import os
import sys

from apprm_ref.errors import ApprmError
from apprm_ref.lab.atomic import write_atomic
from apprm_ref.lab.handle import LabHandle, register_backends
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import lifecycle
from apprm_ref.sim.xp.cci.commands import STATEFUL, Cci, execute, saves
from apprm_ref.sim.xp.cci.main import load_confs, prepare


def main(argv: list[str] | None = None) -> int:
    register_backends()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m apprm_ref.doors.cci <command> [args]", file=sys.stderr)
        return xe.exit_code("EX_REQARG")
    env = dict(os.environ)
    stateful = argv[0].rsplit("/", 1)[-1] in STATEFUL
    lab = LabHandle.from_env(env, write=stateful)
    home = lab.home
    try:
        try:
            cci = Cci(lab.open_waiting(env).world, load_confs(home, env), env)
        except (ApprmError, OSError, ValueError) as exc:
            print(f"{argv[0]}: [EX_COMERR] {exc}", file=sys.stderr)
            return xe.exit_code("EX_COMERR")
        prepare(cci, home, argv)
        before = None if cci.running is None else set(cci.running)
        rc, out, err = execute(cci, argv)
        sys.stdout.write(out)
        sys.stderr.write(err)
        if cci.running is not None and cci.running != before:
            write_atomic(home / lifecycle.RUN_FILE, lifecycle.format_running(cci.running))
        if stateful and saves(argv[0], rc):
            lab.commit()  # a refused or failed command is rolled back at close
    finally:
        lab.close()
    return rc


# --- console scripts ([project.scripts]) ------------------------------------------------


def _run(command: str) -> int:
    return main([command, *sys.argv[1:]])


def paircreate() -> int:
    return _run("paircreate")


def pairsplit() -> int:
    return _run("pairsplit")


def pairresync() -> int:
    return _run("pairresync")


def pairdisplay() -> int:
    return _run("pairdisplay")


def pairvolchk() -> int:
    return _run("pairvolchk")


def pairevtwait() -> int:
    return _run("pairevtwait")


def pairsyncwait() -> int:
    return _run("pairsyncwait")


def raidscan() -> int:
    return _run("raidscan")


def raidqry() -> int:
    return _run("raidqry")


def raidcom() -> int:
    return _run("raidcom")


def inqraid() -> int:
    return _run("inqraid")


def horcmstart() -> int:
    return _run("horcmstart.sh")


def horcmshutdown() -> int:
    return _run("horcmshutdown.sh")


def horcmgr() -> int:
    return _run("horcmgr")


if __name__ == "__main__":
    sys.exit(main())
