"""Continuous Access between two XP arrays, CA+BC on the remote side, and the CCI door in
HORC mode."""

from __future__ import annotations

import pytest
from xp_helpers import run_to, snapshot

from apprm_ref.errors import XpError
from apprm_ref.sim.world import World
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.backend import XpBackend
from apprm_ref.sim.xp.cci.runner import SimCciRunner

PV, RV, RB = "01:10", "02:10", "02:20"


def two_arrays():
    world = World(5)
    local = world.add_array(XpBackend("xpa", serial=64123))
    remote = world.add_array(XpBackend("xpb", serial=64999))
    local.add_ldev(PV, 8)
    remote.add_ldev(RV, 8)
    remote.add_ldev(RB, 8)
    remote.add_ldev("02:30", 4)
    return world, local, remote


def test_ca_pair_mirrors_to_remote_and_splits_read_only() -> None:
    world, a, b = two_arrays()
    a.block_write(PV, {1: "x"})
    run_to(world, a.ca_create(PV, "xpb", RV))
    assert a.pair_state(PV, -1) == "PAIR"
    assert b.block_read(RV, 1) == "x"
    with pytest.raises(XpError) as err:
        b.block_write(RV, {2: "no"})
    assert err.value.code == xe.WRITE_PROTECTED
    run_to(world, a.pairsplit([(PV, -1)]))
    a.block_write(PV, {1: "y"})
    assert b.block_read(RV, 1) == "x"
    with pytest.raises(XpError):
        b.block_write(RV, {2: "still read-only"})  # TrueCopy default: -r
    run_to(world, a.pairresync([(PV, -1)]))
    assert b.block_read(RV, 1) == "y"
    run_to(world, a.pairsplit([(PV, -1)], rw=True))
    b.block_write(RV, {3: "rw"})
    assert a.pairs[f"{PV}/-1"].sdiff == {3}
    assert a.check_invariants() == [] and b.check_invariants() == []


def test_ca_guards() -> None:
    world, a, b = two_arrays()
    before = (snapshot(a), snapshot(b))
    with pytest.raises(XpError) as err:
        a.ca_create(PV, "xpb", "02:30")
    assert err.value.code == "EX_EVOLCE"
    with pytest.raises(XpError) as err:
        a.ca_create(PV, "nowhere", RV)
    assert err.value.code == "EX_ENORMT"
    assert (snapshot(a), snapshot(b)) == before
    run_to(world, a.ca_create(PV, "xpb", RV))
    run_to(world, a.pairsplit([(PV, -1)]))
    with pytest.raises(XpError, match="Business Copy"):
        a.pairresync([(PV, -1)], restore=True)
    a.pairdelete([(PV, -1)])
    assert not b.ldevs[RV].ca_primary and b.block_read(RV, 0) is None


def test_ca_plus_bc_replica_is_taken_on_the_remote_array() -> None:
    world, a, b = two_arrays()
    a.block_write(PV, {1: "t0"})
    run_to(world, a.ca_create(PV, "xpb", RV))
    run_to(world, b.paircreate(RV, RB, 0))
    a.block_write(PV, {1: "t1"})
    assert b.block_read(RB, 1) == "t1"  # the remote BC S-VOL follows through the CA pair
    b.pairsplit([(RV, 0)])
    a.block_write(PV, {1: "t2"})
    assert b.block_read(RB, 1) == "t1"
    assert b.pairs[f"{RV}/0"].pdiff == {1}  # the CA copy changed the remote P-VOL
    assert a.check_invariants() == [] and b.check_invariants() == []
    again = World.from_plain(world.to_plain())
    assert again.digest() == world.digest()
    assert again.arrays["xpb"].block_read(RB, 1) == "t1"


CONF_A = """HORCM_MON
localhost 31000 1000 3000
HORCM_CMD
\\\\.\\CMD-64123:/dev/sd
HORCM_LDEV
ORA_CA data01 64123 01:10
HORCM_INST
ORA_CA remotehost 31001
"""
CONF_B = """HORCM_MON
remotehost 31001 1000 3000
HORCM_CMD
\\\\.\\CMD-64999:/dev/sd
HORCM_LDEV
ORA_CA data01 64999 02:10
HORCM_INST
ORA_CA localhost 31000
"""


def test_truecopy_through_cci() -> None:
    world, a, b = two_arrays()
    r = SimCciRunner(world, {0: CONF_A, 1: CONF_B}, {"HORCMINST": "0"})
    assert r.run(["paircreate", "-g", "ORA_CA", "-vl", "-f", "never"])[0] == 0
    assert r.run(["pairevtwait", "-g", "ORA_CA", "-s", "pair", "-t", "600"])[0] == 0
    rc, out, _ = r.run(["pairdisplay", "-g", "ORA_CA"])
    assert rc == 0
    assert out.splitlines()[0].startswith("Group   PairVol(L/R) (Port#,TID, LU),")
    assert "64123   272.P-VOL PAIR NEVER ,64999    528 -" in out
    assert "64999   528.S-VOL PAIR NEVER ,-----    272 -" in out
    assert r.run(["pairvolchk", "-g", "ORA_CA", "-s", "-I1"])[0] == 33
    assert r.run(["pairsplit", "-g", "ORA_CA", "-rw"])[0] == 0
    run_to(world, world.now() + 10)
    b.block_write(RV, {0: "remote"})
    assert r.run(["pairsplit", "-g", "ORA_CA", "-R", "-I1"])[0] == 0
    assert a.pair_state(PV, -1) == "SMPL"


@pytest.mark.rule("REL-I1")
def test_a_truecopy_paircreate_the_array_fails_makes_nothing() -> None:
    """``xp.ca_create``: no ZDB session creates CA pairs (CA+BC splits existing ones,
    arrays.md 3.4), so the site is reached by the administrator's TrueCopy paircreate
    through the RAID Manager door: the command fails, both LDEVs stay SMPL, a retry works."""
    from apprm_ref.sim.faults import FaultRule

    world, a, b = two_arrays()
    r = SimCciRunner(world, {0: CONF_A, 1: CONF_B}, {"HORCMINST": "0"})
    before = (snapshot(a), snapshot(b))
    world.fault_plan.arm(FaultRule("xp.ca_create", code="EX_CMDRJE"))
    rc, _out, err = r.run(["paircreate", "-g", "ORA_CA", "-vl", "-f", "never"])
    assert rc != 0 and "EX_CMDRJE" in err
    assert [f.site for f in world.fault_plan.log] == ["xp.ca_create"]
    assert (snapshot(a), snapshot(b)) == before
    assert a.pair_state(PV, -1) == "SMPL" and not b.ldevs[RV].ca_primary
    assert r.run(["paircreate", "-g", "ORA_CA", "-vl", "-f", "never"])[0] == 0
    assert r.run(["pairevtwait", "-g", "ORA_CA", "-s", "pair", "-t", "600"])[0] == 0
