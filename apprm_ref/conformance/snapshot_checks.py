"""Checks for snapshot-style arrays (``SnapshotArray``: EVA semantics, arrays.md 2.2, 2.7).

Everything is judged through the driver: targets appear in ``list_volumes``/``targets_of``
with their source and type, refusals carry the EVA code (sim/eva/errors.py) twice in a row
and leave the listing, presentations and pools as they were. The fixture's sources are
shared by every check, so each check leaves them exactly as it found them.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.suite import Ctx, Subject, expect, register
from apprm_ref.drivers.array import ReplicaRequest
from apprm_ref.drivers.copy_poll import poll_copies
from apprm_ref.types import ReplicaType

# a fixture copy (64 MiB sources) ends in seconds; a copy still running after this is a bug
SETTLE_LIMIT_S = 6 * 3600.0

F = "snapshot-array"
TYPES = {
    "snapshot": ReplicaType.SNAPSHOT,
    "vsnap": ReplicaType.VSNAP,
    "snapclone": ReplicaType.SNAPCLONE,
}
NOT_FOUND = "EVA_NO_SUCH_OBJECT"
MISSING = "conf-no-such-vdisk"


def observe(s: Subject) -> Any:
    """Everything the driver reports: every volume's compared fields, and the pools."""
    vols = sorted(s.driver.list_volumes(), key=lambda v: v.ref)
    return tuple(vols), tuple(s.driver.pools())


def inventory(s: Subject) -> Any:
    """Volumes by WWN (a switch hands the source's WWN to the recovered volume's id)."""
    return tuple(sorted((v.wwn, v.role, v.presented_to) for v in s.driver.list_volumes()))


def src(ctx: Ctx, i: int = 0) -> str:
    return str(ctx.fx.sources[i])


def remove(ctx: Ctx, vol: str) -> None:
    """Unpresent, let a background copy end, delete."""
    d = ctx.driver
    for host in d.volume_info(vol).presented_to:
        d.unpresent(vol, host)
    settle(ctx, vol)
    d.delete_volume(vol)


def settle(ctx: Ctx, vol: str) -> bool:
    """Poll ``copy_state(vol)`` as core does, letting the subject's time pass, until no copy
    is in progress (a driver without a completion time is polled every COPY_POLL_SECONDS);
    False if one still runs after ``SETTLE_LIMIT_S``."""
    s = ctx.subject
    limit = s.now() + SETTLE_LIMIT_S
    return poll_copies(lambda: [ctx.driver.copy_state(vol)], s.now, s.wait_until, limit=limit)


def make(ctx: Ctx, source: str, rtype: str, **kw: Any) -> str:
    """One replica of ``source``, tracked for deletion."""
    ctx.require(rtype)
    op = ctx.driver.create_replicas([ReplicaRequest(source, TYPES[rtype], **kw)])
    (t,) = op.result
    vol = t.target.volume
    ctx.track(vol, lambda: remove(ctx, vol))
    expect(t.source.volume == source, f"target reports source {t.source.volume}, not {source}")
    expect(t.replica_type == TYPES[rtype], f"target type {t.replica_type}, not {rtype}")
    return str(vol)


def present(ctx: Ctx, vol: str, host: str) -> int:
    ctx.require("present")
    lun = ctx.driver.present(vol, host).result
    ctx.track(f"{vol}@{host}", lambda: _unpresent_if(ctx, vol, host))
    return int(lun)


def _unpresent_if(ctx: Ctx, vol: str, host: str) -> None:
    listed = {v.ref.volume: v for v in ctx.driver.list_volumes()}
    if vol in listed and host in listed[vol].presented_to:
        ctx.driver.unpresent(vol, host)


def add(
    cid: str, doc: str, fn: Any, requires: tuple[str, ...] = (), backdoor: bool = False
) -> None:
    register(F, cid, doc, fn, requires=requires, backdoor=backdoor)


# --- identity and inventory ----------------------------------------------------------------


def _caps(ctx: Ctx) -> None:
    caps = ctx.driver.capabilities()
    expect(caps.kind == F, f"kind {caps.kind}")
    expect(bool(caps.features), "declares no feature at all")


