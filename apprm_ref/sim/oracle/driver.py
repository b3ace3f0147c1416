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
from apprm_ref.sim.oracle.models import MOUNTED, OPEN

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
        try:  # ``world.app``'s hit, without its call
            return self.world.apps[self.db_name]  # type: ignore[no-any-return]
        except KeyError:
            return self.world.app(self.db_name)  # type: ignore[no-any-return]

    def capabilities(self) -> Capabilities:
        return Capabilities("oracle", vendor="sim", model="oracle-10g", features=FEATURES)

    # --- state and layout -----------------------------------------------------------------
    # database(), tablespaces() and datafiles() answer what their V$ queries would, read in
    # one pass from the control file the rows are built from, after the same check
    # (mounted or open: ``views.require_mounted``); tests/unit/sim/oracle/
    # test_oracle_driver_views.py holds them to the view-derived answers in every state.

    def instance_status(self) -> str:
        db = self.db
        db.alive()
        return db.status

    def database(self) -> DatabaseInfo:
        """V$DATABASE's columns of :class:`DatabaseInfo` (+ the instance status)."""
        db = self.db
        db.lifecycle.require_state(MOUNTED, OPEN)  # V.require_mounted, one call less
        cf, status = db.cf, db.status
        return DatabaseInfo(
            name=cf["db_name"],
            dbid=cf["dbid"],
            log_mode=cf["log_mode"],
            open_mode=V.open_mode(status),
            controlfile_type=cf["type"],
            open_resetlogs=cf["open_resetlogs"],
            checkpoint_change=cf["ckpt_scn"],
            current_scn=V.current_scn(db),
            resetlogs_change=cf["rl_scn"],
            prior_resetlogs_change=cf["prior_rl_scn"],
            incarnation=len(cf["incarnations"]),
            status=status,
        )

    def tablespaces(self) -> list[str]:
        """V$TABLESPACE.NAME in TS# order."""
        db = self.db
        db.lifecycle.require_state(MOUNTED, OPEN)
        return list(db.cf["tablespaces"])

    def datafiles(self) -> list[DatafileInfo]:
        """V$DATAFILE joined with V$TABLESPACE and V$BACKUP, in FILE# order: the tablespace
        a file's TS# names is the one its control-file entry holds."""
        db = self.db
        db.lifecycle.require_state(MOUNTED, OPEN)
        return [
            DatafileInfo(
                no,
                f["name"],
                f["ts"],
                f["ckpt"],
                V.backup_status(f),
                f["backup"],
            )
            for no, f in sorted(db.cf["files"].items())
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
        """SELECT MAX(SEQUENCE#) FROM V$ARCHIVED_LOG, from the record index."""
        db = self.db
        db.lifecycle.require_state(MOUNTED, OPEN)  # V.max_archived_sequence's check
        return db.redo.arch_index().max_seq

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
        db.lifecycle.require_state(MOUNTED, OPEN)  # layout_of's first query checks this
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

    # backup mode, the archiving switch and the control-file copy go straight to the part
    # that carries them out (``OracleDatabase``'s methods of the same names only delegate)

    def begin_backup(self, tablespace: str | None = None) -> None:
        self.db.admin.begin_backup(tablespace)

    def end_backup(self, tablespace: str | None = None) -> None:
        self.db.admin.end_backup(tablespace)

    def switch_logfile(self) -> None:
        self.db.switch_logfile()

    def archive_log_current(self) -> None:
        self.db.admin.archive_log_current()

    def backup_controlfile(self, path: str, *, reuse: bool = True) -> None:
        self.db.admin.backup_controlfile(path, reuse=reuse)

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
