"""Replica identity (REL-I6): every out-of-band change the arrays allow to a tracked
replica's targets is detected by ``replicas check`` and refuses instant recovery before
anything changes; an untouched replica passes both."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from eva_lab import Lab

from apprm_ref.core import identity
from apprm_ref.core.identity import Mismatch
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.idb.reconcile import CHANGED, MISSING, reconcile
from apprm_ref.sim.eva.models import VdiskKind
from apprm_ref.sim.eva.replicas import TargetSpec
from apprm_ref.types import ReplicaType, SessionStatus, TargetVolume, VolumeRef

# --- the comparison itself -------------------------------------------------------------


def _replica(*identities: dict[str, str]) -> ReplicaRecord:
    targets = [
        TargetVolume(
            VolumeRef("a", f"s{i}"), VolumeRef("a", f"t{i}"), ReplicaType.SNAPSHOT, {}, ident
        )
        for i, ident in enumerate(identities)
    ]
    return ReplicaRecord("fs#1", "fs", "S1", "a", 10.0, ReplicaType.SNAPSHOT, targets, [], True)


@pytest.mark.rule("REL-I6")
def test_compare_same_identity_is_no_mismatch() -> None:
    rep = _replica({"wwn": "w0", "created_at": "10.0"})
    assert identity.compare(rep, [{"wwn": "w0", "created_at": "10.0", "extra": "x"}]) == []


@pytest.mark.rule("REL-I6")
def test_compare_names_each_field_that_differs() -> None:
    rep = _replica({"wwn": "w0", "created_at": "10.0", "object_id": "o"})
    found = identity.compare(rep, [{"wwn": "w1", "created_at": "99.0", "object_id": "o"}])
    assert found == [
        Mismatch("fs#1", "a:t0", "created_at", "10.0", "99.0"),
        Mismatch("fs#1", "a:t0", "wwn", "w0", "w1"),
    ]
    assert str(found[1]) == "a:t0: WWN is w1, the IDB recorded w0"
    assert found[0].describe(lambda s: f"T{s:g}") == (
        "a:t0: creation instant is T99, the IDB recorded T10"
    )


@pytest.mark.rule("REL-I6")
def test_compare_gone_unreported_and_unrecorded_targets() -> None:
    rep = _replica({"wwn": "w0"}, {"split_at": "1.0"}, {})
    found = identity.compare(rep, [None, {}, {"wwn": "w2"}])
    assert [(m.target, m.field, m.actual) for m in found] == [
        ("a:t0", "target", identity.GONE),
        ("a:t1", "split_at", identity.UNKNOWN),
        ("a:t2", "identity", ""),
    ]
    assert "cannot be verified" in str(found[2])


# --- EVA: a target deleted, re-created under the same name or the same id ------------------


def _eva_after_backup() -> tuple[Lab, ReplicaRecord]:
    lab = Lab()
    lab.spec(snapshot_type="snapshot", replicas=2)
    lab.write("v1")
    assert lab.backup().status == SessionStatus.COMPLETED
    lab.advance(3600)
    (rep,) = lab.active()
    assert all(t.identity.get("created_at") for t in rep.targets)
    return lab, rep


def _recreate(lab: Lab, t: TargetVolume, *, same_id: bool) -> None:
    """Delete the target vdisk and make a new snapshot of its source under its name (and,
    with ``same_id``, under its id too, as an array that re-issues ids does)."""
    name = lab.eva.vdisk(t.target.volume).name
    lab.eva.delete_vdisk(t.target.volume)
    lab.advance(60)
    if same_id:
        lab.eva.next_id = int(t.target.volume.removeprefix("vd"))
    lab.eva.create_targets([TargetSpec(t.source.volume, VdiskKind.SNAPSHOT, name)])


EVA_CHANGES: dict[str, Callable[[Lab, ReplicaRecord], None]] = {
    "delete": lambda lab, rep: lab.eva.delete_vdisk(rep.targets[0].target.volume),
    "re-create under the same name": lambda lab, rep: _recreate(lab, rep.targets[0], same_id=False),
    "re-create under the same id and name": lambda lab, rep: _recreate(
        lab, rep.targets[0], same_id=True
    ),
}


@pytest.mark.rule("REL-I6")
@pytest.mark.parametrize("change", sorted(EVA_CHANGES))
def test_every_out_of_band_eva_change_is_detected_and_refuses_ir(change: str) -> None:
    lab, rep = _eva_after_backup()
    lab.write("v2")
    EVA_CHANGES[change](lab, rep)
    findings = reconcile(lab.repo.list_replicas(), lab.drivers.arrays)
    flagged = [f for f in findings if f.replica_id == rep.id]  # missing, or identity-changed
    assert [(f.kind in (MISSING, CHANGED), f.volume) for f in flagged] == [
        (True, rep.targets[0].target.volume)
    ], findings
    targets, before = lab.targets(), lab.content()
    session = lab.orch.restore(rep.id)
    assert session.status == SessionStatus.FAILED
    assert lab.content() == before and lab.targets() == targets


@pytest.mark.rule("REL-I6")
def test_eva_target_recreated_under_its_id_names_the_creation_instant() -> None:
    lab, rep = _eva_after_backup()
    t = rep.targets[0]
    _recreate(lab, t, same_id=True)
    assert lab.eva.vdisk(t.target.volume).wwn == t.identity["wwn"]  # same id: same WWN here
    found = identity.mismatches(lab.drivers.arrays, lab.repo.get_replica(rep.id))
    assert [m.field for m in found] == ["created_at"]
    session = lab.orch.restore(rep.id)
    assert session.status == SessionStatus.FAILED
    text = lab.messages(session)
    assert "REPLICA_IDENTITY" in text and "creation instant" in text and t.target.volume in text


@pytest.mark.rule("REL-I6")
def test_untouched_eva_replica_passes_and_identity_survives_the_idb() -> None:
    lab, rep = _eva_after_backup()
    stored = lab.repo.get_replica(rep.id)
    assert [t.identity for t in stored.targets] == [t.identity for t in rep.targets]
    assert identity.mismatches(lab.drivers.arrays, stored) == []
    assert not [f for f in reconcile([stored], lab.drivers.arrays) if f.kind == CHANGED]
