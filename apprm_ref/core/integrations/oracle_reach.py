"""The Oracle half of a restore preview (OPS-I9): can recovery from this replica reach the
target? Read-only: V$DATABASE, V$ARCHIVED_LOG and V$LOG through the Oracle driver, and the
log files on the database host through the host driver.

- A target before the replica's minimum recovery point (the SCN and the time of END
  BACKUP, recorded when the replica is made) cannot be opened: ORA-01195 would follow
  (Oracle Database Backup and Recovery User's Guide, "Performing User-Managed Recovery":
  an online backup needs redo through the end-backup marker).
- Media recovery reads every log from the one holding the replica's checkpoint (BEGIN
  BACKUP's SCN) to the one holding the target, archived copy first, then an online group
  still holding that sequence; one unreadable on the host stops it with ORA-00308.
- An SCN beyond the database's current SCN + 1 has no redo yet (the future).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions, validate_recovery
from apprm_ref.core.records import ReplicaRecord
from apprm_ref.core.recoverability import Reason, Target
from apprm_ref.core.specs import BackupSpec
from apprm_ref.drivers.oracle import OracleDriver
from apprm_ref.errors import HostError, OracleError, RecoveryError


def reach(drivers: Any, spec: BackupSpec, replica: ReplicaRecord, target: Target) -> list[Reason]:
    details = dict(replica.details.get("oracle") or {})
    drv: OracleDriver | None = drivers.apps.get(spec.objects[0]) if spec.objects else None
    if drv is None:
        return [Reason("NO_DATABASE", f"no Oracle database {spec.objects} in this estate")]
    floor = _floor(target, details, replica, drivers.epoch_seconds)
    if floor:
        return [floor]
    try:
        return _redo(drivers, spec.application_system, drv, details, replica, target)
    except OracleError as exc:
        return [Reason(exc.code or "ORA", f"the database cannot be asked about its redo: {exc}")]


def _floor(
    target: Target, details: dict[str, Any], replica: ReplicaRecord, at: Any
) -> Reason | None:
    """A target before the replica's minimum recovery point."""
    if target.kind == "scn":
        try:
            validate_recovery(replica, OracleRecoveryOptions(until="scn", scn=target.scn))
        except RecoveryError as exc:
            return Reason("BEFORE_MIN_RECOVERY_POINT", f"{exc.message} ({exc.code})")
    if target.kind == "time" and target.time is not None:
        floor = details.get("min_recovery_time")
        floor = replica.created_at if floor is None else float(floor)
        if target.time <= floor:
            return Reason(
                "BEFORE_MIN_RECOVERY_POINT",
                "the target is not after the replica's minimum recovery point (end of "
                f"backup at {at(floor):%Y-%m-%d %H:%M:%S}): recovery would stop before the "
                "datafiles are consistent (ORA-01195)",
            )
    return None


def _redo(
    drivers: Any,
    host: str,
    drv: OracleDriver,
    details: dict[str, Any],
    replica: ReplicaRecord,
    target: Target,
) -> list[Reason]:
    info = drv.database()
    if target.kind == "scn" and (target.scn or 0) > info.current_scn + 1:
        return [
            Reason(
                "TARGET_IN_FUTURE",
                f"SCN {target.scn} is beyond the database's current SCN {info.current_scn}",
            )
        ]
    logs = _logs(drv, info.resetlogs_change)
    start = _start(logs, details, _date(drivers.epoch_seconds(replica.created_at)))
    stop_at = None if target.time is None else _date(drivers.epoch_seconds(target.time))
    missing = []
    for seq in sorted(s for s in logs if s >= start):
        first_change, first_time, paths = logs[seq]
        if seq > start and _beyond(target, first_change, first_time, stop_at):
            break
        if not any(_readable(drivers, host, p) for p in paths):
            missing.append((seq, paths))
    return [
        Reason(
            "ARCHIVE_MISSING",
            f"archived log sequence {seq} ({', '.join(paths) or 'no copy recorded'}) is missing "
            "on the database host; recovery would stop with ORA-00308",
        )
        for seq, paths in missing[:1]
    ]


Logs = dict[int, tuple[int, datetime | None, list[str]]]


def _logs(drv: OracleDriver, resetlogs_change: int) -> Logs:
    """Every log of the current incarnation: (first SCN, first time, copies to try)."""
    logs: Logs = {}
    for a in drv.archived_logs():
        if a.resetlogs_change != resetlogs_change:
            continue
        when = None if a.first_time is None else _date(a.first_time)
        _, _, paths = logs.setdefault(a.sequence, (a.first_change, when, []))
        if not a.deleted:
            paths.append(a.name)
    for g in drv.online_logs():
        if g.sequence > 0 and g.status != "UNUSED":
            paths = logs.setdefault(g.sequence, (g.first_change, None, []))[2]
            paths.extend(m for m in g.members if m not in paths)
    return logs


def _start(logs: Logs, details: dict[str, Any], created: datetime) -> int:
    """The log holding the replica's checkpoint: recovery starts reading there."""
    begin = details.get("begin_scn")
    if begin is not None:
        fitting = [s for s, (first, _, _) in logs.items() if first <= int(begin) + 1]
    else:  # offline: the log current when the replica was made
        fitting = [s for s, (_, t, _) in logs.items() if t is None or t <= created]
    return max(fitting) if fitting else min(logs, default=1)


def _beyond(target: Target, first_change: int, first_time: datetime | None, stop_at: Any) -> bool:
    """True when recovery stops before reading the log that starts here."""
    if target.kind == "scn":
        return first_change >= (target.scn or 0)
    if target.kind == "time" and first_time is not None:
        return bool(first_time >= stop_at)
    return False


def _date(when: datetime) -> datetime:
    """An Oracle DATE (no zone; the database host keeps UTC) from the lab's instants."""
    return when if when.tzinfo is None else when.astimezone(UTC).replace(tzinfo=None)


def _readable(drivers: Any, host: str, path: str) -> bool:
    try:
        blocks = drivers.host.read_file(host, path)
    except HostError:
        return False
    return bool(blocks) and blocks[0] is not None
