"""DBA operations a backup tool issues besides backup mode: log switches that wait for the
archiver, backup control files, RMAN's control-file restore, and the close/dismount steps
of a two-call shutdown. Also damage helpers for failure tests (a lost archived log)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.errors import ApprmError, HostError, OracleError
from apprm_ref.sim.oracle.messages import file_error, ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, SHUTDOWN, STARTED
from apprm_ref.sim.oracle.trace import controlfile_script

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase


class Admin:
    """DBA operations: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    def switch_logfile(self) -> None:
        """ALTER SYSTEM SWITCH LOGFILE: returns at once; archiving may lag (or fail)."""
        self.db.lifecycle.require_state(OPEN)
        self.db.redo.switch_log()

    def archive_log_current(self) -> dict[str, Any]:
        """ALTER SYSTEM ARCHIVE LOG CURRENT: switch, and return only once archived (OS-I7)."""
        self.db.lifecycle.require_state(OPEN)
        old = self.db.cf["cur_group"]
        self.db.redo.switch_log(strict=True)
        seq = self.db.cf["groups"][old]["seq"]
        for rec in reversed(self.db.cf["archives"]):  # the newest record of it (the last)
            if rec["seq"] == seq:
                return rec
        raise StopIteration  # as ``next()`` of an empty search (the strict switch archived it)

    def backup_controlfile(self, path: str, *, reuse: bool = False) -> None:
        """ALTER DATABASE BACKUP CONTROLFILE TO 'path' [REUSE]: a copy of type BACKUP."""
        self.db.lifecycle.require_state(MOUNTED, OPEN)
        if self.db.files.exists(path) and not reuse:
            raise ora("ORA-01580", path, stack=(("ORA-27038", ()),))
        copy = dict(self.db.cf, type="BACKUP")
        try:
            self.db.files.ensure_file(path, self.db.cf["blocks"])
            self.db.files.write_blocks(path, self.db.files.encode_controlfile(copy, full=True))
        except HostError as exc:
            raise ora("ORA-01580", path, stack=(("ORA-27040", ()),)) from exc
        self.db.world.emit(
            "oracle.backup_controlfile", db=self.db.name, path=path, scn=self.db.cf["ckpt_scn"]
        )

    def backup_controlfile_trace(
        self, path: str | None, *, reuse: bool = False, resetlogs: bool = False
    ) -> str:
        """ALTER DATABASE BACKUP CONTROLFILE TO TRACE [AS 'path' [REUSE]]: the CREATE
        CONTROLFILE script as text; without AS, into the session's trace file."""
        self.db.lifecycle.require_state(MOUNTED, OPEN)
        if path is None:
            trace_dir = self.db.files.cf_paths()[0].rsplit("/", 1)[0]
            path = f"{trace_dir}/{self.db.name.lower()}_ora_{self.db.scn}.trc"
            reuse = True
        if self.db.files.exists(path) and not reuse:
            raise ora("ORA-01580", path, stack=(("ORA-27038", ()),))
        text = controlfile_script(self.db.cf, self.db.params, resetlogs=resetlogs)
        try:
            self.db.files.ensure_file(path, 1)
            self.db.files.write_blocks(path, {0: text})
        except HostError as exc:
            raise ora("ORA-01580", path, stack=(("ORA-27040", ()),)) from exc
        return path

    def end_backup_datafiles(self, refs: list[int | str]) -> int:
        """ALTER DATABASE DATAFILE n|'name' [, ...] END BACKUP: those files only; each must
        exist (ORA-01516) and be in backup mode (ORA-01142)."""
        self.db.lifecycle.require_state(OPEN, MOUNTED)
        files = self.db.cf["files"]
        by_name = {f["name"]: no for no, f in files.items()}
        nos = []
        for ref in refs:
            no = ref if isinstance(ref, int) else by_name.get(ref)
            if no not in files:
                raise OracleError(
                    f'nonexistent log file, data file, or temporary file "{ref}"',
                    code="ORA-01516",
                )
            if not files[no]["backup"]:
                raise file_error("ORA-01142", no, files[no]["name"])
            nos.append(no)
        self.db.world.faults.check("oracle.end_backup", OracleError, db=self.db.name)
        return self.end_backup_of(sorted(set(nos)))

    def end_backup_of(self, active: list[int]) -> int:
        """End backup mode of ``active`` files: the end-of-backup redo marker when open,
        headers thawed, control file written."""
        unread: dict[int, dict[str, Any]] = {}
        for no in active:  # mounted: the instance has not read the headers yet
            if no not in self.db.hdr:
                name = self.db.cf["files"][no]["name"]
                head = self.db.files.read_header(name)
                if head is None:  # the file is gone or its file system not mounted
                    raise file_error("ORA-01157", no, name)
                unread[no] = head
        self.db.scn += 1
        if self.db.status == OPEN:
            self.db.write_redo(((self.db.scn, self.db.world.now(), "eb", tuple(active)),))
        for no in active:
            entry = self.db.cf["files"][no]
            if no not in self.db.hdr:
                self.db.hdr[no] = unread[no]
            self.db.hdr[no].update(backup=0, ckpt=entry["ckpt"])
            entry["backup"] = 0
            self.db.files.write_header(no)
        self.db.files.write_controlfile()
        return self.db.scn

    # --- ALTER SYSTEM SUSPEND / RESUME, ALTER DATABASE [NO]ARCHIVELOG ------------------------

    def suspend(self) -> None:
        """ALTER SYSTEM SUSPEND: I/O to datafiles and control files halts (V$INSTANCE.
        DATABASE_STATUS = SUSPENDED) until RESUME; an instance state, lost with it."""
        self.db.lifecycle.require_state(OPEN)
        self.db.params["suspended"] = True

    def resume(self) -> None:
        self.db.lifecycle.require_state(STARTED, MOUNTED, OPEN)
        self.db.params.pop("suspended", None)

    def suspended(self) -> bool:
        return bool(self.db.params.get("suspended"))

    def require_io(self) -> None:
        """A statement that writes datafiles or control files queues while suspended: in a
        lab nothing else runs to RESUME, so the call times out, as a client with a call
        timeout sees it (python-oracledb DPY-4024), and changes nothing."""
        if self.suspended():
            raise OracleError("call timeout of 0 ms exceeded", code="DPY-4024")

    def set_log_mode(self, mode: str) -> None:
        """ALTER DATABASE ARCHIVELOG|NOARCHIVELOG: mounted, not open (ORA-01126)."""
        self.db.lifecycle.require_state(MOUNTED)
        self.db.cf["log_mode"] = mode
        self.db.files.write_controlfile()

    def restore_controlfile(self, source: str) -> None:
        """RMAN RESTORE CONTROLFILE FROM 'source' (NOMOUNT): copy it over every control file."""
        self.db.lifecycle.require_state(STARTED)
        cf = self.db.files.read_controlfile(source)
        if cf is None:
            raise ora("ORA-00205")
        blocks = self.db.files.encode_controlfile(cf, full=True)
        for path in self.db.files.cf_paths():
            self.db.files.ensure_file(path, cf["blocks"])
            self.db.files.write_blocks(path, blocks)
        self.db.world.emit("oracle.restore_controlfile", db=self.db.name, source=source)

    def close(self) -> None:
        """ALTER DATABASE CLOSE NORMAL: clean checkpoint, OPEN -> MOUNTED (ORA-01149 first)."""
        self.db.lifecycle.require_state(OPEN)
        active = self.backup_files()
        if active:
            no = next(iter(active))
            raise ora(
                "ORA-01149", no, stack=(("ORA-01110", (no, self.db.cf["files"][no]["name"])),)
            )
        self.db.txn.checkpoint()
        for no, h in self.db.hdr.items():
            h["online"] = False
            self.db.files.write_header(no)
        self.db.cf["clean"] = True
        for entry in self.db.cf["files"].values():
            entry["stop"] = self.db.scn
        self.db.files.write_controlfile()
        self.db.cache, self.db.dirty = {}, {}
        self.db.status = MOUNTED

    def dismount(self) -> None:
        self.db.lifecycle.require_state(MOUNTED)
        self.db.release_all()
        self.db.cf, self.db.hdr = {}, {}
        self.db.status = STARTED

    def delete_archived_logs(self, completed_before: float) -> list[str]:
        """RMAN ``DELETE ARCHIVELOG UNTIL TIME``: remove archived logs completed before the
        given simulated time and mark them DELETED in the control file (a DBA's purge job,
        so a long run's archive destination does not grow without bound)."""
        self.db.lifecycle.require_state(MOUNTED, OPEN)
        gone = [
            a
            for a in self.db.cf["archives"]
            if not a["deleted"] and a["completion_time"] < completed_before
        ]
        hosts = self.db.files.hosts
        present = [a["name"] for a in gone if hosts.file_exists(self.db.host, a["name"])]
        for name in present:  # validate everything first: a refusal changes nothing
            mnt, _ = hosts.mount_of(self.db.host, name)
            hosts._writable(mnt, name)
        if gone:
            self.db.world.faults.check("oracle.delete_archive", OracleError, db=self.db.name)
        for name in present:
            hosts.delete_file(self.db.host, name)
        for a in gone:  # a file already gone is only marked, as RMAN does
            a["deleted"] = True
        if gone:
            self.db.files.write_controlfile(full=True)
        return [a["name"] for a in gone]

    # --- damage for failure tests -------------------------------------------------------------

    def damage_archived_log(self, seq: int, rl_id: int | None = None) -> str:
        """Make an archived log unreadable (as if deleted/corrupt); returns its name."""
        rid = rl_id if rl_id is not None else self.any_cf()["rl_id"]
        path = self.db.redo.archive_path(seq, rid)
        self.db.files.write_blocks(path, {0: None})
        return path

    def any_cf(self) -> dict[str, Any]:
        if self.db.cf:
            return self.db.cf
        self.db.params = self.db.params or self.db.files.read_spfile(self.db.layout.spfile)
        cf = self.db.files.read_controlfile(self.db.params["control_files"][0])
        if cf is None:
            raise OracleError("control file unreadable", code="ORA-00205")
        return cf

    def _ts_files(self, tablespace: str | None) -> list[int]:
        if tablespace is None:
            return sorted(self.db.cf["files"])
        ts = tablespace.upper()
        if ts not in self.db.cf["tablespaces"]:
            raise ora("ORA-00959", ts)
        return [no for no, f in sorted(self.db.cf["files"].items()) if f["ts"] == ts]

    def begin_backup(self, tablespace: str | None = None) -> int:
        """ALTER TABLESPACE ts / DATABASE BEGIN BACKUP; returns the begin SCN (CHANGE#)."""
        self.db.lifecycle.require_state(OPEN)
        files = self._ts_files(tablespace)
        if not self.db.redo.archivelog():
            raise ora("ORA-01123")
        for no in files:
            if self.db.cf["files"][no]["backup"]:
                raise file_error("ORA-01146", no, self.db.cf["files"][no]["name"])
        self.db.world.faults.check("oracle.begin_backup", OracleError, db=self.db.name)
        self.db.txn.checkpoint()
        self.db.scn += 1
        scn, now, entries = self.db.scn, self.db.world.now(), self.db.cf["files"]
        for no in files:  # no simulated time passes in between: one ``now`` for all
            self.db.hdr[no].update(ckpt=scn, backup=scn, ckpt_time=now)
            entries[no].update(ckpt=scn, backup=scn)
            self.db.files.write_header(no)
        self.db.files.write_controlfile()
        self.db.world.emit(
            "oracle.begin_backup", db=self.db.name, ts=tablespace or "*", scn=self.db.scn
        )
        if self.db.world.faults.fires("oracle.crash", db=self.db.name):
            self.db.drop_instance()  # dies in backup mode (as SHUTDOWN ABORT)
            self.db.world.emit("oracle.abort", db=self.db.name)
            raise ora("ORA-03113")
        return self.db.scn

    def end_backup(self, tablespace: str | None = None) -> int:
        """END BACKUP: end-of-backup redo marker, headers thawed; returns the marker SCN."""
        if tablespace is not None:
            self.db.lifecycle.require_state(OPEN)
        else:
            self.db.lifecycle.require_state(OPEN, "MOUNTED")
        files = self._ts_files(tablespace)
        active = [no for no in files if self.db.cf["files"][no]["backup"]]
        if not active and tablespace is not None:
            raise file_error("ORA-01142", files[0], self.db.cf["files"][files[0]]["name"])
        self.db.world.faults.check("oracle.end_backup", OracleError, db=self.db.name)
        if active:
            self.end_backup_of(active)
        self.db.world.emit(
            "oracle.end_backup", db=self.db.name, ts=tablespace or "*", scn=self.db.scn
        )
        if tablespace is None and len(active) != len(files):
            raise ora("ORA-01260")
        return self.db.scn

    def backup_files(self) -> dict[int, int]:
        """file# -> begin SCN of files in backup mode (V$BACKUP ACTIVE rows; {} unmounted)."""
        files = self.db.cf.get("files", {})
        return {no: f["backup"] for no, f in sorted(files.items()) if f["backup"]}

    def in_backup_mode(self) -> bool:
        """Any file in backup mode per the control file, even with the instance down
        (a crash in backup mode leaves it so): what "nothing left in backup mode" checks."""
        if self.db.cf:
            return bool(self.backup_files())
        try:
            cf = self.any_cf()
        except ApprmError:
            return False
        finally:
            if self.db.status == SHUTDOWN:
                self.db.params = {}
        return any(f["backup"] for f in cf["files"].values())
