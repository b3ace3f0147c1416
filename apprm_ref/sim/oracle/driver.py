"""Protocol door of the Oracle simulator: translates, keeps no state of its own."""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.oracle import (
    ArchivedLogInfo,
    DatabaseInfo,
    DatafileHeader,
    DatafileInfo,
    FileLayout,
    LogGroupInfo,
    RecoveryResult,
    RecoveryTarget,
)
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import views as V
from apprm_ref.sim.oracle.backend import OracleDatabase

FEATURES = frozenset(
    {
        "online-backup",
        "offline-backup",
        "database-backup-mode",
        "tablespace-backup-mode",
        "backup-controlfile",
        "restore-controlfile",
        "recover-until-scn",
        "recover-until-time",
        "recover-until-sequence",
        "recover-until-cancel",
        "resetlogs",
    }
)


class OracleSimDriver:
    def __init__(self, world: Any, db_name: str) -> None:
        self.world = world
        self.db_name = db_name

    @property
    def db(self) -> OracleDatabase:
        return self.world.app(self.db_name)  # type: ignore[no-any-return]

    def capabilities(self) -> Capabilities:
        return Capabilities("oracle", vendor="sim", model="oracle-10g", features=FEATURES)

    # --- state and layout -----------------------------------------------------------------

    def instance_status(self) -> str:
        self.db.alive()
        return self.db.status

    def database(self) -> DatabaseInfo:
        r = V.v_database(self.db)[0]
        return DatabaseInfo(
            name=r["NAME"],
            dbid=r["DBID"],
            log_mode=r["LOG_MODE"],
            open_mode=r["OPEN_MODE"],
            controlfile_type=r["CONTROLFILE_TYPE"],
            open_resetlogs=r["OPEN_RESETLOGS"],
            checkpoint_change=r["CHECKPOINT_CHANGE#"],
            current_scn=r["CURRENT_SCN"],
            resetlogs_change=r["RESETLOGS_CHANGE#"],
            prior_resetlogs_change=r["PRIOR_RESETLOGS_CHANGE#"],
            incarnation=r["INCARNATION#"],
            status=self.db.status,
        )

    def tablespaces(self) -> list[str]:
        return [r["NAME"] for r in V.v_tablespace(self.db)]

    def datafiles(self) -> list[DatafileInfo]:
        ts = {r["TS#"]: r["NAME"] for r in V.v_tablespace(self.db)}
        bk = {r["FILE#"]: r for r in V.v_backup(self.db)}
        return [
            DatafileInfo(
                r["FILE#"],
                r["NAME"],
                ts[r["TS#"]],
                r["CHECKPOINT_CHANGE#"],
                bk[r["FILE#"]]["STATUS"],
                bk[r["FILE#"]]["CHANGE#"],
            )
            for r in V.v_datafile(self.db)
        ]

    def datafile_headers(self) -> list[DatafileHeader]:
        return [
            DatafileHeader(
                r["FILE#"],
                r["NAME"],
                r["TABLESPACE_NAME"],
                r["CHECKPOINT_CHANGE#"],
                r["FUZZY"] == "YES",
                r["RECOVER"] == "YES",
                r["RESETLOGS_CHANGE#"],
                r["ERROR"],
            )
            for r in V.v_datafile_header(self.db)
        ]

    def online_logs(self) -> list[LogGroupInfo]:
        members: dict[int, list[str]] = {}
        for r in V.v_logfile(self.db):
            members.setdefault(r["GROUP#"], []).append(r["MEMBER"])
        return [
            LogGroupInfo(
                r["GROUP#"],
                r["THREAD#"],
                r["SEQUENCE#"],
                r["STATUS"],
                r["ARCHIVED"] == "YES",
                r["FIRST_CHANGE#"],
                r["NEXT_CHANGE#"],
                tuple(members.get(r["GROUP#"], ())),
            )
            for r in V.v_log(self.db)
        ]

    def archived_logs(self) -> list[ArchivedLogInfo]:
        return [
            ArchivedLogInfo(
                r["THREAD#"],
                r["SEQUENCE#"],
                r["FIRST_CHANGE#"],
                r["NEXT_CHANGE#"],
                r["RESETLOGS_CHANGE#"],
                r["NAME"],
                r["DELETED"] == "YES",
                r["FIRST_TIME"],
            )
            for r in V.v_archived_log(self.db)
        ]

    def last_archived_sequence(self) -> int:
        return V.max_archived_sequence(self.db)

    def _params(self) -> dict[str, Any]:
        return {r["NAME"]: r["VALUE"] for r in V.v_parameter(self.db)}

    def control_files(self) -> list[str]:
        return [r["NAME"] for r in V.v_controlfile(self.db)]

    def archive_dest(self) -> str:
        dest = str(self._params()["log_archive_dest_1"])
        return dest.split("=", 1)[1] if "=" in dest else dest

    def spfile(self) -> str | None:
        return self._params().get("spfile") or None

    def file_layout(self) -> FileLayout:
        """What :func:`layout_of` derives from seven view queries (V$TABLESPACE, V$BACKUP,
        V$DATAFILE, V$CONTROLFILE, V$LOGFILE, V$LOG, V$PARAMETER), read in one pass from the
        rows those views are built from; the same checks first (mounted or open)."""
        db = self.db
        V.require_mounted(db)  # the first query of layout_of (V$TABLESPACE) checks this
        cf, params = db.cf, db.params
        dest = str(params.get("log_archive_dest_1", ""))
        return FileLayout(
            datafiles=tuple([f["name"] for _, f in sorted(cf["files"].items())]),
            control_files=tuple(params["control_files"]),
            online_logs=tuple([m for _, g in sorted(cf["groups"].items()) for m in g["members"]]),
            archive_dest=dest.split("=", 1)[1] if "=" in dest else dest,
            spfile=params.get("spfile") or None,
        )

    # --- backup mode and logs ---------------------------------------------------------------

    def begin_backup(self, tablespace: str | None = None) -> None:
        self.db.begin_backup(tablespace)

    def end_backup(self, tablespace: str | None = None) -> None:
        self.db.end_backup(tablespace)

    def switch_logfile(self) -> None:
        self.db.switch_logfile()

    def archive_log_current(self) -> None:
        self.db.archive_log_current()

    def backup_controlfile(self, path: str, *, reuse: bool = True) -> None:
        self.db.backup_controlfile(path, reuse=reuse)

    # --- instance ------------------------------------------------------------------------------

    def startup(self, state: str = "OPEN") -> None:
        self.db.startup(state)

    def shutdown(self, mode: str = "IMMEDIATE") -> None:
        self.db.shutdown(mode)

    def mount(self) -> None:
        self.db.mount()

    def open(self, resetlogs: bool | None = None) -> None:
        self.db.open(resetlogs)

    def recover(
        self, target: RecoveryTarget, *, using_backup_controlfile: bool = False
    ) -> RecoveryResult:
        return self.db.recover(target, using_backup_controlfile=using_backup_controlfile)

    def restore_controlfile(self, source: str) -> None:
        self.db.restore_controlfile(source)


__all__ = ["OracleSimDriver", "OracleError"]