def _limits(ctx: Ctx) -> None:
    caps = ctx.driver.capabilities()
    bad = {k: v for k, v in caps.limits.items() if not isinstance(v, int) or v < 0}
    expect(not bad, f"limits must be non-negative integers: {bad}")


def _unique_refs(ctx: Ctx) -> None:
    refs = [v.ref for v in ctx.driver.list_volumes()]
    expect(len(refs) == len(set(refs)), "list_volumes repeats a volume")


def _unique_wwns(ctx: Ctx) -> None:
    wwns = [v.wwn for v in ctx.driver.list_volumes()]
    expect(all(wwns) and len(wwns) == len(set(wwns)), f"WWNs empty or repeated: {wwns}")


def _fixture_listed(ctx: Ctx) -> None:
    listed = {v.ref.volume: v for v in ctx.driver.list_volumes()}
    for s in ctx.fx.sources:
        expect(
            s in listed and listed[s].role == "source", f"fixture source {s} not a listed source"
        )


def _info_matches_listing(ctx: Ctx) -> None:
    for v in ctx.driver.list_volumes():
        expect(ctx.driver.volume_info(v.ref.volume) == v, f"volume_info({v.ref.volume}) != listing")


def _volumes_info(ctx: Ctx) -> None:
    ids = [src(ctx, 0), src(ctx, 1), MISSING]
    got = ctx.driver.volumes_info(ids)
    expect(sorted(got) == sorted(ids[:2]), f"volumes_info keys {sorted(got)}")
    expect(got[ids[0]] == ctx.driver.volume_info(ids[0]), "volumes_info differs from volume_info")


def _by_wwn(ctx: Ctx) -> None:
    info = ctx.driver.volume_info(src(ctx))
    expect(ctx.driver.volume_by_wwn(info.wwn) == info, "volume_by_wwn does not round-trip")


def _pools(ctx: Ctx) -> None:
    pools = ctx.driver.pools()
    expect(bool(pools), "no pool reported")
    for p in pools:
        expect(0 <= p.free_bytes <= p.capacity_bytes, f"pool {p.name}: free outside 0..capacity")
    expect(ctx.fx.pool in {p.name for p in pools}, f"fixture pool {ctx.fx.pool} not reported")


def _limit_positive(ctx: Ctx) -> None:
    n = ctx.driver.snapshot_limit(src(ctx))
    expect(isinstance(n, int) and n >= 1, f"snapshot_limit {n!r}")


def _source_not_copying(ctx: Ctx) -> None:
    expect(not ctx.driver.copy_state(src(ctx)).copying, "an idle source reports a copy")


def _no_dr_group(ctx: Ctx) -> None:
    expect(ctx.driver.dr_group_state(src(ctx)) is None, "fixture source reports a DR group")


def _no_targets(ctx: Ctx) -> None:
    expect(ctx.driver.targets_of(src(ctx)) == [], "fixture source already has targets")


def _listing_stable(ctx: Ctx) -> None:
    expect(observe(ctx.subject) == observe(ctx.subject), "two listings in a row differ")


for _cid, _doc, _fn in [
    ("identity.kind", "capabilities() names the snapshot-array kind and some features", _caps),
    ("identity.limits", "declared limits are non-negative integers", _limits),
    ("inventory.unique-refs", "list_volumes never repeats a volume", _unique_refs),
    ("inventory.unique-wwns", "every volume has a WWN of its own", _unique_wwns),
    ("inventory.fixture-listed", "the fixture's sources are listed with role source", _fixture_listed),
    ("inventory.info-matches", "volume_info of every listed volume equals its listing", _info_matches_listing),
    ("inventory.volumes-info", "volumes_info returns the known ids and leaves unknown ones out", _volumes_info),
    ("inventory.by-wwn", "volume_by_wwn finds a volume by its WWN", _by_wwn),
    ("inventory.pools", "pools report free space within capacity, the fixture pool among them", _pools),
    ("inventory.snapshot-limit", "snapshot_limit of a source is a positive integer (E9)", _limit_positive),
    ("inventory.idle-copy-state", "copy_state of an idle source shows no copy", _source_not_copying),
    ("inventory.no-dr-group", "dr_group_state of a plain source is None", _no_dr_group),
    ("inventory.no-targets", "targets_of a fresh source is empty", _no_targets),
    ("inventory.stable", "listing twice without a change gives the same answer (idempotent read)", _listing_stable),
]:  # fmt: skip
    add(_cid, _doc, _fn)


