"""The consistency check of an Exchange replica on the backup system (vss-and-core.md §6.3).

The replica is presented to the backup system and mounted read-only; for each storage group
``eseutil /mh`` of each database gives its ``Log Required`` range, ``eseutil /k`` checks
every database (with its ``.stm`` on 2003) and every required log (each generation of the
range, the last one as ``Enn.log`` when it was the current log), as Microsoft's method for
VSS requesters prescribes ("Validate backup integrity by using the Eseutil tool"). A storage
group with any failing file is not successful: its components are reported unsuccessful
before BackupComplete, so its logs are not truncated (VC-I20); the others are unaffected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apprm_ref.core import planner
from apprm_ref.core.backup import BackupMounts, mount_replica
from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import Steps
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.replication.base import method_for
from apprm_ref.drivers.exchange import LOG_REQUIRED, CopyInfo, ExchangeDriver, log_name
from apprm_ref.types import Severity


@dataclass
class GroupCheck:
    sg: str
    failures: list[str] = field(default_factory=list)
    files: int = 0

    @property
    def ok(self) -> bool:
        return not self.failures


def _mapping(ctx: SessionContext, replica: ReplicaRecord, points: list[str]) -> dict[str, str]:
    """Original mount point -> where the replica's copy of it is mounted on the backup
    system (``mount_replica`` mounts in this order)."""
    order = [
        lay
        for vg in sorted({x.vg for x in replica.layout})
        for lay in replica.layout
        if lay.vg == vg
    ]
    return {lay.mount_point.upper(): mp for lay, mp in zip(order, points, strict=True)}


def on_backup(path: str, mapping: dict[str, str]) -> str:
    best = max((mp for mp in mapping if path.upper().startswith(mp)), key=len, default="")
    if not best:
        return path
    return mapping[best].rstrip("\\") + "\\" + path[len(best) :].lstrip("\\")


def present(ctx: SessionContext, replica: ReplicaRecord) -> Steps:
    """Present the replica to the backup system and mount it read-only; returns
    (original mount point -> backup-system mount point, the mounts to undo)."""
    assert ctx.spec is not None and ctx.spec.backup_system
    bk, hd = ctx.spec.backup_system, ctx.drivers.host
    yield from method_for(ctx.drivers.array(ctx.spec.array)).expose(ctx, replica)
    hd.rescan(bk)
    held = mount_replica(ctx, replica, planner.MountOptions(read_only=True))
    return _mapping(ctx, replica, held.points), held


def withdraw(ctx: SessionContext, replica: ReplicaRecord, held: BackupMounts) -> Steps:
    assert ctx.spec is not None and ctx.spec.backup_system
    held.undo()
    yield from method_for(ctx.drivers.array(ctx.spec.array)).conceal(ctx, replica)
    ctx.drivers.host.rescan(ctx.spec.backup_system)


def check_replica(
    ctx: SessionContext,
    replica: ReplicaRecord,
    drv: ExchangeDriver,
    groups: list[tuple[str, str, CopyInfo]],
) -> Steps:
    """``groups``: (storage group, log prefix, the backed-up copy). Returns {sg: GroupCheck}."""
    assert ctx.spec is not None and ctx.spec.backup_system
    bk = ctx.spec.backup_system
    mapping, held = yield from present(ctx, replica)
    results: dict[str, GroupCheck] = {}
    seconds = 0.0
    for sg, prefix, copy in groups:
        res, took = _check_group(ctx, drv, bk, sg, prefix, copy, mapping)
        results[sg], seconds = res, seconds + took
    yield from ctx.sleep(seconds)
    yield from withdraw(ctx, replica, held)
    return results


def _check_group(
    ctx: SessionContext,
    drv: ExchangeDriver,
    bk: str,
    sg: str,
    prefix: str,
    copy: CopyInfo,
    mapping: dict[str, str],
) -> tuple[GroupCheck, float]:
    res, took = GroupCheck(sg), 0.0
    ranges = []
    for _db, files in copy.files:
        edb = on_backup(files[0], mapping)
        mh = drv.eseutil(bk, ["/mh", edb])
        took += mh.seconds
        found = [LOG_REQUIRED.match(line) for line in mh.lines]
        hits = [m for m in found if m]
        if mh.rc or not hits:
            res.failures.append(f"eseutil /mh {edb}: {mh.lines[-1]}")
            continue
        lo, hi = int(hits[0].group(1)), int(hits[0].group(2))
        if lo:
            ranges.append((lo, hi))
        took += _k(drv, bk, edb, res)
    if ranges:
        lo, hi = min(r[0] for r in ranges), max(r[1] for r in ranges)
        log_dir = on_backup(copy.log_path, mapping)
        present = {p.upper() for p in ctx.drivers.host.list_files(bk, _root(log_dir))}
        for gen in range(lo, hi + 1):
            path = f"{log_dir.rstrip(chr(92))}\\{log_name(prefix, gen, drv.version())}"
            if gen == hi and path.upper() not in present:
                path = f"{log_dir.rstrip(chr(92))}\\{prefix}.log"  # the then current log
            took += _k(drv, bk, path, res)
    return res, took


def _root(path: str) -> str:
    return path[:3] if len(path) > 2 and path[1] == ":" else path


def _k(drv: ExchangeDriver, bk: str, path: str, res: GroupCheck) -> float:
    run = drv.eseutil(bk, ["/k", path])
    res.files += 1
    if run.rc:
        res.failures.append(f"eseutil /k {path}: {run.lines[-1]}")
    return run.seconds


def report(ctx: SessionContext, origin: str, results: dict[str, GroupCheck], bk: str) -> None:
    for sg in sorted(results):
        res = results[sg]
        if res.ok:
            ctx.info(
                origin,
                f"Consistency check of storage group {sg} on {bk} succeeded ({res.files} files checked).",
            )
            continue
        for text in res.failures:
            ctx.log(
                Severity.MAJOR,
                origin,
                f"Consistency check of storage group {sg} failed: {text}",
                obj=sg,
            )
        ctx.log(
            Severity.MAJOR,
            origin,
            f"The backup of storage group {sg} is not successful: the consistency check of the "
            "replica failed; its transaction logs are not truncated.",
            obj=sg,
        )
