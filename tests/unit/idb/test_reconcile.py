"""Reconciliation IDB <-> arrays: missing targets, orphans, wrong sources."""

from __future__ import annotations

import dataclasses

from apprm_ref.core.records import ReplicaStatus
from apprm_ref.drivers.array import VolumeInfo
from apprm_ref.errors import EvaError
from apprm_ref.idb.reconcile import MISSING, ORPHAN, UNREACHABLE, WRONG_SOURCE, Finding, reconcile
from apprm_ref.types import ReplicaType, VolumeRef

from .test_repository import make_replica


class FakeArray:
    def __init__(self, name: str, vols: list[VolumeInfo], fail: bool = False) -> None:
        self.name, self.vols, self.fail = name, vols, fail

    def list_volumes(self) -> list[VolumeInfo]:
        if self.fail:
            raise EvaError("provider down", code="CIM_ERR_FAILED")
        return list(self.vols)

    def target_identities(self, volumes: list[str]) -> dict[str, dict[str, str]]:
        have = {v.ref.volume: v for v in self.vols}
        return {v: {"wwn": have[v].wwn} for v in volumes if v in have}


def identified(rec):  # type: ignore[no-untyped-def]
    """``rec`` with the identity its targets had when recorded (REL-I6)."""
    rec.targets = [dataclasses.replace(t, identity={"wwn": "w"}) for t in rec.targets]
    return rec


def vol(array: str, v: str, *, source: str | None = None, state: str = "") -> VolumeInfo:
    return VolumeInfo(
        ref=VolumeRef(array, v),
        wwn="w",
        size_bytes=1,
        role="target" if source else "source",
        replica_type=ReplicaType.VSNAP if source else None,
        source=VolumeRef(array, source) if source else None,
        state=state,
    )


def test_clean_estate_has_no_findings():
    rec = identified(make_replica())
    arr = FakeArray(
        "eva1",
        [
            vol("eva1", "src0"),
            vol("eva1", "src1"),
            vol("eva1", "src0-t1", source="src0"),
            vol("eva1", "src1-t1", source="src1"),
        ],
    )
    assert reconcile([rec], {"eva1": arr}) == []


def test_missing_orphan_and_wrong_source():
    rec = make_replica()
    arr = FakeArray(
        "eva1",
        [
            vol("eva1", "src0"),
            vol("eva1", "src1-t1", source="src0"),  # wrong source
            vol("eva1", "leak", source="src1"),  # orphan
            vol("eva1", "svol", source="src1", state="PAIR"),  # waiting pair: not a replica
        ],
    )
    got = reconcile([rec], {"eva1": arr})
    assert [f.kind for f in got] == [MISSING, ORPHAN, WRONG_SOURCE]
    assert got[0] == Finding(MISSING, "eva1", "src0-t1", "fs1#1", got[0].detail)
    assert got[1].volume == "leak" and got[1].replica_id == ""


def test_deleted_replicas_are_not_expected_and_targets_become_orphans():
    rec = make_replica()
    rec.status = ReplicaStatus.DELETED
    arr = FakeArray("eva1", [vol("eva1", "src0-t1", source="src0")])
    assert [(f.kind, f.volume) for f in reconcile([rec], {"eva1": arr})] == [(ORPHAN, "src0-t1")]


def test_unreachable_arrays():
    rec = make_replica(array="xp9")
    down = FakeArray("eva1", [], fail=True)
    got = reconcile([rec, make_replica(seq=2)], {"eva1": down})
    kinds = sorted({(f.kind, f.array) for f in got})
    assert kinds == [(UNREACHABLE, "eva1"), (UNREACHABLE, "xp9")]
    assert "CIM_ERR_FAILED" in str([f for f in got if f.array == "eva1"][0])