# --- not-found and invalid arguments (EVA_NO_SUCH_OBJECT / EVA_INVALID_PARAMETER) ----------

_CALLS: dict[str, Any] = {
    "volume_info": lambda d, v, s: d.volume_info(v),
    "targets_of": lambda d, v, s: d.targets_of(v),
    "copy_state": lambda d, v, s: d.copy_state(v),
    "snapshot_limit": lambda d, v, s: d.snapshot_limit(v),
    "dr_group_state": lambda d, v, s: d.dr_group_state(v),
    "delete_volume": lambda d, v, s: d.delete_volume(v),
    "present": lambda d, v, s: d.present(v, "conf-h1"),
    "unpresent": lambda d, v, s: d.unpresent(v, "conf-h1"),
    "copy_back.target": lambda d, v, s: d.restore_copy_back(v, s),
    "copy_back.source": lambda d, v, s: d.restore_copy_back(s, v),
    "switch.target": lambda d, v, s: d.restore_switch(s, v),
    "switch.source": lambda d, v, s: d.restore_switch(v, s),
    "create.snapshot": lambda d, v, s: d.create_replicas([ReplicaRequest(v, ReplicaType.SNAPSHOT)]),
    "create.vsnap": lambda d, v, s: d.create_replicas([ReplicaRequest(v, ReplicaType.VSNAP)]),
    "create.snapclone": lambda d, v, s: d.create_replicas(
        [ReplicaRequest(v, ReplicaType.SNAPCLONE)]
    ),
}
_NEEDS = {"present": ("present",), "unpresent": ("present",), "copy_back.target": ("copy-back",),
          "copy_back.source": ("copy-back",), "switch.target": ("switch",), "switch.source": ("switch",),
          "create.snapshot": ("snapshot",), "create.vsnap": ("vsnap",), "create.snapclone": ("snapclone",)}  # fmt: skip


def _not_found(call: Any, volume: str) -> Any:
    def run(ctx: Ctx) -> None:
        s = src(ctx)
        ctx.refused(lambda: call(ctx.driver, volume, s), NOT_FOUND)

    return run


for _name, _call in _CALLS.items():
    _req = _NEEDS.get(_name, ())
    add(f"not-found.{_name}", f"{_name} of an unknown vdisk is refused with {NOT_FOUND}, twice, changing nothing",
        _not_found(_call, MISSING), _req)  # fmt: skip
    add(f"invalid.empty-id.{_name}", f"{_name} of an empty volume id is refused with {NOT_FOUND}, changing nothing",
        _not_found(_call, ""), _req)  # fmt: skip


def _by_wwn_missing(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.volume_by_wwn("6005" + "0" * 28), NOT_FOUND)


def _bad_type(ctx: Ctx) -> None:
    ctx.refused(
        lambda: ctx.driver.create_replicas([ReplicaRequest(src(ctx), ReplicaType.MIRROR)]),
        "EVA_INVALID_PARAMETER",
    )


def _bad_raid(ctx: Ctx) -> None:
    req = ReplicaRequest(src(ctx), ReplicaType.SNAPCLONE, raid="vraid9")
    ctx.refused(lambda: ctx.driver.create_replicas([req]), "EVA_INVALID_PARAMETER")


def _bad_pool(ctx: Ctx) -> None:
    req = ReplicaRequest(src(ctx), ReplicaType.SNAPCLONE, pool="conf-no-such-group")
    ctx.refused(lambda: ctx.driver.create_replicas([req]), NOT_FOUND)


