"""Recovery targets by reference: the end of backup mode of a named backup session.

``recovery: {until: scn, scn: {end_of_backup: "last-of ora1"}}`` is the replica's minimum
recovery SCN (the first SCN after its END BACKUP marker, which the integration records as
``details.oracle.min_recovery_scn``): the earliest point to which its datafiles can be
recovered consistent. ``time: {end_of_backup: REF}`` is the simulated time at which the
session issued END BACKUP (its "taken out of backup mode" message). A recovery stopped
before the marker is refused by Oracle (ORA-01195/ORA-01152), a drill can expect that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.drill.steps import PointRef
from apprm_ref.errors import NotFoundError

if TYPE_CHECKING:
    from apprm_ref.drill.runner import Drill

END_BACKUP_TEXT = "taken out of backup mode (END BACKUP)"


def end_of_backup_scn(drill: Drill, ref: PointRef) -> int:
    session_id = drill.orch.resolve(ref.end_of_backup)
    replica = drill.orch.find_replica(session_id)
    scn = replica.details.get("oracle", {}).get("min_recovery_scn")
    if scn is None:
        raise NotFoundError(
            f"session {session_id} ({ref.end_of_backup}) recorded no end-of-backup SCN "
            "(not an online Oracle backup)",
            code="NO_END_OF_BACKUP",
        )
    return int(scn)


def end_of_backup_time(drill: Drill, ref: PointRef) -> float:
    session_id = drill.orch.resolve(ref.end_of_backup)
    session = drill.repo.get_session(session_id)
    at = next((m.at for m in session.messages if END_BACKUP_TEXT in m.text), None)
    if at is None:
        raise NotFoundError(
            f"session {session_id} ({ref.end_of_backup}) issued no END BACKUP",
            code="NO_END_OF_BACKUP",
        )
    return float(at)
