"""XP instant recovery (``arrays.md`` §3.7): reverse resync, normal or quick, then an
optional split to keep the replica.

The product loses the original data when an XP restore fails part-way (F14, ARR-P14). By
default this project first splits a *safety copy* of every source onto a free MU of its
P-VOL (a pair in PAIR that holds no replica, else a new pair on an unused MU and a free
S-VOL), and if the restore fails it reverse-restores the sources from that copy, so the
application comes back as it was before the IR. ``SplitMirrorRestoreOptions.retain_source=False``
keeps the product's behaviour; with no free MU the IR goes on with a warning.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from apprm_ref.core import identity
from apprm_ref.core.context import SessionContext
from apprm_ref.core.options import narrow
from apprm_ref.core.records import ReplicaRecord, ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions, SplitMirrorRestoreOptions, Steps
from apprm_ref.errors import ApprmError, PartialRestoreError, RecoveryError
from apprm_ref.types import Severity

Pairs = list[tuple[str, int]]
BUSY = ("COPY", "RCPY")
# what PartialRestoreError says the sources hold when no undo may remount them
NEITHER = "the sources hold neither their data before the IR nor the replica"
ON_SAFETY = "the sources' data before the IR is only on the safety S-VOLs"
SOME_BACK = "only some sources were rolled back to their data before the IR"


def _origin(ctx: SessionContext) -> str:
    assert ctx.spec is not None
    return f"SSEA@{ctx.spec.application_system}"


def _wait(ctx: SessionContext, drv: Any, pairs: Pairs, state: str) -> Steps:
    from apprm_ref.core.replication.split_mirror import wait_state

    yield from wait_state(ctx, drv, pairs, state, "XP_RESTORE")


def restore_replica(
    ctx: SessionContext, drv: Any, replica: ReplicaRecord, given: RestoreOptions
) -> Steps:
    options = narrow(SplitMirrorRestoreOptions, given, owner="array family 'xp'", field="restore")
    method = options.method or ctx.options.default_restore
    if method not in ("normal", "quick"):
        raise RecoveryError(f"XP restore method must be normal or quick, not {method!r}")
    pairs = _pairs(replica)
    _check(ctx, drv, replica, pairs)
    safety, borrowed = yield from _free_other_pairs(ctx, drv, pairs, options.retain_source)
    try:
        # IDB first (REL-I1): the MU follows the source, or (keep) is split again with a
        # new identity that only the final write records; an IDB that refuses that write
        # then leaves split S-VOLs it does not call a replica (reported), not a replica
        # whose recorded identity the array no longer shows
        replica.status = ReplicaStatus.CONSUMED
        ctx.repo.update_replica(replica)
        yield from ctx.wait(drv.pair_resync(pairs, restore=True, quick=method == "quick"))
        ctx.info(_origin(ctx), f"{method.capitalize()} restore from MU#{replica.mu} started")
        yield from _wait(ctx, drv, pairs, "PAIR")
    except ApprmError as exc:
        replica.status = ReplicaStatus.ACTIVE  # the S-VOLs still hold the replica
        if all(drv.pair_info(*p).state == "PSUS" for p in pairs):  # refused: nothing changed
            yield from _release(ctx, drv, safety, borrowed)
            raise RecoveryError(f"XP restore refused: {exc}", code=exc.code) from None
        replica.details["ir_failed"] = ctx.session.id
        yield from _after_failure(ctx, drv, replica, safety, borrowed, exc)
    if options.keep_replica:
        yield from _keep(ctx, drv, replica, pairs)
    else:
        replica.status = ReplicaStatus.CONSUMED
        ctx.info(_origin(ctx), f"Replica {replica.id} consumed: MU#{replica.mu} follows the source")
    yield from _release(ctx, drv, safety, borrowed)


def _keep(ctx: SessionContext, drv: Any, replica: ReplicaRecord, pairs: Pairs) -> Steps:
    """Split the restored pairs again: their S-VOLs still hold the replica, now with the
    identity of this split (recorded by the IR's final write). A split the array refuses
    (atomically: none split) leaves the MU following the source, so the replica is
    consumed as without keep, and the restore itself stands."""
    try:
        yield from _split_settled(ctx, drv, replica, pairs)
    except ApprmError as exc:
        if any(drv.pair_info(*p).state != "PSUS" for p in pairs):
            replica.status = ReplicaStatus.CONSUMED
            ctx.warn(
                _origin(ctx),
                f"Replica {replica.id} not kept: splitting MU#{replica.mu} again failed "
                f"({exc}); the MU follows the source",
                code="XP_NOT_KEPT",
            )
            return
    replica.status = ReplicaStatus.ACTIVE
    ctx.info(_origin(ctx), f"Replica {replica.id} kept: MU#{replica.mu} split again")


def _pairs(replica: ReplicaRecord) -> Pairs:
    if replica.mu is None:
        raise RecoveryError(f"replica {replica.id} has no MU", code="NOT_XP")
    return [(t.source.volume, replica.mu) for t in replica.targets]


def _check(ctx: SessionContext, drv: Any, replica: ReplicaRecord, pairs: Pairs) -> None:
    """A split, tracked pair per target; no source filesystem still mounted (ARR-I17)."""
    hd = ctx.drivers.host
    for lay in replica.layout:
        if any(m.mount_point == lay.mount_point for m in hd.mounts(lay.host)):
            raise RecoveryError(f"{lay.mount_point} is still mounted on {lay.host}", code="MOUNTED")
    for (pvol, mu), t in zip(pairs, replica.targets, strict=True):
        info = drv.pair_info(pvol, mu)
        if info.state != "PSUS" or info.svol != t.target.volume:
            raise RecoveryError(
                f"{pvol} MU#{mu} is {info.state} (S-VOL {info.svol}); IR needs the split pair "
                f"to {t.target.volume}",
                code="XP_PAIR_STATE",
            )


def _free_other_pairs(ctx: SessionContext, drv: Any, pairs: Pairs, retain: bool) -> Steps:
    """Split the P-VOLs' other pairs that follow them (the array restores only when every
    other pair is split); the first such split per source is its safety copy."""
    safety: dict[str, tuple[int, bool]] = {}  # pvol -> (mu, created by us)
    borrowed: Pairs = []  # following pairs we split; they follow again after the IR
    for pvol, mu in pairs:
        for info in drv.pairs_of(pvol):
            if info.mu == mu or info.state not in ("PAIR", *BUSY):
                continue
            borrowed.append((pvol, info.mu))
            safety.setdefault(pvol, (info.mu, False))
    if not retain:
        safety = {}
    to_split = borrowed + (
        (yield from _create_safety_pairs(ctx, drv, pairs, safety)) if retain else []
    )
    yield from _wait(ctx, drv, to_split, "PAIR")
    if to_split:
        try:
            yield from ctx.wait(drv.pair_split(to_split))
            yield from _wait(ctx, drv, to_split, "PSUS")
        except ApprmError as exc:
            yield from _unsplit(ctx, drv, to_split, safety, borrowed)
            raise RecoveryError(f"XP restore refused: {exc}", code=exc.code) from None
    for pvol, (mu, _new) in sorted(safety.items()):
        ctx.info(_origin(ctx), f"Safety copy of {pvol} (before IR) split on MU#{mu}")
    return safety, borrowed


def _create_safety_pairs(
    ctx: SessionContext, drv: Any, pairs: Pairs, safety: dict[str, tuple[int, bool]]
) -> Generator[Any, Any, Pairs]:
    """A new pair on a free MU and S-VOL per source no following pair covers. A paircreate
    the array refuses refuses the restore: the safety pairs made so far are deleted first
    (one that cannot be is reported Critical by its S-VOL), so nothing is half made."""
    created: Pairs = []
    limit = drv.capabilities().limit("mu_per_pvol", 3) or 3
    can_create = drv.capabilities().has("pair-create")
    for pvol, _mu in pairs:
        if pvol in safety:
            continue
        used = {i.mu for i in drv.pairs_of(pvol)}
        free_mu = [m for m in range(limit) if m not in used]
        svols = drv.free_svols(pvol) if free_mu and can_create else []
        if not svols:
            ctx.warn(
                _origin(ctx),
                f"No free MU or S-VOL for a safety copy of {pvol}: the source is not "
                "retained; a failed restore would lose it (as the product does)",
                code="XP_NO_SAFETY_COPY",
            )
            continue
        try:
            drv.pair_create(pvol, svols[0], free_mu[0])
        except ApprmError as exc:
            yield from _release(ctx, drv, safety, [])
            raise RecoveryError(
                f"XP restore refused: the safety copy of {pvol} could not be created ({exc}); "
                "no source was changed",
                code=exc.code,
            ) from None
        safety[pvol] = (free_mu[0], True)
        created.append((pvol, free_mu[0]))
    return created


def _after_failure(
    ctx: SessionContext,
    drv: Any,
    replica: ReplicaRecord,
    safety: dict[str, tuple[int, bool]],
    borrowed: Pairs,
    exc: Exception,
) -> Steps:
    """Roll the sources back from their safety copies, or report them lost. A reverse
    resync copies S-VOL to P-VOL, so the replica's S-VOLs still hold it: its pairs that
    settled are split again and the identity the array now shows is kept (REL-I6). Only
    a rollback of every source lets the session's undo remount them; a source lost or a
    rollback refused is a :class:`PartialRestoreError` (nothing undone, each step left
    reported), never a remount of volumes that hold neither point in time."""
    pairs = _pairs(replica)
    lost = [p for p, _ in pairs if p not in safety]
    if lost:
        ctx.log(
            Severity.CRITICAL,
            _origin(ctx),
            f"Restore failed part-way: {', '.join(lost)} hold neither the old data nor the "
            "replica, and no pre-IR copy exists",
            code="XP_SOURCE_LOST",
        )
    resplit = ""
    try:
        yield from _split_settled(ctx, drv, replica, pairs)
    except ApprmError as again:  # the rollback below is refused unless the array split them
        resplit = f"; splitting the replica's pairs again failed ({again})"
    if not safety:
        raise PartialRestoreError(
            f"XP restore failed: {exc}{resplit}", code="XP_SOURCE_LOST", state=NEITHER
        ) from None
    back = [(p, mu) for p, (mu, _new) in sorted(safety.items())]
    try:
        yield from ctx.wait(drv.pair_resync(back, restore=True))
        yield from _wait(ctx, drv, back, "PAIR")
    except ApprmError as again:
        yield from _keep_safety(ctx, drv, safety, borrowed, f"{exc}{resplit}; rollback: {again}")
        raise PartialRestoreError(
            f"XP restore failed and could not be rolled back: {again}",
            code="XP_SOURCE_LOST",
            state=ON_SAFETY,
        ) from None
    ctx.warn(
        _origin(ctx),
        f"Restore failed ({exc}{resplit}); {', '.join(p for p, _ in back)} rolled back to their "
        "content before the IR from the safety copy",
        code="XP_ROLLED_BACK",
    )
    yield from _release_after_rollback(ctx, drv, safety, borrowed)
    if lost:  # the others were rolled back; these hold neither point in time
        raise PartialRestoreError(
            f"XP restore failed; rolled back all but {', '.join(lost)}: {exc}",
            code="XP_SOURCE_LOST",
            state=SOME_BACK,
        )
    raise RecoveryError(f"XP restore failed and was rolled back: {exc}", code="XP_ROLLED_BACK")


def _keep_safety(
    ctx: SessionContext,
    drv: Any,
    safety: dict[str, tuple[int, bool]],
    borrowed: Pairs,
    why: str,
) -> Steps:
    """No rollback: the sources' content before the IR is only on the safety S-VOLs, so
    they stay split and are named Critical (restore from them or release them by hand);
    the other borrowed pairs follow their P-VOLs again."""
    kept = [(p, mu) for p, (mu, _new) in sorted(safety.items())]
    svols = ", ".join(drv.pair_info(p, mu).svol or f"{p} MU#{mu}" for p, mu in kept)
    ctx.log(
        Severity.CRITICAL,
        _origin(ctx),
        f"Restore failed and was not rolled back ({why}): the content of "
        f"{', '.join(p for p, _ in kept)} before the IR stays on safety S-VOL(s) {svols}, "
        "left split; restore from them (pairresync -restore) or release them (pairresync / "
        "pairsplit -S)",
        code="XP_SAFETY_LEFT",
    )
    others = [p for p in borrowed if p not in kept and drv.pair_info(*p).state == "PSUS"]
    yield from _release(ctx, drv, {}, others)


def _split_settled(ctx: SessionContext, drv: Any, replica: ReplicaRecord, pairs: Pairs) -> Steps:
    """Split again the replica's pairs the failed restore left following (their S-VOLs
    still hold it), then keep the identity the array shows, also when that split fails:
    the IDB then describes the pairs as they are (REL-I6), with or without a safety copy."""
    from apprm_ref.core.replication.split_mirror import _split_of

    settled = [p for p in pairs if drv.pair_info(*p).state in ("PAIR", *BUSY)]
    try:
        yield from _wait(ctx, drv, settled, "PAIR")
        if settled:
            try:
                yield from ctx.wait(drv.pair_split(settled))
            except ApprmError:  # a lost reply: what the array split settles first
                yield from _wait(ctx, drv, _split_of(drv, settled), "PSUS")
                raise
            yield from _wait(ctx, drv, settled, "PSUS")
    finally:
        identity.record(ctx.drivers, replica)


def _unsplit(
    ctx: SessionContext,
    drv: Any,
    to_split: Pairs,
    safety: dict[str, tuple[int, bool]],
    borrowed: Pairs,
) -> Steps:
    """The safety split failed: release what the array did split (a lost reply split them
    all; asked again, never trusted), once the split settles, so no S-VOL stays split."""
    from apprm_ref.core.replication.split_mirror import _split_of

    split = _split_of(drv, to_split)
    if split:
        yield from _wait(ctx, drv, split, "PSUS")
    yield from _release(ctx, drv, safety, [p for p in borrowed if p in split])


def _release_after_rollback(
    ctx: SessionContext, drv: Any, safety: dict[str, tuple[int, bool]], borrowed: Pairs
) -> Steps:
    """Release the safety copies a rolled-back restore used, as after a restore (a split
    safety S-VOL nobody tracks is an orphan); the safety pair restored from follows already."""
    still = [p for p in borrowed if drv.pair_info(*p).state == "PSUS"]
    yield from _release(ctx, drv, safety, still)


def _release(
    ctx: SessionContext, drv: Any, safety: dict[str, tuple[int, bool]], borrowed: Pairs
) -> Steps:
    """After the restore: delete the pairs made for safety, let borrowed ones follow again.
    A pair that cannot be released is reported Critical by its S-VOL, never silently."""
    made = [(p, mu) for p, (mu, new) in sorted(safety.items()) if new]
    stuck: list[str] = []
    for pvol, mu in made:
        stuck += yield from _try(ctx, drv, [(pvol, mu)], lambda p=pvol, m=mu: drv.pair_delete(p, m))
    if borrowed:
        stuck += yield from _try(ctx, drv, borrowed, lambda: drv.pair_resync(borrowed))
        from apprm_ref.core.replication.split_mirror import report_suspended

        report_suspended(ctx, drv, [p for p in borrowed if drv.pair_info(*p).svol not in stuck])
    if stuck:
        ctx.log(
            Severity.CRITICAL,
            _origin(ctx),
            f"Safety copies not released: S-VOL(s) {', '.join(stuck)} still in their pairs; "
            "resync or delete them (pairresync / pairsplit -S)",
            code="XP_SAFETY_LEFT",
        )
    elif safety:
        ctx.info(_origin(ctx), "Safety copies released")


def _try(ctx: SessionContext, drv: Any, pairs: Pairs, call: Any) -> Steps:
    """Run one release command; the S-VOLs it leaves when the array refuses it."""
    try:
        yield from ctx.wait(call())
    except ApprmError:
        return [drv.pair_info(p, mu).svol or f"{p} MU#{mu}" for p, mu in pairs]
    return []
