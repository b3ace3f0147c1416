"""Replica life-cycle checks for snapshot arrays, one set per replica type, and the matrix
of which second replica a source may take beside a first one (arrays.md 2.2: E3, E7, E8).

Every check is generated per type, csi-sanity style, so a driver that handles snapshots
right and snapclones wrong fails exactly the snapclone checks.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.snapshot_checks import (
    MISSING,
    NOT_FOUND,
    TYPES,
    add,
    make,
    present,
    settle,
    src,
)
from apprm_ref.conformance.suite import Ctx, expect
from apprm_ref.drivers.array import ReplicaRequest


def _listed(ctx: Ctx, t: str) -> Any:
    return {v.ref.volume: v for v in ctx.driver.list_volumes()}.get(t)


def _returns(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        info = _listed(ctx, t)
        expect(info is not None, f"new {rt} {t} not listed")
        expect(info.role == "target" and info.replica_type == TYPES[rt], f"listed as {info}")
        expect(info.source is not None and info.source.volume == src(ctx), "wrong source")

    return run


def _targets_of(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        got = [v.ref.volume for v in ctx.driver.targets_of(src(ctx))]
        expect(got == [t], f"targets_of lists {got}, not [{t}]")

    return run


def _size(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        a, b = ctx.driver.volume_info(src(ctx)), ctx.driver.volume_info(t)
        expect(a.size_bytes == b.size_bytes, f"{rt} size {b.size_bytes} != source {a.size_bytes}")
        expect(b.pool == a.pool, f"{rt} in pool {b.pool}, source in {a.pool}")

    return run


def _wwn(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        info = ctx.driver.volume_info(t)
        expect(info.wwn and info.wwn != ctx.driver.volume_info(src(ctx)).wwn, "WWN not its own")
        expect(ctx.driver.volume_by_wwn(info.wwn).ref.volume == t, "volume_by_wwn misses it")

    return run


def _delete(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        settle(ctx, t)
        ctx.driver.delete_volume(t)
        ctx.untrack(t)
        expect(_listed(ctx, t) is None, f"deleted {t} still listed")
        expect(ctx.driver.targets_of(src(ctx)) == [], "deleted target still in targets_of")
        ctx.refused(lambda: ctx.driver.delete_volume(t), NOT_FOUND)

    return run


def _present(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        h1, h2 = ctx.fx.hosts
        lun1, lun2 = present(ctx, t, h1), present(ctx, t, h2)
        expect(lun1 >= 0 and lun2 >= 0, f"LUNs {lun1}, {lun2}")
        expect(ctx.driver.volume_info(t).presented_to == tuple(sorted((h1, h2))), "hosts not shown")

    return run


def _present_twice(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        host = ctx.fx.hosts[0]
        present(ctx, t, host)
        ctx.refused(lambda: ctx.driver.present(t, host), "EVA_ALREADY_PRESENTED")

    return run


def _unpresent_twice(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        host = ctx.fx.hosts[0]
        present(ctx, t, host)
        ctx.driver.unpresent(t, host)
        expect(ctx.driver.volume_info(t).presented_to == (), "unpresent left the host")
        ctx.refused(lambda: ctx.driver.unpresent(t, host), "EVA_NOT_PRESENTED")

    return run


def _delete_presented(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        settle(ctx, t)
        present(ctx, t, ctx.fx.hosts[0])
        ctx.refused(lambda: ctx.driver.delete_volume(t), "EVA_VDISK_PRESENTED")

    return run


def _of_target(rt: str) -> Any:
    code = "EVA_SOURCE_NORMALIZING" if rt == "snapclone" else "EVA_SOURCE_IS_SNAPSHOT"

    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        req = [ReplicaRequest(t, TYPES[rt])]
        ctx.refused(lambda: ctx.driver.create_replicas(req), code)

    return run


def _batch(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require(rt)
        reqs = [ReplicaRequest(src(ctx, i), TYPES[rt]) for i in (0, 1)]
        made = ctx.driver.create_replicas(reqs).result
        for t in made:
            ctx.track(t.target.volume, _remover(ctx, t.target.volume))
        got = [t.source.volume for t in made]
        expect(got == [src(ctx, 0), src(ctx, 1)], f"batch made targets of {got}")

    return run


def _remover(ctx: Ctx, vol: str) -> Any:
    from apprm_ref.conformance.snapshot_checks import remove

    return lambda: remove(ctx, vol)


def _copy_state(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        t = make(ctx, src(ctx), rt)
        state = ctx.driver.copy_state(t)
        if rt != "snapclone":
            expect(not state.copying, f"a {rt} reports a background copy")
            return
        expect(state.copying, "a new snapclone is not normalizing")
        expect(settle(ctx, t), "snapclone copy never ends")
        expect(not ctx.driver.copy_state(t).copying, "snapclone still copying after its end")

    return run


def _copy_back(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require("copy-back")
        t = make(ctx, src(ctx), rt)
        settle(ctx, t)
        ctx.driver.restore_copy_back(t, src(ctx), keep=True)
        settle(ctx, src(ctx))
        expect(_listed(ctx, t) is not None, f"kept {rt} {t} gone after copy-back")
        expect(not ctx.driver.copy_state(src(ctx)).copying, "copy-back never ends")

    return run


def _switch(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require("switch")
        s = src(ctx)
        t = make(ctx, s, rt)
        if rt != "snapclone":
            ctx.refused(lambda: ctx.driver.restore_switch(s, t), "EVA_NOT_A_REPLICA")
            return
        settle(ctx, t)
        _do_switch(ctx, s, t)

    return run


def _do_switch(ctx: Ctx, s: str, t: str) -> None:
    wwn = ctx.driver.volume_info(s).wwn
    recovered = ctx.driver.restore_switch(s, t).result
    ctx.untrack(t)
    ctx.fx.sources[ctx.fx.sources.index(s)] = recovered  # the source lives on under this id
    info = ctx.driver.volume_info(recovered)
    expect(info.wwn == wwn and info.role == "source", f"recovered volume is {info}")
    expect(_listed(ctx, s) is None or s == recovered, "the old source survived the switch")


def _switch_normalizing(ctx: Ctx) -> None:
    t = make(ctx, src(ctx), "snapclone")
    ctx.refused(lambda: ctx.driver.restore_switch(src(ctx), t), "EVA_RESTORE_NOT_ALLOWED")


def _switch_presented(ctx: Ctx) -> None:
    t = make(ctx, src(ctx), "snapclone")
    settle(ctx, t)
    present(ctx, t, ctx.fx.hosts[0])
    ctx.refused(lambda: ctx.driver.restore_switch(src(ctx), t), "EVA_VDISK_PRESENTED")


def _limit(rt: str) -> Any:
    def run(ctx: Ctx) -> None:
        s = src(ctx)
        for _ in range(ctx.driver.snapshot_limit(s)):
            make(ctx, s, rt)
        ctx.refused(
            lambda: ctx.driver.create_replicas([ReplicaRequest(s, TYPES[rt])]), "EVA_SNAPSHOT_LIMIT"
        )

    return run


PER_TYPE = [
    ("create.{t}.listed", "a new {t} is listed as a target of its source with its type", _returns),
    ("create.{t}.targets-of", "targets_of the source lists the new {t}", _targets_of),
    ("create.{t}.size-and-pool", "a {t} has its source's size and disk group", _size),
    ("create.{t}.wwn", "a {t} has a WWN of its own that volume_by_wwn finds", _wwn),
    ("delete.{t}.idempotent-refusal", "a deleted {t} is gone; deleting it again: EVA_NO_SUCH_OBJECT twice", _delete),
    ("present.{t}.two-hosts", "a {t} presented to two hosts shows both and gets LUNs", _present),
    ("present.{t}.twice", "presenting a {t} twice to one host: EVA_ALREADY_PRESENTED, changing nothing", _present_twice),
    ("unpresent.{t}.twice", "unpresenting a {t} twice: EVA_NOT_PRESENTED the second time", _unpresent_twice),
    ("delete.{t}.presented", "ARR-I8: deleting a presented {t}: EVA_VDISK_PRESENTED, changing nothing", _delete_presented),
    ("create.{t}.of-target", "E4/E5: a replica of a fresh {t} is refused with its code", _of_target),
    ("create.{t}.batch", "ARR-I14: a batch of two {t}s makes both, in request order", _batch),
    ("copy-state.{t}", "copy_state of a {t}: snapclones normalize and finish, snapshots never copy", _copy_state),
    ("copy-back.{t}", "copy-back from a {t} with keep: the replica survives, the copy ends", _copy_back),
    ("switch.{t}", "switch: a normalized snapclone takes the source's WWN; other types EVA_NOT_A_REPLICA", _switch),
]  # fmt: skip

for _rt in TYPES:
    for _cid, _doc, _gen in PER_TYPE:
        add(_cid.format(t=_rt), _doc.format(t=_rt), _gen(_rt))
for _rt in ("snapshot", "vsnap"):
    add(
        f"limit.{_rt}",
        f"E9: {_rt}s up to snapshot_limit, the next: EVA_SNAPSHOT_LIMIT",
        _limit(_rt),
    )
add(
    "switch.normalizing",
    "2.7: switch to a normalizing snapclone: EVA_RESTORE_NOT_ALLOWED",
    _switch_normalizing,
    ("switch",),
)
add("switch.presented", "2.7: switch to a presented snapclone: EVA_VDISK_PRESENTED", _switch_presented, ("switch", "present"))  # fmt: skip


# --- a second replica beside a first (E3 one snapshot type, E7 cloning lockout, E8) --------

SECOND: dict[tuple[str, str], str | None] = {
    ("snapshot", "snapshot"): None,
    ("snapshot", "vsnap"): "EVA_SNAPSHOT_MISMATCH",
    ("snapshot", "snapclone"): "EVA_HAS_SNAPSHOTS",
    ("vsnap", "snapshot"): "EVA_SNAPSHOT_MISMATCH",
    ("vsnap", "vsnap"): None,
    ("vsnap", "snapclone"): "EVA_HAS_SNAPSHOTS",
    ("snapclone", "snapshot"): "EVA_CLONE_IN_PROGRESS",
    ("snapclone", "vsnap"): "EVA_CLONE_IN_PROGRESS",
    ("snapclone", "snapclone"): "EVA_CLONE_IN_PROGRESS",
}


def _second(first: str, then: str, code: str | None, normalized: bool = False) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require(first, then)
        t = make(ctx, src(ctx), first)
        if normalized:
            settle(ctx, t)
        if code is None:
            make(ctx, src(ctx), then)
            expect(len(ctx.driver.targets_of(src(ctx))) == 2, "second replica not listed")
            return
        req = [ReplicaRequest(src(ctx), TYPES[then])]
        ctx.refused(lambda: ctx.driver.create_replicas(req), code)

    return run


for (_a, _b), _code in SECOND.items():
    _what = "is accepted" if _code is None else f"is refused with {_code}"
    add(
        f"second.{_a}-then-{_b}",
        f"a {_b} of a source with a fresh {_a} {_what}",
        _second(_a, _b, _code),
    )
for _b in TYPES:
    add(f"second.normalized-snapclone-then-{_b}", f"E7: once its snapclone normalized, a {_b} of the source is accepted",
        _second("snapclone", _b, None, normalized=True))  # fmt: skip

__all__ = ["MISSING"]
