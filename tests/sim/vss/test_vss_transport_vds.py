"""Transportable shadow copies imported on the backup host (VC-I11) and instant recovery
through VDS (VC-I14; XP resync restore, VC-I13). Sources: vss-and-core.md §5.1, §5.3, §5.5,
§5.6; learn.microsoft.com …/vsprov/nf-vsprov-ivsshardwaresnapshotprovider-locateluns."""

from __future__ import annotations

import pytest
from vsslab import PERSISTENT, create_set, make_world, service

from apprm_ref.errors import HostError, VssError
from apprm_ref.sim.vss.models import Attr
from apprm_ref.sim.vss.transport import import_snapshots
from apprm_ref.sim.vss.vds import Vds


def _read(world, host: str, path: str):
    return world.hosts.read_file(host, path)


@pytest.mark.rule("VC-I11")
def test_a_transportable_set_is_seen_on_the_backup_host_only_after_import() -> None:
    world = make_world()
    req, _ = create_set(world, "E:", "F:", context=PERSISTENT | Attr.TRANSPORTABLE)
    bcd = req.save_as_xml()
    assert "SNAPSHOT_SET_DESCRIPTION" in bcd
    bk = service(world, "winbk")
    world.hosts.rescan("winbk")
    assert world.hosts.host("winbk").disks == {}  # nothing presented before LocateLuns
    imported = import_snapshots(bk, bcd)
    assert len(imported) == 2 and all(s.attributes & Attr.IMPORTED for s in imported)
    assert {s.originating_machine for s in imported} == {"win1"}
    assert len(world.hosts.windows.volumes("winbk")) == 2
    sc = next(s for s in imported if s.volume_label == "E:\\")
    bk.expose(sc.shadow_id, "P:")
    assert world.hosts.host("winbk").mounts["P:\\"].read_only
    assert _read(world, "winbk", "P:\\app\\data.mdf") == _read(world, "win1", "E:\\app\\data.mdf")
    with pytest.raises(VssError) as exc:
        import_snapshots(bk, bcd)
    assert exc.value.code == "VSS_E_OBJECT_ALREADY_EXISTS"
    service(world).delete_shadow(sc.shadow_id)  # from the originating host: every record goes
    assert sc.shadow_id not in bk.shadows and "P:\\" not in world.hosts.host("winbk").mounts
    assert world.invariant_problems() == []


@pytest.mark.rule("VC-I11")
def test_a_set_made_without_the_transportable_flag_cannot_be_imported() -> None:
    world = make_world()
    req, _ = create_set(world, "E:")
    with pytest.raises(VssError) as exc:
        import_snapshots(service(world, "winbk"), req.save_as_xml())
    assert exc.value.code == "VSS_E_NO_SNAPSHOTS_IMPORTED"
    assert world.hosts.host("winbk").disks == {}


@pytest.mark.rule("VC-I14")
def test_vds_switch_restores_every_volume_and_consumes_the_replica() -> None:
    world = make_world()
    req, _ = create_set(world, "E:", "F:", context=PERSISTENT | Attr.PLEX)
    before = {p: _read(world, "win1", p) for p in ("E:\\app\\data.mdf", "F:\\app\\data.ldf")}
    world.advance(24 * 3600)  # snapclones normalized
    for p in before:
        world.hosts.write_file("win1", p, {0: "changed"})
    assert Vds(service(world)).switch(req.set_id) == ["E:\\", "F:\\"]
    assert {p: _read(world, "win1", p) for p in before} == before
    assert service(world).shadows == {} and req.set_id not in service(world).sets
    with pytest.raises(VssError):
        Vds(service(world)).switch(req.set_id)
    assert world.invariant_problems() == []


@pytest.mark.rule("VC-I14")
def test_vds_switch_refuses_a_volume_in_use_and_a_snapshot() -> None:
    world = make_world()
    req, _ = create_set(world, "E:", context=PERSISTENT | Attr.PLEX)
    world.advance(24 * 3600)
    world.hosts.hold("win1", "E:\\")
    with pytest.raises(HostError) as exc:
        Vds(service(world)).switch(req.set_id)
    assert exc.value.code == "VDS_E_DEVICE_IN_USE"
    assert len(service(world).shadows) == 1  # nothing consumed
    world.hosts.release("win1", "E:\\")
    snap, _ = create_set(world, "F:", context=PERSISTENT | Attr.DIFFERENTIAL)
    with pytest.raises(VssError, match="needs a clone"):
        Vds(service(world)).switch(snap.set_id)


@pytest.mark.rule("VC-I13")
def test_xp_resync_copy_is_restored_by_resync_not_by_switch() -> None:
    world = make_world()
    req, _ = create_set(world, "G:")
    before = _read(world, "win1", "G:\\files\\a.txt")
    world.advance(120)
    world.hosts.write_file("win1", "G:\\files\\a.txt", {0: "changed"})
    with pytest.raises(VssError, match="needs a clone"):
        Vds(service(world)).switch(req.set_id)
    Vds(service(world)).resync_restore(req.set_id)
    assert _read(world, "win1", "G:\\files\\a.txt") == before


@pytest.mark.rule("VC-I14")
def test_xp_compliant_clone_is_switched_in() -> None:
    world = make_world(xp={"mode": "compliant"})
    req, _ = create_set(world, "G:")
    before = _read(world, "win1", "G:\\files\\a.txt")
    world.hosts.write_file("win1", "G:\\files\\a.txt", {0: "changed"})
    with pytest.raises(VssError, match="not restorable by resync"):
        Vds(service(world)).resync_restore(req.set_id)
    assert Vds(service(world)).switch(req.set_id) == ["G:\\"]
    assert _read(world, "win1", "G:\\files\\a.txt") == before
    assert service(world).shadows == {}
