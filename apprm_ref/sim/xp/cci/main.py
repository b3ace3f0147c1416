"""The CCI door's setup from a lab directory: the HORCM instances (``horcm<n>.conf``, with
``HORCM_CONF`` overriding the current instance's file as RAID Manager does), which instances
run (``horcm.run``; no file: every configured instance runs, as on a host whose boot scripts
start HORCM) and stdin for ``inqraid``. The console entry point that opens the lab itself is
:mod:`apprm_ref.doors.cci` (a front door: it holds the lab's lock and transaction).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from apprm_ref.sim.xp.cci import lifecycle
from apprm_ref.sim.xp.cci.commands import Cci
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


def prepare(cci: Cci, home: Path, argv: list[str]) -> None:
    """Running instances from the lab; stdin for inqraid (``ls /dev/sd* | inqraid -CLI``)."""
    run = home / lifecycle.RUN_FILE
    cci.running = lifecycle.read_running(run.read_text() if run.exists() else None)
    if argv[0].rsplit("/", 1)[-1] == "inqraid":
        try:
            cci.stdin = "" if sys.stdin.isatty() else sys.stdin.read()
        except (OSError, ValueError):  # no readable stdin (a test runner, a daemon)
            cci.stdin = ""
