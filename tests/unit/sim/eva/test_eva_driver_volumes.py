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
