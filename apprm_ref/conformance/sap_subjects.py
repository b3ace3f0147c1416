"""Conformance subjects of the SAP drivers: the simulator's SAP system on the Oracle test
estate (profile selecting backint and the split command), with a backint store of its own."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.conformance.suite import Subject

PROFILE = {
    "backup_type": "online",
    "backup_dev_type": "util_file",
    "split_cmd": "/opt/omni/lbin/splitint $",
    "primary_db": "PRD",
}


@dataclass
class SapFixture:
    store: Any  # the backint store the runs write to


def _subject(name: str, seed: int) -> Subject:
    from apprm_ref.core.integrations.sap_store import RepoBackintStore
    from apprm_ref.idb.engine import make_engine
    from apprm_ref.idb.repository import SqlRepository
    from apprm_ref.real.sap_backint_sim import sim_sap_driver
    from apprm_ref.sim.sap.estate import demo_system

    world, sap = demo_system(seed, profile=PROFILE)
    store = RepoBackintStore(SqlRepository(make_engine("sqlite://")))
    driver = sim_sap_driver(world, sap.name)
    return Subject(name, driver, SapFixture(store), world.clock.run_until)


def sim_sap(seed: int = 0) -> Subject:
    return _subject("sim-sap", seed)


def sap_brtools(seed: int = 0) -> Subject:
    """The real driver over the runner seam, the simulator's BR*Tools behind it."""
    return _subject("sap-brtools", seed)
