"""Drivers by registered name: the built-ins plus the entry-point group ``apprm_ref.drivers``.

A registered object is a factory. Simulator factories take the world and the array or
application name; real-driver factories take their own connection settings.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib.metadata import entry_points
from typing import Any

from apprm_ref.errors import ConfigError

ENTRY_POINT_GROUP = "apprm_ref.drivers"

BUILTINS: dict[str, str] = {
    "sim-host": "apprm_ref.sim.host.driver:SimHostDriver",
    "sim-eva": "apprm_ref.sim.eva.driver:EvaDriver",
    "sim-xp": "apprm_ref.sim.xp.driver:XpDriver",
    "sim-oracle": "apprm_ref.sim.oracle.driver:OracleSimDriver",
    "xp-cci": "apprm_ref.real.xp_cci:XpCciDriver",
    "eva-smis": "apprm_ref.real.eva_smis:EvaSmisDriver",
    "oracle-dbapi": "apprm_ref.real.oracle_dbapi:OracleDbapiDriver",
}


def _resolve(target: str) -> Callable[..., Any]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def names() -> list[str]:
    found = set(BUILTINS)
    found.update(ep.name for ep in entry_points(group=ENTRY_POINT_GROUP))
    return sorted(found)


def factory(name: str) -> Callable[..., Any]:
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()
    if name in BUILTINS:
        try:
            return _resolve(BUILTINS[name])
        except (ImportError, AttributeError) as exc:
            raise ConfigError(f"driver {name} is not available: {exc}", field="driver") from None
    raise ConfigError(f"unknown driver {name!r}; known: {', '.join(names())}", field="driver")
