"""``target_identities`` (REL-I6) of the real SMI-S driver against the simulator's SMI-S
door: the same WWN and object id as the protocol door reports, and a deleted vdisk left out.
The provider reports no creation instant (``HPEVA_StorageVolume`` has none in
protocols.md 1.1), so only the simulator's door adds ``created_at``."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.eva_differential import Twin, dev
from apprm_ref.drivers.array import ReplicaRequest as Req
from apprm_ref.types import ReplicaType as T


@pytest.mark.rule("REL-I6")
def test_real_and_sim_drivers_report_the_same_target_identity() -> None:
    twin = Twin()
    made = twin.do("create_replicas", [Req("vd0001", T.SNAPSHOT, name="s1")]).result
    target = made[0].target.volume
    sim = twin.sim.target_identities([target, "vd0999"])
    real = twin.smis.target_identities([dev(target), dev("vd0999")])
    assert list(sim) == [target] and list(real) == [dev(target)]
    assert real[dev(target)] == {"wwn": sim[target]["wwn"], "object_id": sim[target]["object_id"]}
    assert sim[target]["created_at"] == repr(twin.wa.now())
    twin.do("delete_volume", target)
    assert twin.smis.target_identities([dev(target)]) == {}
    assert twin.sim.target_identities([target]) == {}
