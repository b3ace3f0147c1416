"""Instant recovery of an Exchange replica (vss-and-core.md §6.1-§6.3, §11; technet bb124521).

Components are named as the user knows them: a storage group's name, or ``SG\\database``
(Exchange 2007 components are GUIDs; the captions saved with the replica translate). A
storage group whose consistency check failed at backup is not offered. ``check_before_ir``
runs the consistency check of the replica before anything changes.

Replicated storage groups (LCR/CCR) take the additional steps around the restore: the copy
is suspended first (the store writer refuses a restore otherwise) and, once the databases
are mounted again, the passive copy is reseeded from the restored active copy
(``Update-StorageGroupCopy``) and replication resumes. A passive-copy replica is restored
onto the passive copy's volumes: its databases are dismounted on the active copy first, and
afterwards the server moves to the restored copy (CCR: ``Move-ClusteredMailboxServer``; LCR:
the copies change roles), which mounts them with its restored logs, then the other copy is
reseeded.
"""

from __future__ import annotations

import functools
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions, Steps
from apprm_ref.core.integrations.exchange_check import check_replica, report
from apprm_ref.core.integrations.exchange_options import ExchangeRecoveryOptions
from apprm_ref.core.integrations.vss import origin
from apprm_ref.core.integrations.vss_restore import VssRecoveryOptions
from apprm_ref.core.integrations.vss_restore import start_after_ir as vss_start
from apprm_ref.core.integrations.vss_restore import stop_for_ir as vss_stop
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.errors import RecoveryError


def exchange_options(options: RecoveryOptions) -> ExchangeRecoveryOptions:
    from apprm_ref.core.options import narrow

    return narrow(
        ExchangeRecoveryOptions, options, owner="application 'exchange'", field="recovery"
    )


def details_of(replica: ReplicaRecord) -> dict[str, Any]:
    found = replica.details.get("exchange")
    if not found:
        raise RecoveryError(f"replica {replica.id} has no Exchange record", code="NOT_EXCHANGE")
    return dict(found)


def _component_names(details: dict[str, Any], wanted: tuple[str, ...]) -> tuple[str, ...]:
    """Storage group / ``SG\\database`` captions -> component full paths."""
    caps: dict[str, str] = details["captions"]
    by_caption: dict[str, str] = {}
    for path, cap in caps.items():
        parent = path.rsplit("\\", 1)[0]
        by_caption[f"{caps[parent]}\\{cap}" if parent in caps else cap] = path
    out = []
    for name in wanted:
        out.append(by_caption.get(name, by_caption.get(name.replace("/", "\\"), name)))
    return tuple(out)


def _generic(details: dict[str, Any], opts: ExchangeRecoveryOptions) -> VssRecoveryOptions:
    """The VSS half of the options, with the components as the writer names them."""
    return VssRecoveryOptions(_component_names(details, opts.components), opts.recover)


def _groups_of(details: dict[str, Any], opts: ExchangeRecoveryOptions) -> list[str]:
    if not opts.components:
        return list(details["groups"])
    return sorted({c.replace("/", "\\").split("\\", 1)[0] for c in opts.components})


def stop_for_ir(
    integration: Any, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
) -> Steps:
    from apprm_ref.core.integrations.exchange import exchange_driver

    opts = exchange_options(options)
    details = details_of(replica)
    groups = _groups_of(details, opts)
    bad = sorted(set(groups) & set(details["check_failed"]))
    if bad:
        raise RecoveryError(
            f"storage group {bad[0]} failed its consistency check at backup; this replica is "
            "not offered for its instant recovery",
            code="EXCHANGE_CONSISTENCY_CHECK",
        )
    drv = exchange_driver(ctx)
    infos = {g.name: g for g in drv.storage_groups()}
    if opts.check_before_ir:
        yield from _check_first(ctx, replica, drv, infos, groups, details["copy"])
    for sg in groups:
        if infos[sg].replication != "none" and not infos[sg].suspended:
            drv.suspend_copy(sg)
            ctx.undo.push(f"resume the copy of {sg}", functools.partial(drv.resume_copy, sg))
            ctx.info(
                origin(ctx),
                f"Replication of storage group {sg} suspended (Suspend-StorageGroupCopy)",
            )
        if details["copy"] == "passive":
            for db in infos[sg].mounted:
                drv.dismount(sg, db)
                ctx.undo.push(f"mount {sg}\\{db}", functools.partial(drv.mount, sg, db))
            ctx.info(origin(ctx), f"Databases of {sg} dismounted on the active copy")
    yield from vss_stop(integration, ctx, replica, _generic(details, opts))


def _check_first(
    ctx: SessionContext,
    replica: ReplicaRecord,
    drv: Any,
    infos: dict[str, Any],
    groups: list[str],
    copy: str,
) -> Steps:
    assert ctx.spec is not None
    if not ctx.spec.backup_system:
        raise RecoveryError(
            "the consistency check before IR needs the spec's backup system",
            code="NO_BACKUP_SYSTEM",
        )
    copies = [
        (
            g,
            infos[g].prefix,
            infos[g].passive if copy == "passive" and infos[g].passive else infos[g].active,
        )
        for g in groups
    ]
    results = yield from check_replica(ctx, replica, drv, copies)
    report(ctx, origin(ctx), results, ctx.spec.backup_system)
    failed = sorted(sg for sg, res in results.items() if not res.ok)
    if failed:
        raise RecoveryError(
            f"the consistency check of the replica failed for {', '.join(failed)}; nothing was restored",
            code="EXCHANGE_CONSISTENCY_CHECK",
        )


def start_after_ir(
    integration: Any, ctx: SessionContext, replica: ReplicaRecord, options: RecoveryOptions
) -> Steps:
    from apprm_ref.core.integrations.exchange import exchange_driver

    opts = exchange_options(options)
    details = details_of(replica)
    yield from vss_start(integration, ctx, replica, _generic(details, opts))
    drv = exchange_driver(ctx)
    infos = {g.name: g for g in drv.storage_groups()}
    for sg in _groups_of(details, opts):
        info = infos[sg]
        if details["copy"] == "passive":
            drv.move_server(sg)
            ctx.info(
                origin(ctx),
                f"The restored copy of {sg} is now the active copy (the server moved to it)",
            )
            if opts.recover:
                for db in info.databases:
                    drv.mount(sg, db)
        if info.replication != "none" and opts.recover:
            drv.reseed(sg)
            drv.resume_copy(sg)
            ctx.info(
                origin(ctx),
                f"Passive copy of {sg} reseeded from the restored database (Update-StorageGroupCopy); "
                "replication resumed",
            )
