"""Core sessions through the real EVA SMI-S driver (``eva-smis``) over the simulator's door.

SMI-S gives no completion time for a background copy (DMTF CIM_StorageSynchronized:
``SyncState`` 15 Copy In Progress / 10 Restore In Progress and ``PercentSynced`` only), so
core polls ``copy_state`` every ``COPY_POLL_SECONDS``: a session that waits for a snapclone
(``wait_clonecopy``) or for a copy-back not kept ends at or after the copy's true end (the
simulator's ``eva.normalized`` / ``eva.copy_back_done`` event), within one poll of it, and
only once the array reports no copy in progress.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from apprm_ref.conformance.eva_differential import VdiskIdDriver
from apprm_ref.conformance.eva_subjects import smis_driver
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.drivers.copy_poll import COPY_POLL_SECONDS
from apprm_ref.sim.world import WorldEvent
from apprm_ref.types import SessionStatus

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "core"))
from eva_lab import Lab  # noqa: E402


def smis_lab(size: str = "64GiB") -> tuple[Lab, list[WorldEvent]]:
    """The EVA lab with its array driven through SMI-S; the world's events recorded."""
    lab = Lab(size)
    lab.drivers.arrays["eva1"] = VdiskIdDriver(smis_driver(lab.world, "eva1"))
    lab.drv = lab.drivers.array("eva1")
    events: list[WorldEvent] = []
    lab.world.subscribe(events.append)
    return lab, events


def _at(events: list[WorldEvent], kind: str) -> list[float]:
    return [e.at for e in events if e.kind == kind]


def _copying(lab: Lab, volumes: list[str]) -> list[str]:
    """Ground truth: the volumes whose background copy the array still runs."""
    return [v for v in volumes if lab.eva.vdisks[v].copy is not None]


@pytest.mark.rule("WIRE-I1", "ARR-P7")
def test_a_snapclone_session_over_smis_ends_only_after_the_copy_ended() -> None:
    lab, events = smis_lab()
    lab.spec(snapshot_type="snapclone", wait_clonecopy=60)  # unsharing takes ~11 minutes
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert "still unsharing" not in lab.messages(s)
    targets = [t.target.volume for t in lab.repo.get_replica(s.replica_id).targets]
    ends = _at(events, "eva.normalized")
    assert len(ends) == len(targets) == 2 and _copying(lab, targets) == []
    assert max(ends) - s.started > COPY_POLL_SECONDS  # several polls were needed
    assert max(ends) <= s.finished < max(ends) + COPY_POLL_SECONDS
    assert not any(lab.drv.copy_state(v).copying for v in targets)
    again = lab.backup()  # no cloning lockout: the waited-for copy really ended
    assert again.status == SessionStatus.COMPLETED, lab.messages(again)


@pytest.mark.rule("WIRE-I1")
def test_wait_clonecopy_over_smis_gives_up_at_its_limit_with_the_copy_still_running() -> None:
    lab, events = smis_lab()
    lab.spec(snapshot_type="snapclone", wait_clonecopy=2)
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED and "still unsharing" in lab.messages(s)
    targets = [t.target.volume for t in lab.repo.get_replica(s.replica_id).targets]
    assert s.finished - s.started == pytest.approx(120)  # the limit, not a poll beyond it
    assert _copying(lab, targets) == targets and _at(events, "eva.normalized") == []


@pytest.mark.rule("WIRE-I1", "ARR-P5")
def test_a_copy_back_not_kept_over_smis_ends_after_the_copy_and_the_drop() -> None:
    lab, events = smis_lab("8GiB")
    lab.spec(snapshot_type="snapclone", replicas=2)
    lab.write("v1")
    backup = lab.backup()
    assert backup.status == SessionStatus.COMPLETED, lab.messages(backup)
    lab.advance(3600)  # snapclones normalize
    at_backup = lab.content()
    lab.write("v2")
    rid = backup.replica_id
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back", keep_replica=False))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    ends = _at(events, "eva.copy_back_done")
    assert len(ends) == 2 and max(ends) <= s.finished < max(ends) + COPY_POLL_SECONDS
    assert lab.content() == at_backup and lab.targets() == []  # the array dropped them
    assert lab.repo.get_replica(rid).status == ReplicaStatus.CONSUMED
    assert lab.world.invariant_problems() == []
