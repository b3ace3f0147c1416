"""What the diskshadow and vssadmin doors share: the lab's world in one transaction and the
host they run on (``%COMPUTERNAME%``, as Windows names the local machine)."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from apprm_ref.errors import ApprmError
from apprm_ref.lab.handle import LabHandle, register_backends

PERSISTED = (
    "apprm_ref.sim.vss.backend",
    "apprm_ref.sim.vss.models",
    "apprm_ref.sim.vss.service",
    "apprm_ref.sim.vss.eva_provider",
    "apprm_ref.sim.vss.xp_provider",
)


def _import_persisted() -> None:
    import importlib

    register_backends()
    for name in PERSISTED:
        importlib.import_module(name)


def pick_host(world: Any, env: dict[str, str]) -> str:
    """``COMPUTERNAME`` if set, else the only host running VSS."""
    from apprm_ref.sim.vss.service import all_services

    hosts = [s.host for s in all_services(world)]
    want = env.get("COMPUTERNAME", "")
    if want:
        match = [h for h in hosts if h.lower() == want.lower()]
        if not match:
            raise ApprmError(
                f"no VSS service on {want} (hosts with VSS: {', '.join(hosts) or 'none'})"
            )
        return match[0]
    if len(hosts) != 1:
        raise ApprmError(f"set COMPUTERNAME to one of: {', '.join(hosts) or 'none'}")
    return hosts[0]


def with_lab(
    prog: str, write: bool, body: Callable[[Any, str], tuple[int, str, str]]
) -> tuple[int, str, str]:
    """Open the lab in ``$APPRM_HOME``, run ``body(world, host)``, commit when ``write``."""
    _import_persisted()
    env = dict(os.environ)
    lab = LabHandle.from_env(env, write=write)
    try:
        try:
            world = lab.open_waiting(env).world
            host = pick_host(world, env)
        except (ApprmError, OSError, ValueError) as exc:
            return 1, "", f"{prog}: {exc}\n"
        rc, out, err = body(world, host)
        if write:
            lab.commit()
        return rc, out, err
    finally:
        lab.close()
