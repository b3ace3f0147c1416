"""The VSS fault sites: each fails the call the way the device would and leaves nothing
behind (no shadow copy, no target on the array, nothing frozen, every frozen writer
aborted once)."""

from __future__ import annotations

import pytest
from vsslab import app_writer, make_world, service

from apprm_ref.errors import VssError
from apprm_ref.sim.faults import FaultRule
from apprm_ref.sim.vss.models import Attr, WriterState
from apprm_ref.sim.vss.runner import run_script
from apprm_ref.sim.vss.transport import import_snapshots

FULL = "set context persistent\nbegin backup\nadd volume E:\nadd volume F:\ncreate\nend backup\n"


def _clean(world) -> None:
    assert service(world).shadows == {} and service(world).creating == ""
    assert not [v for v in world.arrays["eva1"].vdisks.values() if v.source]
    assert not any(m.frozen for m in world.hosts.host("win1").mounts.values())
    assert world.invariant_problems() == []


@pytest.mark.rule("VC-I6")
@pytest.mark.rule("VC-P2")
@pytest.mark.parametrize("site", ["vss.freeze", "vss.prepare_snapshot", "vss.provider_commit"])
def test_a_creation_fault_leaves_nothing_behind(site: str) -> None:
    world = make_world()
    world.fault_plan.arm(FaultRule(site))
    rc, out = run_script(service(world), FULL)
    assert rc == 1, out
    _clean(world)
    seen = [e for e, _ in app_writer(world).seen]
    assert seen.count("Abort") == 1 and "Thaw" not in seen
    if site == "vss.provider_commit":
        assert "VSS_E_UNEXPECTED_PROVIDER_ERROR" in out
    else:
        assert service(world).status(app_writer(world)).last_error == "VSS_E_WRITERERROR_RETRYABLE"


def test_identify_and_backup_complete_faults() -> None:
    world = make_world(eva={"default_type": "snapshot"})
    world.fault_plan.arm(FaultRule("vss.backup_complete"))
    rc, _ = run_script(service(world), FULL)
    assert rc == 0 and app_writer(world).truncated == []
    assert service(world).status(app_writer(world)).state == WriterState.FAILED_AT_BACKUP_COMPLETE
    service(world).restart_service("SimApp")
    world.fault_plan.arm(FaultRule("vss.identify", match={"writer": app_writer(world).key}))
    rc, out = run_script(
        service(world), FULL.replace("create", "writer verify Sim App Writer\ncreate")
    )
    assert rc == 1 and "is not included" in out
    assert service(world).status(app_writer(world)).state == WriterState.FAILED_AT_IDENTIFY


def test_an_import_fault_presents_nothing() -> None:
    world = make_world()
    rc, _ = run_script(
        service(world),
        "set context persistent\nset option transportable\nset metadata C:\\m.cab\nadd volume E:\ncreate\n",
    )
    assert rc == 0
    bcd = service(world).sets[next(iter(service(world).sets))].bcd
    world.fault_plan.arm(FaultRule("vss.import"))
    with pytest.raises(VssError):
        import_snapshots(service(world, "winbk"), bcd)
    world.hosts.rescan("winbk")
    assert world.hosts.host("winbk").disks == {}
    assert all(s.attributes & Attr.TRANSPORTABLE for s in service(world).shadows.values())
