"""Console door: ``python -m apprm_ref.sim.xp.cci <command> [args]`` against a saved lab.

The world is loaded from ``$APPRM_HOME/world.json`` (default ``./.apprm``) and the HORCM
instances from ``$APPRM_HOME/horcm<n>.conf`` (``HORCM_CONF`` overrides the file of the
current instance, as RAID Manager does). A state-changing command saves the world back.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from apprm_ref.errors import ApprmError
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.cci.commands import STATEFUL, Cci, execute
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
    from apprm_ref.sim.world import World

    _register_backends()

    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        print("usage: python -m apprm_ref.sim.xp.cci <command> [args]", file=sys.stderr)
        return xe.exit_code("EX_REQARG")
    env = dict(os.environ)
    home = Path(env.get("APPRM_HOME", ".apprm"))
    try:
        world = World.load(home / "world.json")
        cci = Cci(world, load_confs(home, env), env)
    except (ApprmError, OSError, ValueError) as exc:
        print(f"{argv[0]}: [EX_COMERR] {exc}", file=sys.stderr)
        return xe.exit_code("EX_COMERR")
    rc, out, err = execute(cci, argv)
    sys.stdout.write(out)
    sys.stderr.write(err)
    if argv[0].rsplit("/", 1)[-1] in STATEFUL:
        world.save(home / "world.json")
    return rc
