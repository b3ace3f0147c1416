"""The VSS state is plain data in the saved world: shadow copies, sets, writer status and
providers survive a save and load (a lab command is one transaction)."""

from __future__ import annotations

from vsslab import make_world, service

from apprm_ref.sim.vss.creation import run
from apprm_ref.sim.vss.models import WriterState
from apprm_ref.sim.vss.requester import BackupComponents
from apprm_ref.sim.vss.writers import INBOX
from apprm_ref.sim.world import World


def test_a_saved_world_keeps_shadows_sets_and_writer_failures() -> None:
    world = make_world(app=False)
    svc = service(world)
    req = BackupComponents(svc)
    req.initialize_for_backup()
    req.set_context(0x1 | 0x8)  # persistent, no auto-release
    req.set_backup_state(False)
    req.gather_writer_metadata()
    req.start_snapshot_set()
    req.add_to_snapshot_set("E:")
    req.add_to_snapshot_set("G:")
    req.prepare_for_backup()
    run(req.do_snapshot_set()).result()
    req.release()
    svc.set_status(INBOX[3], WriterState.FAILED_AT_FREEZE, "VSS_E_WRITERERROR_TIMEOUT")
    loaded = World.from_bytes(world.to_bytes())
    again = service(loaded, "win1")
    assert sorted(again.shadows) == sorted(svc.shadows) and len(again.shadows) == 2
    assert again.sets[req.set_id].shadow_ids == svc.sets[req.set_id].shadow_ids
    assert again.status(INBOX[3]).last_error == "VSS_E_WRITERERROR_TIMEOUT"
    assert [p.name for p in again.providers] == [p.name for p in svc.providers]
    assert loaded.digest() == world.digest()
    assert loaded.invariant_problems() == []
