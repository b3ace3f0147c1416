"""The EVA and XP hardware providers on the array simulators: EVA replica types and their
exclusivity (VC-I12), XP resync mode on MU 0-2 and VSS-compliant clones (VC-I13).
Sources: vss-and-core.md §5.4, §5.5; HP AppRM Integration Guide p.45-50 as cited there."""

from __future__ import annotations

import pytest
from vsslab import PERSISTENT, create_set, make_world, service

from apprm_ref.errors import VssError
from apprm_ref.sim.vss.models import Attr
from apprm_ref.sim.vss.requester import BackupComponents
from apprm_ref.sim.vss.xp_provider import XP_PROVIDER_ID


def _targets(world, kind: str) -> list[str]:
    return sorted(v.id for v in world.arrays["eva1"].vdisks.values() if v.kind.value == kind)


@pytest.mark.rule("VC-I12")
def test_eva_replica_type_follows_the_context() -> None:
    world = make_world()
    create_set(world, "E:", context=PERSISTENT | Attr.DIFFERENTIAL)
    assert len(_targets(world, "snapshot")) == 1
    create_set(world, "F:", context=PERSISTENT | Attr.PLEX)
    assert len(_targets(world, "snapclone")) == 1
    kinds = {s.volume_label: s.attributes for s in service(world).shadows.values()}
    assert kinds["E:\\"] & Attr.DIFFERENTIAL and kinds["F:\\"] & Attr.PLEX


@pytest.mark.rule("VC-I12")
def test_eva_no_new_replica_while_the_clone_copies() -> None:
    world = make_world()
    _, first = create_set(world, "E:")  # default: snapclone
    assert first.ok
    _, second = create_set(world, "E:", context=PERSISTENT | Attr.DIFFERENTIAL)
    assert second.error is not None and second.error.code == "VSS_E_PROVIDER_VETO"
    assert "EVA_CLONE_IN_PROGRESS" in str(second.error)
    assert len(service(world).shadows) == 1
    world.advance(24 * 3600)  # the clone has normalized
    _, third = create_set(world, "E:")
    assert third.ok and len(service(world).shadows) == 2


@pytest.mark.rule("VC-I12")
def test_eva_snapclone_refused_while_a_snapshot_of_the_source_exists() -> None:
    world = make_world(eva={"vsnap": True})
    create_set(world, "E:", context=PERSISTENT | Attr.DIFFERENTIAL)
    assert len(_targets(world, "vsnap")) == 1
    _, clone = create_set(world, "E:", context=PERSISTENT | Attr.PLEX)
    assert clone.error is not None and "EVA_HAS_SNAPSHOTS" in str(clone.error)
    (snap,) = service(world).shadows
    service(world).delete_shadow(snap)  # omnidbvss -delete first, then it works
    assert _targets(world, "vsnap") == []
    _, clone = create_set(world, "E:", context=PERSISTENT | Attr.PLEX)
    assert clone.ok


@pytest.mark.rule("VC-I13")
def test_xp_resync_mode_uses_mu_0_to_2_and_refuses_a_fourth() -> None:
    world = make_world()
    mus = []
    for _ in range(3):
        _, job = create_set(world, "G:")
        job.result()
        mus = sorted(s.mu for s in service(world).shadows.values())
    assert mus == [0, 1, 2]
    xp = world.arrays["xp1"]
    assert {p.state for p in xp.pairs_of_pvol("00:10")} <= {"PSUS", "COPY(SP)"}
    _, fourth = create_set(world, "G:")
    assert fourth.error is not None
    assert fourth.error.code == "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED"
    world.advance(60)  # the splits have settled (PSUS)
    oldest = min(service(world).shadows.values(), key=lambda s: s.mu)
    service(world).delete_shadow(oldest.shadow_id)  # resyncs its pair: the MU is free again
    _, again = create_set(world, "G:")
    again.result()
    assert sorted(s.mu for s in service(world).shadows.values()) == [0, 1, 2]


@pytest.mark.rule("VC-I13")
def test_xp_refuses_differential_and_compliant_mode_leaves_simplex_clones() -> None:
    world = make_world(xp={"mode": "compliant"})
    req = BackupComponents(service(world))
    req.initialize_for_backup()
    req.set_context(PERSISTENT | Attr.DIFFERENTIAL)
    req.set_backup_state(False)
    req.gather_writer_metadata()
    req.start_snapshot_set()
    with pytest.raises(VssError) as exc:
        req.add_to_snapshot_set("G:", XP_PROVIDER_ID)
    assert exc.value.code == "VSS_E_VOLUME_NOT_SUPPORTED_BY_PROVIDER"
    req.abort_backup()
    for _ in range(4):  # not limited to three
        create_set(world, "G:")[1].result()
        world.advance(3600)
    xp = world.arrays["xp1"]
    clones = sorted(s.target for s in service(world).shadows.values())
    assert len(set(clones)) == 4
    assert all(xp.pair_of_svol(c) is None for c in clones)  # simplex: independent copies
