"""``volumes_info``: a session asks the EVA about its own few volumes, not the whole array."""

from __future__ import annotations

from eva_helpers import SNAP, make

from apprm_ref.sim.eva.driver import EvaDriver


def test_driver_volumes_info_answers_only_for_the_volumes_asked(world, eva, src):  # type: ignore[no-untyped-def]
    drv = EvaDriver(world, "eva1")
    snap = make(eva, src.id, SNAP)
    got = drv.volumes_info([snap.id, "vd9999", src.id])
    assert list(got) == [snap.id, src.id]
    assert got == {v.ref.volume: v for v in drv.list_volumes()}
    assert drv.volumes_info([]) == {}


def _reference_info(drv, v):  # type: ignore[no-untyped-def]
    """``EvaDriver._info`` as written before its fast path for unpresented vdisks outside
    any DR group: every field, details included, must stay what it gave."""
    from apprm_ref.drivers.array import VolumeInfo
    from apprm_ref.sim.eva.driver import TYPE_OF_KIND
    from apprm_ref.types import VolumeRef

    group = drv.backend.dr_group_of(v.id)
    return VolumeInfo(
        ref=VolumeRef(drv.name, v.id),
        wwn=v.wwn,
        size_bytes=v.size_bytes,
        pool=v.disk_group,
        raid=v.vraid.value,
        role="target" if v.is_target else "source",
        replica_type=TYPE_OF_KIND.get(v.kind),
        source=VolumeRef(drv.name, v.source) if v.source else None,
        presented_to=tuple(sorted(v.presentations)),
        state=v.state.value,
        details={
            "name": v.name,
            "created_at": repr(v.created_at),
            "dr_group": group.name if group else "",
            "luns": ",".join(f"{h}={n}" for h, n in sorted(v.presentations.items())),
        },
    )


def test_driver_volume_info_equals_the_reference_in_every_case(world, eva, src):  # type: ignore[no-untyped-def]
    from eva_helpers import CLONE, VSNAP

    from apprm_ref.sim.eva.models import DrState

    drv = EvaDriver(world, "eva1")
    other = eva.create_vdisk("ora_log", 4 * 2**30, "dg2", "vraid1")
    third = eva.create_vdisk("ora_arch", 4 * 2**30, "dg1", "vraid1")
    snap, vsnap = make(eva, src.id, SNAP), make(eva, third.id, VSNAP)

    def check() -> None:
        for vid in sorted(eva.vdisks):
            got, want = drv.volume_info(vid), _reference_info(drv, eva.vdisks[vid])
            assert got == want and got.details == want.details, vid

    check()  # nothing presented, no DR group
    eva.present(src.id, "hostb")
    eva.present(src.id, "hosta")
    eva.present(snap.id, "bk1")
    check()  # presented, to one host and to several
    eva.add_dr_group("drg1", [other.id], role="destination", state=DrState.NORMAL)
    check()  # one vdisk in a DR group, the others not
    eva.unpresent(src.id, "hostb")
    clone = make(eva, other.id, CLONE)
    world.advance(3600)
    check()  # unpresented again; a snapclone, normalized
    kinds = {drv.volume_info(v).replica_type for v in (snap.id, vsnap.id, clone.id)}
    assert len(kinds) == 3 and None not in kinds
