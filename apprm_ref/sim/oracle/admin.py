"""DBA operations a backup tool issues besides backup mode: log switches that wait for the
archiver, backup control files, RMAN's control-file restore, and the close/dismount steps
of a two-call shutdown. Also damage helpers for failure tests (a lost archived log)."""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import HostError, OracleError
from apprm_ref.sim.oracle.messages import file_error, ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, STARTED
from apprm_ref.sim.oracle.trace import controlfile_script


class AdminMixin:
    name: str
    world: Any
    status: str
    cf: dict[str, Any]
    params: dict[str, Any]

    def switch_logfile(self) -> None:
        """ALTER SYSTEM SWITCH LOGFILE: returns at once; archiving may lag (or fail)."""
        self.require_state(OPEN)  # type: ignore[attr-defined]
        self.switch_log()  # type: ignore[attr-defined]

    def archive_log_current(self) -> dict[str, Any]:
        """ALTER SYSTEM ARCHIVE LOG CURRENT: switch, and return only once archived (OS-I7)."""
        self.require_state(OPEN)  # type: ignore[attr-defined]
        old = self.cf["cur_group"]
        self.switch_log(strict=True)  # type: ignore[attr-defined]
        group = self.cf["groups"][old]
        return next(a for a in reversed(self.cf["archives"]) if a["seq"] == group["seq"])

    def backup_controlfile(self, path: str, *, reuse: bool = False) -> None:
        """ALTER DATABASE BACKUP CONTROLFILE TO 'path' [REUSE]: a copy of type BACKUP."""
        self.require_state(MOUNTED, OPEN)  # type: ignore[attr-defined]
        if self.exists(path) and not reuse:  # type: ignore[attr-defined]
            raise ora("ORA-01580", path, stack=(("ORA-27038", ()),))
        copy = dict(self.cf, type="BACKUP")
        try:
            self.ensure_file(path, self.cf["blocks"])  # type: ignore[attr-defined]
            self.write_blocks(path, self.encode_controlfile(copy, full=True))  # type: ignore[attr-defined]
        except HostError as exc:
            raise ora("ORA-01580", path, stack=(("ORA-27040", ()),)) from exc
        self.world.emit(
            "oracle.backup_controlfile", db=self.name, path=path, scn=self.cf["ckpt_scn"]
        )

    def backup_controlfile_trace(
        self, path: str | None, *, reuse: bool = False, resetlogs: bool = False
    ) -> str:
        """ALTER DATABASE BACKUP CONTROLFILE TO TRACE [AS 'path' [REUSE]]: the CREATE
        CONTROLFILE script as text; without AS, into the session's trace file."""
        self.require_state(MOUNTED, OPEN)  # type: ignore[attr-defined]
        if path is None:
            trace_dir = self.cf_paths()[0].rsplit("/", 1)[0]  # type: ignore[attr-defined]
            path = f"{trace_dir}/{self.name.lower()}_ora_{self.scn}.trc"  # type: ignore[attr-defined]
            reuse = True
        if self.exists(path) and not reuse:  # type: ignore[attr-defined]
            raise ora("ORA-01580", path, stack=(("ORA-27038", ()),))
        text = controlfile_script(self.cf, self.params, resetlogs=resetlogs)
        try:
            self.ensure_file(path, 1)  # type: ignore[attr-defined]
            self.write_blocks(path, {0: text})  # type: ignore[attr-defined]
        except HostError as exc:
            raise ora("ORA-01580", path, stack=(("ORA-27040", ()),)) from exc
        return path

    def end_backup_datafiles(self, refs: list[int | str]) -> int:
        """ALTER DATABASE DATAFILE n|'name' [, ...] END BACKUP: those files only; each must
        exist (ORA-01516) and be in backup mode (ORA-01142)."""
        self.require_state(OPEN, MOUNTED)  # type: ignore[attr-defined]
        files = self.cf["files"]
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
        self.world.faults.check("oracle.end_backup", OracleError, db=self.name)
        return self.end_backup_of(sorted(set(nos)))

    def end_backup_of(self, active: list[int]) -> int:
        """End backup mode of ``active`` files: the end-of-backup redo marker when open,
        headers thawed, control file written."""
        self.scn += 1  # type: ignore[attr-defined]
        if self.status == OPEN:
            self.write_redo(((self.scn, self.world.now(), "eb", tuple(active)),))  # type: ignore[attr-defined]
        for no in active:
            entry = self.cf["files"][no]
            if no not in self.hdr:  # type: ignore[attr-defined]
                # mounted: the instance has not read the headers yet
                self.hdr[no] = self.read_header(entry["name"]) or {}  # type: ignore[attr-defined]
            self.hdr[no].update(backup=0, ckpt=entry["ckpt"])  # type: ignore[attr-defined]
            entry["backup"] = 0
            self.write_header(no)  # type: ignore[attr-defined]
        self.write_controlfile()  # type: ignore[attr-defined]
        return self.scn  # type: ignore[attr-defined,no-any-return]

    # --- ALTER SYSTEM SUSPEND / RESUME, ALTER DATABASE [NO]ARCHIVELOG ------------------------

    def suspend(self) -> None:
        """ALTER SYSTEM SUSPEND: I/O to datafiles and control files halts (V$INSTANCE.
        DATABASE_STATUS = SUSPENDED) until RESUME; an instance state, lost with it."""
        self.require_state(OPEN)  # type: ignore[attr-defined]
        self.params["suspended"] = True

    def resume(self) -> None:
        self.require_state(STARTED, MOUNTED, OPEN)  # type: ignore[attr-defined]
        self.params.pop("suspended", None)

    def suspended(self) -> bool:
        return bool(self.params.get("suspended"))

    def require_io(self) -> None:
        """A statement that writes datafiles or control files queues while suspended: in a
        lab nothing else runs to RESUME, so the call times out, as a client with a call
        timeout sees it (python-oracledb DPY-4024), and changes nothing."""
        if self.suspended():
            raise OracleError("call timeout of 0 ms exceeded", code="DPY-4024")

    def set_log_mode(self, mode: str) -> None:
        """ALTER DATABASE ARCHIVELOG|NOARCHIVELOG: mounted, not open (ORA-01126)."""
        self.require_state(MOUNTED)  # type: ignore[attr-defined]
        self.cf["log_mode"] = mode
        self.write_controlfile()  # type: ignore[attr-defined]

    def restore_controlfile(self, source: str) -> None:
        """RMAN RESTORE CONTROLFILE FROM 'source' (NOMOUNT): copy it over every control file."""
        self.require_state(STARTED)  # type: ignore[attr-defined]
        cf = self.read_controlfile(source)  # type: ignore[attr-defined]
        if cf is None:
            raise ora("ORA-00205")
        blocks = self.encode_controlfile(cf, full=True)  # type: ignore[attr-defined]
        for path in self.cf_paths():  # type: ignore[attr-defined]
            self.ensure_file(path, cf["blocks"])  # type: ignore[attr-defined]
            self.write_blocks(path, blocks)  # type: ignore[attr-defined]
        self.world.emit("oracle.restore_controlfile", db=self.name, source=source)

    def close(self) -> None:
        """ALTER DATABASE CLOSE NORMAL: clean checkpoint, OPEN -> MOUNTED (ORA-01149 first)."""
        self.require_state(OPEN)  # type: ignore[attr-defined]
        active = self.backup_files()  # type: ignore[attr-defined]
        if active:
            no = next(iter(active))
            raise ora("ORA-01149", no, stack=(("ORA-01110", (no, self.cf["files"][no]["name"])),))
        self.checkpoint()  # type: ignore[attr-defined]
        for no, h in self.hdr.items():  # type: ignore[attr-defined]
            h["online"] = False
            self.write_header(no)  # type: ignore[attr-defined]
        self.cf["clean"] = True
        for entry in self.cf["files"].values():
            entry["stop"] = self.scn  # type: ignore[attr-defined]
        self.write_controlfile()  # type: ignore[attr-defined]
        self.cache, self.dirty = {}, {}  # type: ignore[attr-defined]
        self.status = MOUNTED

    def dismount(self) -> None:
        self.require_state(MOUNTED)  # type: ignore[attr-defined]
        self.release_all()  # type: ignore[attr-defined]
        self.cf, self.hdr = {}, {}  # type: ignore[attr-defined]
        self.status = STARTED

    def delete_archived_logs(self, completed_before: float) -> list[str]:
        """RMAN ``DELETE ARCHIVELOG UNTIL TIME``: remove archived logs completed before the
        given simulated time and mark them DELETED in the control file (a DBA's purge job,
        so a long run's archive destination does not grow without bound)."""
        self.require_state(MOUNTED, OPEN)  # type: ignore[attr-defined]
        gone = [
            a
            for a in self.cf["archives"]
            if not a["deleted"] and a["completion_time"] < completed_before
        ]
        hosts = self.hosts  # type: ignore[attr-defined]
        present = [a["name"] for a in gone if hosts.file_exists(self.host, a["name"])]
        for name in present:  # validate everything first: a refusal changes nothing
            mnt, _ = hosts.mount_of(self.host, name)
            hosts._writable(mnt, name)
        if gone:
            self.world.faults.check("oracle.delete_archive", OracleError, db=self.name)
        for name in present:
            hosts.delete_file(self.host, name)
        for a in gone:  # a file already gone is only marked, as RMAN does
            a["deleted"] = True
        if gone:
            self.write_controlfile(full=True)  # type: ignore[attr-defined]
        return [a["name"] for a in gone]

    # --- damage for failure tests -------------------------------------------------------------

    def damage_archived_log(self, seq: int, rl_id: int | None = None) -> str:
        """Make an archived log unreadable (as if deleted/corrupt); returns its name."""
        rid = rl_id if rl_id is not None else self._any_cf()["rl_id"]
        path = self.archive_path(seq, rid)  # type: ignore[attr-defined]
        self.write_blocks(path, {0: None})  # type: ignore[attr-defined]
        return path

    def _any_cf(self) -> dict[str, Any]:
        if self.cf:
            return self.cf
        self.params = self.params or self.read_spfile(self.layout.spfile)  # type: ignore[attr-defined]
        cf = self.read_controlfile(self.params["control_files"][0])  # type: ignore[attr-defined]
        if cf is None:
            raise OracleError("control file unreadable", code="ORA-00205")
        return cf  # type: ignore[no-any-return]
