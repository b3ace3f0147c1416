"""Real Oracle driver: the OracleDriver Protocol over any DB-API connection.

``OracleDbapiDriver(connect_fn)`` issues the SQL of protocols.md section 3 through
``connect_fn()`` (a SYSDBA connection; ``connect_fn(prelim=True)`` for STARTUP), e.g. with
python-oracledb::

    def connect_fn(prelim=False):
        mode = oracledb.AUTH_MODE_SYSDBA | (oracledb.AUTH_MODE_PRELIM if prelim else 0)
        return oracledb.connect(dsn=..., user=..., password=..., mode=mode)

``OracleDbapiDriver.from_module(oracledb, dsn=..., user=..., password=...)`` builds that
function from any module shaped like python-oracledb: the real ``oracledb`` or the
simulator's door (``apprm_ref.sim.oracle.dbapi.module(world)``), so the same driver code
runs on both. Errors come back as :class:`~apprm_ref.errors.OracleError` with the ORA- code
of ``exc.args[0].full_code`` and the following codes of the message as ``stack``. RMAN-only
operations (RESTORE CONTROLFILE) go through an optional ``rman_fn(script)``.

Cancel-based recovery runs as a DBA runs it over OCI, on one session: ``RECOVER AUTOMATIC
DATABASE UNTIL CANCEL`` applies every log there is and answers ORA-00279 ... ORA-00308 at
the first missing one; ``RECOVER CANCEL`` then ends it (ORA-01547 when OPEN RESETLOGS would
still fail). Source: Oracle Database Backup and Recovery User's Guide, "Performing
Cancel-Based Incomplete Recovery".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
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
    layout_of,
)
from apprm_ref.errors import DriverError, OracleError

SHUTDOWN_CODES = {"TRANSACTIONAL": 1, "IMMEDIATE": 3, "ABORT": 4, "NORMAL": 0}
DBSHUTDOWN_FINAL = 5


def to_oracle_error(exc: BaseException) -> OracleError | None:
    """python-oracledb's exception -> OracleError (None if it carries no ORA- code)."""
    err = exc.args[0] if exc.args else None
    full = getattr(err, "full_code", None)
    if not full:
        return None
    message = str(getattr(err, "message", err))
    codes = re.findall(r"\b(ORA-\d{5}|LRM-\d{5})\b", message)
    stack = tuple(c for c in codes if c != full)
    text = message.split(": ", 1)[1] if message.startswith(full) else message
    return OracleError(text, code=full, stack=stack)


