"""CA+BC (arrays.md §3.4): the sources are Continuous Access P-VOLs and the replica is a
Business Copy split of their CA S-VOLs on the remote array."""

from __future__ import annotations

import pytest
from xp_estate import SOURCES, make_estate, spec

from apprm_ref.errors import ConfigError
from apprm_ref.sim.xp.backend import XpBackend
from apprm_ref.sim.xp.driver import XpDriver
from apprm_ref.types import SessionStatus

CA_SVOL = {src: f"05:{i:02X}" for i, src in enumerate(SOURCES)}


def ca_estate(replication: dict | None = None):  # type: ignore[no-untyped-def]
    est = make_estate({"mu": 0})
    remote = est.world.add_array(XpBackend("xp2", serial=64999))
    for i, src in enumerate(SOURCES):
        remote.add_ldev(CA_SVOL[src], 12)
        for mu in range(2):
            remote.add_ldev(f"06:{i * 2 + mu:02X}", 12)
    for src in SOURCES:
        est.xp.ca_create(src, "xp2", CA_SVOL[src])
    est.world.advance(600)
    for i, src in enumerate(SOURCES):
        for mu in range(2):
            remote.paircreate(CA_SVOL[src], f"06:{i * 2 + mu:02X}", mu)
    est.world.advance(600)
    est.orch.drivers.arrays["xp2"] = XpDriver(est.world, "xp2")
    est.orch.create_spec(spec("ca1", replication or {"mu": "0-1", "replica_conf": "combined"}))
    return est, remote


def test_ca_plus_bc_replica_is_split_on_the_remote_array() -> None:
    est, remote = ca_estate()
    est.write("A")
    expected = est.contents()
    session = est.orch.run_backup("ca1")
    assert session.status == SessionStatus.COMPLETED, [m.text for m in session.messages]
    rep = est.repo.get_replica(session.replica_id)
    assert rep.array == "xp2" and rep.mu == 0 and not rep.tracked
    for t in rep.targets:
        src = t.details["ca_source"].split(":", 1)[1]
        assert t.source.volume == CA_SVOL[src]
        assert remote.content(t.target.volume).written() == expected[src]
    est.write("B")
    for t in rep.targets:
        assert remote.pair_state(t.source.volume, 0) == "PSUS"
    est.world.check_invariants()


def test_ca_pair_must_be_consistent() -> None:
    est, remote = ca_estate()
    est.xp.pairsplit([(SOURCES[0], -1)])
    est.world.advance(60)
    before = (est.xp.pair_commands, remote.pair_commands)
    session = est.orch.run_backup("ca1")
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "XP_CA_NOT_PAIR" for m in session.messages)
    assert (est.xp.pair_commands, remote.pair_commands) == before


def test_sources_must_be_ca_pvols() -> None:
    est = make_estate({"mu": 0})
    est.orch.create_spec(spec("ca1", {"mu": 0, "replica_conf": "combined"}))
    session = est.orch.run_backup("ca1")
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "XP_NOT_CA" for m in session.messages)


def test_no_instant_recovery_for_ca_plus_bc() -> None:
    est = make_estate({"mu": 0})
    with pytest.raises(ConfigError) as err:
        est.orch.create_spec(spec("ca2", {"replica_conf": "combined", "keep_for_ir": True}))
    assert err.value.field == "replication.keep_for_ir"
