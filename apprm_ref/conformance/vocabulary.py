"""The capability names each driver family defines (what ``Capabilities.features`` may hold).

The simulators are the reference drivers: each family's vocabulary is what its simulator
declares. A check naming a feature outside its family's set, or a driver declaring one,
fails the suite: a typo must never turn into a silent skip.
"""

from __future__ import annotations

from apprm_ref.sim.eva.driver import FEATURES as EVA_FEATURES
from apprm_ref.sim.oracle.driver import FEATURES as ORACLE_FEATURES
from apprm_ref.sim.sqlserver.vss_door import FEATURES as VSS_FEATURES
from apprm_ref.sim.xp.driver import FEATURES as XP_FEATURES

KNOWN_FEATURES: dict[str, frozenset[str]] = {
    "snapshot-array": EVA_FEATURES,
    "split-mirror-array": XP_FEATURES,
    "oracle": ORACLE_FEATURES,
    "host": frozenset({"lvm", "freeze", "import"}),  # SimHostDriver.capabilities
    "sap": frozenset(),  # BrToolsDriver.capabilities: the SAP Protocol has no options
    "vss": VSS_FEATURES,  # VssSimDriver.capabilities
    "exchange": frozenset(),  # ExchangeSimDriver.capabilities: no options
}