class OracleDbapiDriver:
    def __init__(
        self, connect_fn: Callable[..., Any], *, rman_fn: Callable[[str], Any] | None = None
    ) -> None:
        self._connect = connect_fn
        self._rman = rman_fn

    @classmethod
    def from_module(
        cls,
        driver: Any,
        *,
        dsn: str,
        user: str,
        password: str,
        rman_fn: Callable[[str], Any] | None = None,
    ) -> OracleDbapiDriver:
        """A driver over ``driver.connect(dsn=, user=, password=, mode=SYSDBA[|PRELIM])``."""

        def connect(prelim: bool = False) -> Any:
            mode = driver.AUTH_MODE_SYSDBA | (driver.AUTH_MODE_PRELIM if prelim else 0)
            return driver.connect(dsn=dsn, user=user, password=password, mode=mode)

        return cls(connect, rman_fn=rman_fn)

    def capabilities(self) -> Capabilities:
        feats = {
            "online-backup",
            "offline-backup",
            "database-backup-mode",
            "tablespace-backup-mode",
            "backup-controlfile",
            "recover-until-scn",
            "recover-until-time",
            "recover-until-sequence",
            "recover-until-cancel",
            "resetlogs",
        }
        if self._rman is not None:
            feats.add("restore-controlfile")
        return Capabilities("oracle", vendor="oracle", model="dbapi", features=frozenset(feats))

    # --- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except OracleError:
            raise
        except Exception as exc:
            mapped = to_oracle_error(exc)
            if mapped is None:
                raise
            raise mapped from None

    def _exec(self, statement: str) -> None:
        with self._errors():
            conn = self._connect()
            try:
                conn.cursor().execute(statement)
            finally:
                conn.close()

    def _query(self, statement: str, binds: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        with self._errors():
            conn = self._connect()
            try:
                cur = conn.cursor()
                cur.execute(statement, binds or {})
                cols = [d[0].upper() for d in cur.description]
                return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]
            finally:
                conn.close()

    # --- state and layout --------------------------------------------------------------------

    def instance_status(self) -> str:
        try:
            return str(self._query("SELECT status FROM v$instance")[0]["STATUS"])
        except OracleError as exc:
            if exc.code == "ORA-01034":
                return "SHUTDOWN"
            raise

    def database(self) -> DatabaseInfo:
        r = self._query(
            "SELECT name, dbid, log_mode, open_mode, controlfile_type, open_resetlogs, "
            "checkpoint_change#, current_scn, resetlogs_change#, prior_resetlogs_change#, "
            "incarnation# FROM v$database"
        )[0]
        return DatabaseInfo(
            r["NAME"], int(r["DBID"]), r["LOG_MODE"], r["OPEN_MODE"], r["CONTROLFILE_TYPE"],
            r["OPEN_RESETLOGS"], int(r["CHECKPOINT_CHANGE#"]), int(r["CURRENT_SCN"] or 0),
            int(r["RESETLOGS_CHANGE#"]), int(r["PRIOR_RESETLOGS_CHANGE#"] or 0),
            int(r["INCARNATION#"]), self.instance_status(),
        )  # fmt: skip

    def tablespaces(self) -> list[str]:
        return [r["NAME"] for r in self._query("SELECT ts#, name FROM v$tablespace ORDER BY ts#")]

    def datafiles(self) -> list[DatafileInfo]:
        ts = {r["TS#"]: r["NAME"] for r in self._query("SELECT ts#, name FROM v$tablespace")}
        bk = {r["FILE#"]: r for r in self._query("SELECT file#, status, change# FROM v$backup")}
        rows = self._query(
            "SELECT file#, ts#, name, checkpoint_change# FROM v$datafile ORDER BY file#"
        )
        return [
            DatafileInfo(
                int(r["FILE#"]),
                r["NAME"],
                ts[r["TS#"]],
                int(r["CHECKPOINT_CHANGE#"]),
                bk[r["FILE#"]]["STATUS"],
                int(bk[r["FILE#"]]["CHANGE#"] or 0),
            )  # fmt: skip
            for r in rows
        ]

    def datafile_headers(self) -> list[DatafileHeader]:
        rows = self._query(
            "SELECT file#, name, tablespace_name, checkpoint_change#, fuzzy, recover, "
            "resetlogs_change#, error FROM v$datafile_header ORDER BY file#"
        )
        return [
            DatafileHeader(
                int(r["FILE#"]),
                r["NAME"],
                r["TABLESPACE_NAME"],
                int(r["CHECKPOINT_CHANGE#"] or 0),
                r["FUZZY"] == "YES",
                r["RECOVER"] == "YES",
                int(r["RESETLOGS_CHANGE#"] or 0),
                r["ERROR"],
            )  # fmt: skip
            for r in rows
        ]

    def online_logs(self) -> list[LogGroupInfo]:
        members: dict[int, list[str]] = {}
        for r in self._query("SELECT group#, member FROM v$logfile ORDER BY group#"):
            members.setdefault(int(r["GROUP#"]), []).append(r["MEMBER"])
        rows = self._query(
            "SELECT group#, thread#, sequence#, status, archived, first_change#, next_change# "
            "FROM v$log ORDER BY group#"
        )
        return [
            LogGroupInfo(
                int(r["GROUP#"]),
                int(r["THREAD#"]),
                int(r["SEQUENCE#"]),
                r["STATUS"],
                r["ARCHIVED"] == "YES",
                int(r["FIRST_CHANGE#"] or 0),
                None if r["NEXT_CHANGE#"] is None else int(r["NEXT_CHANGE#"]),
                tuple(members.get(int(r["GROUP#"]), ())),
            )  # fmt: skip
            for r in rows
        ]

    def archived_logs(self) -> list[ArchivedLogInfo]:
        rows = self._query(
            "SELECT thread#, sequence#, first_change#, next_change#, resetlogs_change#, name, "
            "deleted, first_time FROM v$archived_log ORDER BY resetlogs_change#, thread#, sequence#"
        )
        return [
            ArchivedLogInfo(
                int(r["THREAD#"]),
                int(r["SEQUENCE#"]),
                int(r["FIRST_CHANGE#"]),
                int(r["NEXT_CHANGE#"]),
                int(r["RESETLOGS_CHANGE#"]),
                r["NAME"],
                r["DELETED"] == "YES",
                r["FIRST_TIME"],
            )  # fmt: skip
            for r in rows
        ]

    def last_archived_sequence(self) -> int:
        rows = self._query("SELECT MAX(sequence#) FROM v$archived_log")
        return int(rows[0]["MAX(SEQUENCE#)"] or 0) if rows else 0

    def _parameters(self) -> dict[str, Any]:
        rows = self._query(
            "SELECT name, value FROM v$parameter WHERE name IN "
            "('spfile', 'control_files', 'log_archive_dest_1')"
        )
        return {r["NAME"]: r["VALUE"] for r in rows}

    def control_files(self) -> list[str]:
        return [r["NAME"] for r in self._query("SELECT name, status FROM v$controlfile")]

    def archive_dest(self) -> str:
        dest = str(self._parameters().get("log_archive_dest_1") or "")
        return dest.split("=", 1)[1].strip() if "=" in dest else dest

    def spfile(self) -> str | None:
        return self._parameters().get("spfile") or None

    def file_layout(self) -> FileLayout:
        return layout_of(self)

    # --- backup mode and logs -------------------------------------------------------------------

    def begin_backup(self, tablespace: str | None = None) -> None:
        self._exec(
            _ident_stmt(
                "ALTER TABLESPACE {} BEGIN BACKUP", "ALTER DATABASE BEGIN BACKUP", tablespace
            )
        )

    def end_backup(self, tablespace: str | None = None) -> None:
        self._exec(
            _ident_stmt("ALTER TABLESPACE {} END BACKUP", "ALTER DATABASE END BACKUP", tablespace)
        )

    def switch_logfile(self) -> None:
        self._exec("ALTER SYSTEM SWITCH LOGFILE")

    def archive_log_current(self) -> None:
        self._exec("ALTER SYSTEM ARCHIVE LOG CURRENT")

    def backup_controlfile(self, path: str, *, reuse: bool = True) -> None:
        if "'" in path:
            raise DriverError(f"control file path contains a quote: {path!r}")
        self._exec(f"ALTER DATABASE BACKUP CONTROLFILE TO '{path}'" + (" REUSE" if reuse else ""))

    # --- instance ---------------------------------------------------------------------------------

    def startup(self, state: str = "OPEN") -> None:
        with self._errors():
            conn = self._connect(prelim=True)
            try:
                conn.startup()
            finally:
                conn.close()
        if state.upper() in ("MOUNT", "MOUNTED", "OPEN"):
            self.mount()
        if state.upper() == "OPEN":
            self.open()

    def shutdown(self, mode: str = "IMMEDIATE") -> None:
        code = SHUTDOWN_CODES[mode.upper()]
        with self._errors():
            conn = self._connect()
            try:
                conn.shutdown(mode=code)
                if code != SHUTDOWN_CODES["ABORT"]:
                    cur = conn.cursor()
                    status = self._status_on(cur)
                    if status == "OPEN":
                        cur.execute("ALTER DATABASE CLOSE NORMAL")
                    if status in ("OPEN", "MOUNTED"):
                        cur.execute("ALTER DATABASE DISMOUNT")
                    conn.shutdown(mode=DBSHUTDOWN_FINAL)
            finally:
                conn.close()

    @staticmethod
    def _status_on(cur: Any) -> str:
        cur.execute("SELECT status FROM v$instance")
        return str(cur.fetchall()[0][0])

    def mount(self) -> None:
        self._exec("ALTER DATABASE MOUNT")

    def open(self, resetlogs: bool | None = None) -> None:
        suffix = {None: "", True: " RESETLOGS", False: " NORESETLOGS"}[resetlogs]
        self._exec("ALTER DATABASE OPEN" + suffix)

    def recover(
        self, target: RecoveryTarget, *, using_backup_controlfile: bool = False
    ) -> RecoveryResult:
        stmt = "ALTER DATABASE RECOVER AUTOMATIC DATABASE" + self._until(target)
        if using_backup_controlfile:
            stmt += " USING BACKUP CONTROLFILE"
        if target.kind == "cancel":
            self._recover_until_cancel(stmt)
        else:
            self._exec(stmt)
        db = self._query("SELECT controlfile_type, open_resetlogs FROM v$database")[0]
        heads = self._query("SELECT checkpoint_change# FROM v$datafile_header")
        end = min((int(r["CHECKPOINT_CHANGE#"]) for r in heads), default=0)
        complete = db["OPEN_RESETLOGS"] == "NOT ALLOWED" and db["CONTROLFILE_TYPE"] == "CURRENT"
        return RecoveryResult(end, complete and target.kind == "complete", ())

    def _recover_until_cancel(self, stmt: str) -> None:
        """Apply every log there is; at the first missing one (ORA-00279 ... ORA-00308) end
        the session with RECOVER CANCEL on the same connection."""
        with self._errors():
            conn = self._connect()
            try:
                cur = conn.cursor()
                try:
                    cur.execute(stmt)
                    return
                except Exception as exc:
                    mapped = to_oracle_error(exc)
                    if mapped is None or "ORA-00308" not in mapped.codes:
                        raise
                cur.execute("ALTER DATABASE RECOVER CANCEL")
            finally:
                conn.close()

    def _until(self, target: RecoveryTarget) -> str:
        if target.kind == "complete":
            return ""
        if target.kind == "scn":
            return f" UNTIL CHANGE {int(target.scn or 0)}"
        if target.kind == "time" and target.time is not None:
            return " UNTIL TIME '" + _time_literal(target.time) + "'"
        if target.kind == "cancel":
            return " UNTIL CANCEL"
        if target.kind == "sequence":  # SQL has no UNTIL SEQUENCE: its first SCN is the bound
            return f" UNTIL CHANGE {self._first_change(target.sequence or 0, target.thread)}"
        raise DriverError(f"unknown recovery target {target.kind}")

    def _first_change(self, sequence: int, thread: int) -> int:
        binds = {"s": sequence, "t": thread}
        for view in ("v$archived_log", "v$log"):
            rows = self._query(
                f"SELECT first_change# FROM {view} WHERE sequence# = :s AND thread# = :t", binds
            )
            if rows:
                return int(rows[-1]["FIRST_CHANGE#"])
        prev = self._query(
            "SELECT next_change# FROM v$archived_log WHERE sequence# = :s AND thread# = :t",
            {"s": sequence - 1, "t": thread},
        )
        if prev:
            return int(prev[-1]["NEXT_CHANGE#"])
        raise OracleError(
            f"sequence {sequence} of thread {thread} is unknown to the control file",
            code="ORA-00283",
        )

    def restore_controlfile(self, source: str) -> None:
        if self._rman is None:
            raise DriverError("RESTORE CONTROLFILE needs RMAN: pass rman_fn to the driver")
        with self._errors():
            self._rman(f"RESTORE CONTROLFILE FROM '{source}';")


def _ident_stmt(per_ts: str, whole: str, tablespace: str | None) -> str:
    if tablespace is None:
        return whole
    if not re.fullmatch(r"[A-Za-z][\w$#]*", tablespace):
        raise DriverError(f"invalid tablespace name {tablespace!r}")
    return per_ts.format(tablespace.upper())


def _time_literal(when: datetime) -> str:
    return when.strftime("%Y-%m-%d:%H:%M:%S")
