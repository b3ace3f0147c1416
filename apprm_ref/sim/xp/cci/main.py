"""Console door: ``pairdisplay -g XP1_MU0`` (the package's console scripts) or
``python -m apprm_ref.sim.xp.cci <command> [args]`` against a saved lab.

The world is the lab's in ``$APPRM_HOME`` (default ``./.apprm``), opened through the lab
store (its writer lock for a state-changing command, a snapshot otherwise), and the HORCM
instances come from ``$APPRM_HOME/horcm<n>.conf`` (``HORCM_CONF`` overrides the file of the
current instance, as RAID Manager does). A state-changing command that succeeds commits
the world back; a refused or failed one saves nothing. Which instances run is kept in
``$APPRM_HOME/horcm.run`` (no file: every configured instance runs, as on a host whose boot
scripts start HORCM).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from apprm_ref.errors import ApprmError
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci import lifecycle
from apprm_ref.sim.xp.cci.commands import STATEFUL, Cci, execute, saves
from apprm_ref.sim.xp.cci.horcm import HorcmConf, parse_horcm

_CONF = re.compile(r"^horcm(\d+)\.conf$")


def load_confs(home: Path, env: dict[str, str]) -> dict[int, HorcmConf]:
    confs = {}
    for path in sorted(home.glob("horcm*.conf")):
        m = _CONF.match(path.name)
        if m:
            confs[int(m.group(1))] = parse_horcm(path.read_text(), str(path))
    override = env.get("HORCM_CONF")
    if override:
        inst = int(env.get("HORCMINST", "0") or 0)
        confs[inst] = parse_horcm(Path(override).read_text(), override)
    return confs


def _register_backends() -> None:
    """A saved world may hold any registered kind: import their persisted modules."""
    from apprm_ref.drivers import registry

    registry.import_persisted()


def main(argv: list[str] | None = None) -> int:
    _register_backends()

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m apprm_ref.sim.xp.cci <command> [args]", file=sys.stderr)
        return xe.exit_code("EX_REQARG")
    env = dict(os.environ)
    home = Path(env.get("APPRM_HOME", ".apprm"))
    stateful = argv[0].rsplit("/", 1)[-1] in STATEFUL
    # the lab's store and writer lock, as the apprm CLI (apprm_ref.lab); a refused or
    # failed command saves nothing: its changes to the world are rolled back at close
    from apprm_ref.lab.atomic import write_atomic
    from apprm_ref.lab.handle import LabHandle
    from apprm_ref.lab.lock import DEFAULT_WAIT

    lab = LabHandle(home, write=stateful)
    try:
        try:
            lab.wait = float(env.get("APPRM_WAIT") or DEFAULT_WAIT)
            world = lab.open().world
            cci = Cci(world, load_confs(home, env), env)
        except (ApprmError, OSError, ValueError) as exc:
            print(f"{argv[0]}: [EX_COMERR] {exc}", file=sys.stderr)
            return xe.exit_code("EX_COMERR")
        _prepare(cci, home, argv)
        before = None if cci.running is None else set(cci.running)
        rc, out, err = execute(cci, argv)
        sys.stdout.write(out)
        sys.stderr.write(err)
        if cci.running is not None and cci.running != before:
            write_atomic(home / lifecycle.RUN_FILE, lifecycle.format_running(cci.running))
        if stateful and saves(argv[0], rc):
            lab.commit()
    finally:
        lab.close()
    return rc


def _prepare(cci: Cci, home: Path, argv: list[str]) -> None:
    """Running instances from the lab; stdin for inqraid (``ls /dev/sd* | inqraid -CLI``)."""
    run = home / lifecycle.RUN_FILE
    cci.running = lifecycle.read_running(run.read_text() if run.exists() else None)
    if argv[0].rsplit("/", 1)[-1] == "inqraid":
        try:
            cci.stdin = "" if sys.stdin.isatty() else sys.stdin.read()
        except (OSError, ValueError):  # no readable stdin (a test runner, a daemon)
            cci.stdin = ""
