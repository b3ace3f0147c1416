"""Database recovery after an instant recovery (reference 1.7, 4.2, 4.3).

``validate_recovery`` refuses, before anything is stopped, what Oracle or the product
refuses: RESETLOGS after complete recovery with the current control file (ORA-01139, the
product warns), no RESETLOGS after incomplete recovery or with a backup control file
(ORA-01589), a target below the replica's minimum recovery point (ORA-01195 would follow).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.base import RecoveryOptions
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.drivers.oracle import OracleDriver, RecoveryResult, RecoveryTarget
from apprm_ref.errors import OracleError, RecoveryError

UNTIL = ("now", "scn", "time", "sequence", "cancel", "none")


@dataclass(frozen=True)
class OracleRecoveryOptions(RecoveryOptions):
    """Oracle's half of an instant recovery request: database recovery and its target."""

    recover: bool = True  # run database recovery after the array restore
    until: str = "now"  # now | scn | time | sequence | cancel | none
    scn: int | None = None
    time: float | None = None  # simulated seconds
    sequence: int | None = None
    thread: int = 1
    open_resetlogs: bool | None = None  # None: what the recovery requires
    keep_current_cf_olf: bool = False
    use_backup_controlfile: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def oracle_options(options: RecoveryOptions) -> OracleRecoveryOptions:
    """``options`` as Oracle's model (the core hands every kind the common base type)."""
    from apprm_ref.core.options import narrow

    return narrow(OracleRecoveryOptions, options, owner="application 'oracle'", field="recovery")


def _details(replica: ReplicaRecord) -> dict[str, Any]:
    return dict(replica.details.get("oracle") or {})


def uses_backup_controlfile(replica: ReplicaRecord, options: OracleRecoveryOptions) -> bool:
    """A backup control file is in play: the ctlcp copy, or the replica's own control files
    (ZDB_ORA_INCLUDE_CF_OLF=1) when the current ones were not kept."""
    cf_from_replica = _details(replica).get("include_cf_olf") and not options.keep_current_cf_olf
    return bool(options.use_backup_controlfile or cf_from_replica)


def incomplete(replica: ReplicaRecord, options: OracleRecoveryOptions) -> bool:
    return options.until in ("scn", "time", "sequence", "cancel") or uses_backup_controlfile(
        replica, options
    )


def validate_recovery(replica: ReplicaRecord, options: OracleRecoveryOptions) -> None:
    if options.until not in UNTIL:
        raise RecoveryError(f"unknown recovery target {options.until!r}", code="BAD_OPTION")
    needs = {"scn": options.scn, "time": options.time, "sequence": options.sequence}
    if options.until in needs and needs[options.until] is None:
        raise RecoveryError(f"recovery until {options.until} needs a value", code="BAD_OPTION")
    if not options.recover or options.until == "none":
        return
    details = _details(replica)
    if options.until == "now" and not uses_backup_controlfile(replica, options):
        if options.open_resetlogs:
            raise RecoveryError(
                "Reset logs cannot be combined with recovery until now using the current "
                "control file (Oracle refuses OPEN RESETLOGS after complete recovery)",
                code="ORA-01139",
            )
    elif incomplete(replica, options) and options.open_resetlogs is False:
        raise RecoveryError(
            "incomplete recovery or a backup control file requires OPEN RESETLOGS",
            code="ORA-01589",
        )
    if options.use_backup_controlfile and not details.get("ctlcp"):
        raise RecoveryError(
            f"replica {replica.id} has no control-file copy (configure a ctlcp location)",
            code="NO_CTLCP",
        )
    mrp = details.get("min_recovery_scn")
    if options.until == "scn" and mrp and (options.scn or 0) < mrp:
        raise RecoveryError(
            f"recovery until SCN {options.scn} stops before the replica is consistent "
            f"(minimum recovery point {mrp}); OPEN RESETLOGS would fail",
            code="ORA-01195",
        )


