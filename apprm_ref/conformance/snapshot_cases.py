"""Conformance cases for snapshot-style arrays (``SnapshotArray``, EVA semantics).

Each case names the rule of ``arrays.md`` it exercises; refusals are checked to leave the
array unchanged through the backdoor's fingerprint.
"""

from __future__ import annotations

from apprm_ref.conformance.harness import Harness, case, check
from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.types import ReplicaType

KIND = "snapshot-array"
FEATURE_OF = {
    ReplicaType.SNAPSHOT: "snapshot",
    ReplicaType.VSNAP: "vsnap",
    ReplicaType.SNAPCLONE: "snapclone",
}


def _replica(h: Harness, source: str, rtype: ReplicaType) -> str:
    h.require(FEATURE_OF[rtype])
    (target,) = h.driver.create_replicas([ReplicaRequest(source, rtype, name="")]).result
    h.track(target.target.volume)
    check(target.source.volume == source, "target reports the wrong source")
    check(target.replica_type == rtype, f"target type {target.replica_type} != {rtype}")
    return target.target.volume


def _point_in_time(h: Harness, rtype: ReplicaType) -> None:
    src = h.source()
    h.backdoor.write(src, {i: f"before-{i}" for i in range(8)})
    tgt = _replica(h, src, rtype)
    h.backdoor.write(src, {i: f"after-{i}" for i in range(8)})
    for i in range(8):
        check(
            h.backdoor.read(tgt, i) == f"before-{i}",
            f"{rtype.value} extent {i} is not the point-in-time content",
        )
        check(h.backdoor.read(src, i) == f"after-{i}", "source lost a write")
    info = h.driver.volume_info(tgt)
    check(
        info.role == "target" and info.source is not None and info.source.volume == src,
        "inventory does not link target to source",
    )


@case(KIND)
def snapshot_is_point_in_time(h: Harness) -> None:
    """ARR-I6 / ARR-P3 for standard snapshots."""
    _point_in_time(h, ReplicaType.SNAPSHOT)


@case(KIND)
def vsnap_is_point_in_time(h: Harness) -> None:
    _point_in_time(h, ReplicaType.VSNAP)


@case(KIND)
def snapclone_is_point_in_time_and_normalizes(h: Harness) -> None:
    """Snapclones are usable at once and finish copying in the background."""
    _point_in_time(h, ReplicaType.SNAPCLONE)
    tgt = h.created[-1]
    check(h.driver.copy_state(tgt).copying, "a fresh snapclone must be normalizing")
    check(h.settle(tgt), "snapclone copy never ends")
    check(not h.driver.copy_state(tgt).copying, "snapclone still copying after its completion time")


@case(KIND)
def one_replica_type_per_source(h: Harness) -> None:
    """ARR-I2: a snapclone is refused while snapshots of the source exist."""
    h.require("snapshot", "snapclone")
    src = h.source()
    _replica(h, src, ReplicaType.SNAPSHOT)
    h.expect_refusal(lambda: h.driver.create_replicas([ReplicaRequest(src, ReplicaType.SNAPCLONE)]))


@case(KIND)
def nothing_new_while_a_snapclone_normalizes(h: Harness) -> None:
    """ARR-I2 / ARR-P7 array half: cloning lockout."""
    h.require("snapclone", "snapshot")
    src = h.source()
    _replica(h, src, ReplicaType.SNAPCLONE)
    h.expect_refusal(lambda: h.driver.create_replicas([ReplicaRequest(src, ReplicaType.SNAPSHOT)]))
    h.expect_refusal(lambda: h.driver.create_replicas([ReplicaRequest(src, ReplicaType.SNAPCLONE)]))


@case(KIND)
def batch_is_all_or_nothing(h: Harness) -> None:
    """ARR-I14 array half: one bad request refuses the whole batch."""
    h.require("snapshot", "snapclone")
    a, b = h.source(), h.source()
    _replica(h, b, ReplicaType.SNAPSHOT)
    before = {v.ref for v in h.driver.list_volumes()}
    h.expect_refusal(
        lambda: h.driver.create_replicas(
            [ReplicaRequest(a, ReplicaType.SNAPCLONE), ReplicaRequest(b, ReplicaType.SNAPCLONE)]
        )
    )
    check({v.ref for v in h.driver.list_volumes()} == before, "a refused batch left targets behind")


@case(KIND)
def snapshot_limit_per_source(h: Harness) -> None:
    """ARR-I4: the size-based limit is enforced at the limit, not before."""
    h.require("snapshot")
    src = h.source()
    limit = h.driver.snapshot_limit(src)
    for _ in range(limit):
        _replica(h, src, ReplicaType.SNAPSHOT)
    h.expect_refusal(lambda: h.driver.create_replicas([ReplicaRequest(src, ReplicaType.SNAPSHOT)]))


@case(KIND)
def presented_volume_is_not_deleted(h: Harness) -> None:
    """ARR-I8: unpresent first."""
    h.require("present", "snapshot")
    src = h.source()
    tgt = _replica(h, src, ReplicaType.SNAPSHOT)
    lun = h.driver.present(tgt, "conformance-host").result
    check(isinstance(lun, int) and lun >= 0, "present must return a LUN number")
    check("conformance-host" in h.driver.volume_info(tgt).presented_to, "presentation not visible")
    h.expect_refusal(lambda: h.driver.delete_volume(tgt))
    h.driver.unpresent(tgt, "conformance-host")
    h.driver.delete_volume(tgt)
    h.forget(tgt)
    check(all(v.ref.volume != tgt for v in h.driver.list_volumes()), "deleted target still listed")


@case(KIND)
def copy_back_restores_the_point_in_time(h: Harness) -> None:
    h.require("copy-back", "snapclone")
    src = h.source()
    h.backdoor.write(src, {0: "good", 1: "good"})
    tgt = _replica(h, src, ReplicaType.SNAPCLONE)
    check(h.settle(tgt), "snapclone copy never ends")
    h.backdoor.write(src, {0: "corrupt"})
    h.driver.restore_copy_back(tgt, src, keep=True)
    check(
        h.backdoor.read(src, 0) == "good" and h.backdoor.read(src, 1) == "good",
        "copy-back did not restore the replica content",
    )
    check(h.settle(src), "copy-back never ends")
    check(h.backdoor.read(tgt, 0) == "good", "the kept replica changed")


@case(KIND)
def refused_delete_of_unknown_volume(h: Harness) -> None:
    h.expect_refusal(lambda: h.driver.delete_volume("no-such-volume"))
