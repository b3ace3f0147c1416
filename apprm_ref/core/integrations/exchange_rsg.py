"""Restore of one Exchange 2007 database into the recovery storage group (vss-and-core.md
§6.1, §6.2, §11 "Exchange target": a different location; the 2007 store writer restores to
other paths, Exchange 2010 text, inferred for 2007).

Nothing of the original storage group changes: the replica is presented to the backup
system, the database file and the storage group's logs of the replica are restored into the
recovery storage group's paths on the application system, ``eseutil /r`` replays those logs
there (soft recovery to the replica's instant), and the database is mounted in the recovery
storage group, where its mailboxes can be read beside production. Conditions of an RSG
(same administrative group, AD objects unchanged) are the operator's.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import Steps
from apprm_ref.core.integrations.exchange_check import on_backup, present, withdraw
from apprm_ref.core.integrations.exchange_options import ExchangeRecoveryOptions
from apprm_ref.core.integrations.vss import origin
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.errors import RecoveryError


def _which(
    details: dict[str, Any], opts: ExchangeRecoveryOptions, infos: dict[str, Any]
) -> tuple[str, str]:
    if details.get("version") != 2007:
        raise RecoveryError(
            "a recovery storage group restore needs Exchange 2007", code="RSG_VERSION"
        )
    if len(opts.components) != 1:
        raise RecoveryError(
            "name the one database to restore into the recovery storage group",
            code="RSG_ONE_DATABASE",
        )
    sg, _, db = opts.components[0].replace("/", "\\").partition("\\")
    if sg not in details["groups"]:
        raise RecoveryError(f"{sg} is not in replica", code="NO_SUCH_COMPONENT")
    dbs = infos[sg].databases
    db = db or (dbs[0] if len(dbs) == 1 else "")
    if db not in dbs:
        raise RecoveryError(
            f"{opts.components[0]!r}: name the database ({', '.join(dbs)})",
            code="NO_SUCH_COMPONENT",
        )
    if sg in details["check_failed"]:
        raise RecoveryError(
            f"{sg} failed its consistency check at backup", code="EXCHANGE_CONSISTENCY_CHECK"
        )
    return sg, db


def restore_to_rsg(
    ctx: SessionContext, replica: ReplicaRecord, opts: ExchangeRecoveryOptions
) -> Steps:
    from apprm_ref.core.integrations.exchange import exchange_driver
    from apprm_ref.core.integrations.exchange_restore import details_of

    assert ctx.spec is not None
    if not ctx.spec.backup_system:
        raise RecoveryError(
            "the replica is read on the backup system: the spec has none", code="NO_BACKUP_SYSTEM"
        )
    details = details_of(replica)
    drv = exchange_driver(ctx)
    infos = {g.name: g for g in drv.storage_groups()}
    sg, db = _which(details, opts, infos)
    info = infos[sg]
    copy = info.passive if details["copy"] == "passive" and info.passive else info.active
    *targets, rsg_logs, rsg_system = drv.add_to_recovery_group(opts.recovery_group, sg, db)
    app, bk = info.active.host, ctx.spec.backup_system
    mapping, held = yield from present(ctx, replica)
    sources = dict(copy.files)[db]
    for src, dst in zip(sources, targets, strict=True):
        drv.restore_file(bk, on_backup(src, mapping), app, dst)
    log_dir = on_backup(copy.log_path, mapping)
    logs = [
        p for p in ctx.drivers.host.list_files(bk, log_dir[:3]) if _is_log(p, log_dir, info.prefix)
    ]
    for path in logs:
        drv.restore_file(bk, path, app, f"{rsg_logs}\\{path.rsplit(chr(92), 1)[-1]}")
    ctx.info(
        origin(ctx), f"Restored {sg}\\{db} and {len(logs)} log file(s) into {opts.recovery_group}"
    )
    yield from withdraw(ctx, replica, held)
    data_dir = targets[0].rsplit("\\", 1)[0]
    run = drv.eseutil(app, ["/r", info.prefix, f"/l{rsg_logs}", f"/s{rsg_system}", f"/d{data_dir}"])
    yield from ctx.sleep(run.seconds)
    if run.rc:
        raise RecoveryError(
            f"eseutil /r in {opts.recovery_group}: {run.lines[-1]}", code=f"JET{run.rc}"
        )
    ctx.info(origin(ctx), f"Soft recovery of {db} in {opts.recovery_group}: {run.lines[-1]}")
    drv.mount(opts.recovery_group, db)
    ctx.info(origin(ctx), f"{db} mounted in the recovery storage group {opts.recovery_group}")


def _is_log(path: str, log_dir: str, prefix: str) -> bool:
    folder, _, name = path.rpartition("\\")
    return (
        folder.upper() == log_dir.rstrip("\\").upper()
        and name.upper().startswith(prefix.upper())
        and name.lower().endswith(".log")
    )
