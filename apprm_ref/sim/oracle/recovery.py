"""Media recovery, crash recovery and OPEN RESETLOGS (reference 1.6, 1.7).

Recovery reads redo in (thread 1) sequence order from archived logs (control-file records or
the archive naming) and online logs, and applies each change to a block only when the block
is older than the change: the block SCN makes it idempotent, so fuzzy copies (blocks newer
than their header) recover exactly. Stop points are exclusive (OS-I9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.drivers.oracle import RecoveryResult, RecoveryTarget
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.messages import file_error, ora, wrap
from apprm_ref.sim.oracle.models import MOUNTED

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase


@dataclass
class RecoveryRun:
    """One roll-forward: blocks being rebuilt, logs read, where it stopped."""

    headers: dict[int, dict[str, Any]]
    start: int
    work: dict[tuple[int, int], tuple[int, dict[Any, Any]]] = field(default_factory=dict)
    applied: list[tuple[int, int, str]] = field(default_factory=list)
    last: int = 0
    boundary: int | None = None  # first SCN of the next sequence, when known
    stop: str = ""  # target | end | missing
    end: int = 0
    missing: str = ""


class Recovery:
    """Media and crash recovery: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    # --- media recovery ------------------------------------------------------------------

    def recover(
        self, target: RecoveryTarget, *, using_backup_controlfile: bool = False
    ) -> RecoveryResult:
        result, _run, problem = self.recover_run(target, using_backup_controlfile)
        if problem is not None:
            raise problem
        return result

    def recover_run(
        self, target: RecoveryTarget, using_backup_controlfile: bool = False
    ) -> tuple[RecoveryResult, RecoveryRun, OracleError | None]:
        """One roll-forward to ``target``, written out; with the ORA-01547 warning it would
        raise (None when OPEN RESETLOGS would succeed), so the SQL dialogue can hold it."""
        complete = self.recovery_precheck(target, using_backup_controlfile)
        backup_cf = self.db.cf["type"] == "BACKUP" or using_backup_controlfile
        run = self.roll_forward(self.db.hdr, target, online_only=False, backup_cf=backup_cf)
        self.finish_run(run)
        if run.stop == "missing" and target.kind != "cancel":
            raise ora("ORA-00283", stack=(("ORA-00308", (run.missing,)), ("ORA-27037", ())))
        if complete and run.stop == "end":
            self._mark_complete(run)
        else:
            self.db.cf.update(open_resetlogs="REQUIRED", rec_end=run.end)
            for no, h in run.headers.items():
                self.db.cf["files"][no]["ckpt"] = h["ckpt"]
        self.db.files.write_controlfile(full=True)
        self.db.scn = max(self.db.scn, run.end)
        self.db.world.emit("oracle.recover", db=self.db.name, target=target.kind, end_scn=run.end)
        problem = None
        if not (complete and run.stop == "end"):
            inner = self.inconsistency(run.headers, run.end)
            problem = None if inner is None else wrap("ORA-01547", inner)
        result = RecoveryResult(run.end, complete and run.stop == "end", tuple(run.applied))
        return result, run, problem

    def recovery_precheck(self, target: RecoveryTarget, using_backup_controlfile: bool) -> bool:
        """What RECOVER refuses before reading any redo (ORA-01610, ORA-00264); reads the
        headers into ``hdr``; True when this is complete recovery with the current control
        file."""
        self.db.lifecycle.require_state(MOUNTED)
        if self.db.cf["type"] == "BACKUP" and not using_backup_controlfile:
            raise ora("ORA-01610")
        headers = self.read_headers()
        backup_cf = self.db.cf["type"] == "BACKUP" or using_backup_controlfile
        complete = target.kind == "complete" and not backup_cf
        if (
            complete
            and self.db.cf["clean"]
            and all(
                h["ckpt"] == self.db.cf["files"][no]["ckpt"] and not h["backup"]
                for no, h in headers.items()
            )
        ):
            raise ora("ORA-00283", stack=(("ORA-00264", ()),))
        self.db.world.faults.check("oracle.recover", OracleError, db=self.db.name)
        return complete

    def _mark_complete(self, run: RecoveryRun) -> None:
        """Complete recovery with the current control file: consistent, plain OPEN allowed."""
        for no, h in run.headers.items():
            h.update(backup=0, ckpt=run.end, fuzzy_scn=0, online=False)
            self.db.cf["files"][no].update(ckpt=run.end, backup=0)
            self.db.files.write_header(no)
        self.db.cf.update(clean=True, ckpt_scn=run.end, open_resetlogs="NOT ALLOWED", rec_end=None)

    def read_headers(self) -> dict[int, dict[str, Any]]:
        headers: dict[int, dict[str, Any]] = {}
        for no, entry in sorted(self.db.cf["files"].items()):
            h = self.db.files.read_header(entry["name"])
            if h is None:
                raise ora("ORA-01157", no, stack=(("ORA-01110", (no, entry["name"])),))
            if h["rl_id"] != self.db.cf["rl_id"]:
                raise file_error("ORA-01190", no, entry["name"])
            headers[no] = h
        self.db.hdr = headers
        return headers

    def inconsistency(self, headers: dict[int, dict[str, Any]], end: int) -> OracleError | None:
        """Why OPEN RESETLOGS at ``end`` would fail (OS-I3, OS-I4), or None."""
        for no, h in sorted(headers.items()):
            name = self.db.cf["files"][no]["name"]
            if h["ckpt"] > end:
                return file_error("ORA-01152", no, name)
            if h["backup"]:
                return file_error("ORA-01195", no, name)
            if h["fuzzy_scn"] > end or h["ckpt"] < end:
                return file_error("ORA-01194", no, name)
        return None

    # --- the roll-forward engine -------------------------------------------------------------

    def roll_forward(
        self,
        headers: dict[int, dict[str, Any]],
        target: RecoveryTarget,
        *,
        online_only: bool,
        backup_cf: bool,
    ) -> RecoveryRun:
        run = RecoveryRun(headers, min(h["ckpt"] for h in headers.values()))
        run.last = run.start
        rl_id = self.db.cf["rl_id"]
        stop_time = None
        if target.kind == "time" and target.time is not None:
            stop_time = self.db.world.clock.seconds_of(target.time)
        seq = self.start_seq(run.start, rl_id)
        prev_online = False
        while not run.stop:
            if target.kind == "sequence" and target.sequence is not None and seq >= target.sequence:
                self._stop(run, "target", (run.boundary or run.last + 1) - 1)
                break
            log = self.db.redo.locate_log(seq, rl_id, online_only=online_only)
            if log is None:
                self._missing(run, target, seq, rl_id, prev_online)
                break
            path, head, records = log
            run.applied.append((1, seq, path))
            self._apply_log(run, records, target, stop_time)
            if run.stop:
                break
            if not backup_cf and seq >= self.db.cf["cur_seq"]:
                self._stop(run, "end", self._end_of_redo(run))
                break
            run.boundary = head.get("next") or self._next_of(seq, rl_id)
            if (
                target.kind == "scn"
                and run.boundary is not None
                and run.boundary >= (target.scn or 0)
            ):
                self._stop(run, "target", (target.scn or 0) - 1)
            prev_online = "next" not in head
            seq += 1
        return run

    def _apply_log(
        self,
        run: RecoveryRun,
        records: list[F.Record],
        target: RecoveryTarget,
        stop_time: float | None,
    ) -> None:
        for rec in records:
            scn = rec[0]
            if scn <= run.start:
                continue
            if target.kind == "scn" and scn >= (target.scn or 0):
                self._stop(run, "target", (target.scn or 0) - 1)
                return
            if stop_time is not None and rec[1] >= stop_time:
                self._stop(run, "target", scn - 1)
                return
            self._apply_record(run, rec)
            run.last = scn

    def _apply_record(self, run: RecoveryRun, rec: F.Record) -> None:
        scn, _, kind, data = rec
        if kind == "eb":
            for file_no in data:
                h = run.headers.get(file_no)
                if h is not None and scn > h["ckpt"] and h["backup"]:
                    h["backup"] = 0  # end-of-backup marker reached: no longer backup-fuzzy
            return
        for file_no, block, table, key, value in data:
            h = run.headers.get(file_no)
            if h is None or scn <= h["ckpt"]:
                continue
            loc = (file_no, block)
            if loc not in run.work:
                payload = self.db.files.read_block(self.db.cf["files"][file_no]["name"], block)
                run.work[loc] = F.parse_data_block(payload)
            bscn, rows = run.work[loc]
            if scn < bscn:
                continue
            if value is None:
                rows.pop((table, key), None)
            else:
                rows[(table, key)] = value
            run.work[loc] = (scn, rows)

    @staticmethod
    def _stop(run: RecoveryRun, why: str, end: int) -> None:
        run.stop, run.end = why, end

    def _missing(
        self, run: RecoveryRun, target: RecoveryTarget, seq: int, rl_id: int, prev_online: bool
    ) -> None:
        if target.kind == "scn" and run.boundary is not None and run.boundary >= (target.scn or 0):
            self._stop(run, "target", (target.scn or 0) - 1)
            return
        end = (run.boundary - 1) if run.boundary is not None else run.last
        run.missing = self.db.redo.archive_path(seq, rl_id)
        self._stop(run, "end" if prev_online else "missing", end)

    def _end_of_redo(self, run: RecoveryRun) -> int:
        ckpts = [h["ckpt"] for h in run.headers.values()]
        return max(run.last, self.db.cf["ckpt_scn"], *ckpts)

    def start_seq(self, start: int, rl_id: int) -> int:
        known = self.db.redo.known_logs(rl_id)
        if not known:
            return 1
        fitting = [seq for seq, first, _ in known if first <= start + 1]
        return max(fitting) if fitting else known[0][0]

    def _next_of(self, seq: int, rl_id: int) -> int | None:
        known = self.db.redo.log_bounds(seq, rl_id)
        return None if known is None else known[2]

    def finish_run(self, run: RecoveryRun) -> None:
        """Write rebuilt blocks, then headers advanced to the stop point."""
        blocks = {loc: F.data_block(bscn, rows) for loc, (bscn, rows) in run.work.items()}
        self.db.files.write_data_blocks(blocks)
        now = self.db.world.now()
        self.db.hdr = run.headers
        for no, h in run.headers.items():
            if h["ckpt"] < run.end:
                h.update(ckpt=run.end, ckpt_time=now)
                if h["fuzzy_scn"] <= run.end and not h["backup"]:
                    h.update(fuzzy_scn=0, online=False)
                self.db.files.write_header(no)

    # --- crash recovery -------------------------------------------------------------------------

    def crash_recovery(self, headers: dict[int, dict[str, Any]]) -> None:
        """Instance recovery at OPEN after an abort: online redo from the checkpoint on."""
        run = self.roll_forward(
            headers, RecoveryTarget("complete"), online_only=True, backup_cf=False
        )
        if run.stop == "missing":
            raise ora("ORA-00313", self.db.cf["cur_group"])
        self.finish_run(run)
        for no, h in run.headers.items():
            h.update(ckpt=run.end, fuzzy_scn=0)
            self.db.cf["files"][no]["ckpt"] = run.end
            self.db.files.write_header(no)
        self.db.cf.update(ckpt_scn=run.end)
        self.db.scn = max(self.db.scn, run.end)
        self.db.world.emit("oracle.crash_recovery", db=self.db.name, end_scn=run.end)

    # --- OPEN RESETLOGS ---------------------------------------------------------------------------

    def open_resetlogs(self) -> None:
        if self.db.cf["type"] != "BACKUP" and self.db.cf["open_resetlogs"] == "NOT ALLOWED":
            raise ora("ORA-01139")
        headers = self.read_headers()
        end = self.db.cf["rec_end"] if self.db.cf["rec_end"] is not None else self.db.cf["ckpt_scn"]
        problem = self.inconsistency(headers, end)
        if problem is not None:
            raise problem
        rl_scn, now = end + 1, self.db.world.now()
        rl_id = self.db.new_resetlogs_id(rl_scn)
        self._new_incarnation(rl_scn, rl_id, now)
        for no, h in headers.items():
            h.update(ckpt=rl_scn, ckpt_time=now, rl_scn=rl_scn, rl_id=rl_id, fuzzy_scn=0, backup=0)
            h["online"] = False
            self.db.cf["files"][no].update(ckpt=rl_scn, backup=0)
            self.db.files.write_header(no)
        self.db.scn = rl_scn
        if self.db.history is not None:
            self.db.history.commits = [c for c in self.db.history.commits if c.scn <= end]
        self.db.files.write_controlfile(full=True)
        self.db.world.emit("oracle.resetlogs", db=self.db.name, resetlogs_scn=rl_scn)
        self.db.lifecycle.open_database()

    def _new_incarnation(self, rl_scn: int, rl_id: int, now: float) -> None:
        cf = self.db.cf
        cf["incarnations"].append([len(cf["incarnations"]) + 1, rl_scn, rl_id, cf["rl_scn"]])
        cf.update(
            type="CURRENT",
            open_resetlogs="NOT ALLOWED",
            rec_end=None,
            prior_rl_scn=cf["rl_scn"],
            rl_scn=rl_scn,
            rl_id=rl_id,
            rl_time=now,
            ckpt_scn=rl_scn,
            clean=True,
        )
        order = sorted(cf["groups"])
        for no in order:
            g = cf["groups"][no]
            first = no == order[0]
            g.update(
                seq=1 if first else 0,
                status="CURRENT" if first else "UNUSED",
                archived=False,
                first=rl_scn if first else 0,
                first_time=now,
                next=None,
                next_time=None,
                rl_id=rl_id,
            )
            self.db.files.write_log_header(g, no)
        cf["cur_group"], cf["cur_seq"] = order[0], 1