def target_of(ctx: SessionContext, options: OracleRecoveryOptions) -> RecoveryTarget:
    if options.until == "scn":
        return RecoveryTarget.until_scn(int(options.scn or 0))
    if options.until == "time":
        to_dt = ctx.drivers.epoch_seconds
        return RecoveryTarget.until_time(to_dt(float(options.time or 0.0)))
    if options.until == "sequence":
        return RecoveryTarget.until_sequence(int(options.sequence or 0), options.thread)
    if options.until == "cancel":
        return RecoveryTarget.until_cancel()
    return RecoveryTarget.now()


def recover_and_open(
    ctx: SessionContext,
    drv: OracleDriver,
    replica: ReplicaRecord,
    options: OracleRecoveryOptions,
    *,
    kept: bool,
) -> None:
    """STARTUP MOUNT [restore the ctlcp copy], RECOVER, OPEN [RESETLOGS]."""
    assert ctx.spec is not None
    org = f"ORA@{ctx.spec.application_system}"
    backup_cf = uses_backup_controlfile(replica, options)
    if options.use_backup_controlfile:
        drv.startup("STARTED")
        drv.restore_controlfile(_details(replica)["ctlcp"])
        drv.mount()
        ctx.info(org, f"Control file restored from {_details(replica)['ctlcp']}")
    else:
        drv.startup("MOUNTED")
    should_open = options.extra.get("open", True)
    if not options.recover or options.until == "none":
        if should_open:
            _open_without_recovery(ctx, drv, options, org)
        return
    target = target_of(ctx, options)
    if backup_cf and target.kind == "complete":
        target = RecoveryTarget.until_cancel()  # apply everything there is, then cancel
    result = _recover(drv, target, backup_cf)
    ctx.info(org, _recovered_text(target, result))
    if not should_open:
        return
    resetlogs = options.open_resetlogs
    if resetlogs is None:
        resetlogs = incomplete(replica, options) or (result is not None and not result.complete)
    drv.open(True if resetlogs else None)
    ctx.info(org, "Database opened" + (" with RESETLOGS (new incarnation)" if resetlogs else ""))


def _recover(drv: OracleDriver, target: RecoveryTarget, backup_cf: bool) -> RecoveryResult | None:
    try:
        return drv.recover(target, using_backup_controlfile=backup_cf)
    except OracleError as exc:
        if exc.code == "ORA-00283" and "ORA-00264" in exc.stack:
            return None  # no recovery required
        if "ORA-00308" in exc.codes:
            missing = next((ln for ln in str(exc).splitlines() if "ORA-00308" in ln), str(exc))
            raise RecoveryError(
                f"An archived redo log needed for recovery is missing ({missing}). "
                "Restore the archived logs (for example from the archive-log backup) and "
                "recover again; the database is left MOUNTED.",
                code="ORA-00308",
            ) from exc
        if exc.code == "ORA-01547":
            raise RecoveryError(
                f"Recovery stopped before the restored datafiles are consistent "
                f"({', '.join(exc.stack)}); the database is left MOUNTED.",
                code=exc.stack[0] if exc.stack else exc.code,
            ) from exc
        raise


def _recovered_text(target: RecoveryTarget, result: RecoveryResult | None) -> str:
    if result is None:
        return "No media recovery required"
    what = "complete" if result.complete else f"incomplete ({target.kind})"
    return f"Media recovery {what}: changes through SCN {result.end_scn} applied"


def _open_without_recovery(
    ctx: SessionContext, drv: OracleDriver, options: OracleRecoveryOptions, org: str
) -> None:
    try:
        drv.open(options.open_resetlogs)
        ctx.info(org, "Database opened without recovery")
    except OracleError as exc:
        ctx.warn(
            org,
            f"Database needs recovery before it can open ({exc.code}); left MOUNTED",
            code=exc.code,
        )