def _other_group(ctx: Ctx) -> None:
    if not ctx.fx.other_pool:
        raise AssertionError("the fixture names no second disk group")
    req = ReplicaRequest(src(ctx), ReplicaType.SNAPSHOT, pool=ctx.fx.other_pool)
    ctx.refused(lambda: ctx.driver.create_replicas([req]), "EVA_DIFFERENT_DISK_GROUP")


def _raid_too_high(ctx: Ctx) -> None:
    """Vraid1 (mirrored) ranks above every parity Vraid (rule E2's order)."""
    raid = ctx.driver.volume_info(src(ctx)).raid
    expect(raid in ("vraid0", "vraid5", "vraid6"), f"fixture source is {raid}, not a parity Vraid")
    req = ReplicaRequest(src(ctx), ReplicaType.SNAPSHOT, raid="vraid1")
    ctx.refused(lambda: ctx.driver.create_replicas([req]), "EVA_VRAID_TOO_HIGH")


def _name_in_use(ctx: Ctx) -> None:
    name = ctx.driver.volume_info(src(ctx, 1)).details.get("name") or "conf-fx-1"
    req = ReplicaRequest(src(ctx), ReplicaType.SNAPSHOT, name=name)
    ctx.refused(lambda: ctx.driver.create_replicas([req]), "EVA_NAME_IN_USE")


def _batch_unknown(ctx: Ctx) -> None:
    reqs = [
        ReplicaRequest(src(ctx), ReplicaType.SNAPSHOT),
        ReplicaRequest(MISSING, ReplicaType.SNAPSHOT),
    ]
    ctx.refused(lambda: ctx.driver.create_replicas(reqs), NOT_FOUND)


def _unpresent_never(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.unpresent(src(ctx), "conf-h1"), "EVA_NOT_PRESENTED")


def _copy_back_not_replica(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.restore_copy_back(src(ctx, 1), src(ctx)), "EVA_NOT_A_REPLICA")


def _switch_not_replica(ctx: Ctx) -> None:
    ctx.refused(lambda: ctx.driver.restore_switch(src(ctx), src(ctx, 1)), "EVA_NOT_A_REPLICA")


for _cid, _doc, _fn, _req in [
    ("not-found.volume_by_wwn", "volume_by_wwn of an unknown WWN is refused with EVA_NO_SUCH_OBJECT", _by_wwn_missing, ()),
    ("invalid.replica-type", "a mirror request to a snapshot array is refused with EVA_INVALID_PARAMETER", _bad_type, ()),
    ("invalid.vraid", "an unknown Vraid is refused with EVA_INVALID_PARAMETER", _bad_raid, ("snapclone",)),
    ("not-found.pool", "a snapclone into an unknown disk group is refused with EVA_NO_SUCH_OBJECT", _bad_pool, ("snapclone",)),
    ("invalid.snapshot-other-group", "E1: a snapshot in another disk group is refused with EVA_DIFFERENT_DISK_GROUP", _other_group, ("snapshot",)),
    ("invalid.snapshot-vraid-too-high", "E2: a snapshot above its source's Vraid is refused with EVA_VRAID_TOO_HIGH", _raid_too_high, ("snapshot",)),
    ("invalid.name-in-use", "a replica named like an existing vdisk is refused with EVA_NAME_IN_USE", _name_in_use, ("snapshot",)),
    ("not-found.batch-member", "ARR-I14: a batch with one unknown source is refused whole", _batch_unknown, ("snapshot",)),
    ("refusal.unpresent-never-presented", "unpresent of a volume never presented is refused with EVA_NOT_PRESENTED", _unpresent_never, ("present",)),
    ("refusal.copy-back-not-a-replica", "copy-back from a volume that is not a replica of the source: EVA_NOT_A_REPLICA", _copy_back_not_replica, ("copy-back",)),
    ("refusal.switch-not-a-replica", "switch to a volume that is not a snapclone of the source: EVA_NOT_A_REPLICA", _switch_not_replica, ("switch",)),
]:  # fmt: skip
    add(_cid, _doc, _fn, _req)
