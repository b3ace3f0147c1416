"""Redo: LGWR writes batches to the current group, log switches, ARCn archiving, and
finding a log by sequence for recovery (control-file records, archive naming, online groups).
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError, OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.memo import ArchIndex
from apprm_ref.sim.oracle.messages import ora

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase

_REDO = F.REDO_BLOCK


class Redo:
    """LGWR, log switches and ARCn: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    # --- parameters -----------------------------------------------------------------------

    def archive_dest(self) -> str:
        dest = str(self.db.params.get("log_archive_dest_1", ""))
        return dest.split("=", 1)[1] if "=" in dest else dest

    def archive_path(self, seq: int, rl_id: int) -> str:
        return F.archive_name(
            self.archive_dest(),
            self.db.params.get("log_archive_format", "%t_%s_%r.arc"),
            1,
            seq,
            rl_id,
        )

    def archivelog(self) -> bool:
        return self.db.cf["log_mode"] == "ARCHIVELOG"

    # --- LGWR -----------------------------------------------------------------------------

    def current_group(self) -> dict[str, Any]:
        return self.db.cf["groups"][self.db.cf["cur_group"]]

    def write_redo(self, records: tuple[F.Record, ...]) -> None:
        """Append one redo batch to the current log, switching first if it is full."""
        db = self.db
        group = db.cf["groups"][db.cf["cur_group"]]  # current_group, inline
        if db.log_pos >= group["blocks"]:
            self.switch_log()
            group = self.current_group()
        payload = (_REDO, group["seq"], group["rl_id"], records)  # F.redo_block, inline
        write, host = db.world.hosts.write_file, db.host  # Files.write_blocks
        for member in group["members"]:
            write(host, member, {db.log_pos: payload})
        db.log_pos += 1

    def switch_log(self, *, strict: bool = False) -> None:
        """Log switch: checkpoint, close the current group, open the next one (OS-I7)."""
        self.db.world.faults.check("oracle.log_switch", OracleError, db=self.db.name)
        order = sorted(self.db.cf["groups"])
        nxt = order[(order.index(self.db.cf["cur_group"]) + 1) % len(order)]
        target = self.db.cf["groups"][nxt]
        if self.archivelog() and target["status"] != "UNUSED" and not target["archived"]:
            try:
                self.archive_group(nxt)
            except OracleError:
                raise ora("ORA-00257") from None
        self.db.txn.checkpoint()
        self.db.scn += 1
        old_no = self.db.cf["cur_group"]
        old = self.db.cf["groups"][old_no]
        now = self.db.world.now()  # no simulated time passes within the switch
        old.update(next=self.db.scn, next_time=now, status="INACTIVE")
        target.update(
            seq=self.db.cf["cur_seq"] + 1,
            first=self.db.scn,
            first_time=now,
            next=None,
            next_time=None,
            status="CURRENT",
            archived=False,
            rl_id=self.db.cf["rl_id"],
        )
        self.db.files.write_log_header(target, nxt)
        self.db.cf["cur_group"], self.db.cf["cur_seq"] = nxt, target["seq"]
        self.db.log_pos = 1
        self.db.files.write_controlfile()
        self.db.world.emit("oracle.log_switch", db=self.db.name, seq=target["seq"], scn=self.db.scn)
        if self.archivelog() and strict:
            self.archive_group(old_no)
        elif self.archivelog():  # a failure leaves ARCHIVED=NO: the group cannot be reused yet
            with contextlib.suppress(OracleError):
                self.archive_group(old_no)

    def archive_group(self, group_no: int) -> dict[str, Any]:
        """ARCn: copy a closed group to the archive destination and record it."""
        group = self.db.cf["groups"][group_no]
        self.db.world.faults.check("oracle.archive", OracleError, db=self.db.name, seq=group["seq"])
        log = None
        for member in group["members"]:
            log = self.db.files.read_log(member)
            if log is not None and log[0]["seq"] == group["seq"]:
                break
        if log is None:
            raise ora("ORA-00313", group_no)
        head, records = log
        path = self.archive_path(group["seq"], group["rl_id"])
        blocks = self._archive_blocks(head, group, records)
        try:
            self.db.files.ensure_file(path, len(blocks))
            self.db.files.write_blocks(path, blocks)
        except HostError:
            raise ora("ORA-00257") from None
        rec = {
            "thread": 1,
            "seq": group["seq"],
            "first": group["first"],
            "next": group["next"],
            "first_time": group["first_time"],
            "next_time": group["next_time"],
            "rl_scn": self.db.cf["rl_scn"],
            "rl_id": group["rl_id"],
            "name": path,
            "deleted": False,
            "completion_time": self.db.world.now(),
        }
        self.db.cf["archives"].append(rec)
        group["archived"] = True
        self.db.files.write_controlfile()
        self.db.world.emit("oracle.archive", db=self.db.name, seq=group["seq"], name=path)
        return rec

    def _archive_blocks(
        self, head: dict[str, Any], group: dict[str, Any], records: list[F.Record]
    ) -> dict[int, Any]:
        ahead = dict(head, next=group["next"], next_time=group["next_time"])
        blocks: dict[int, Any] = {0: F.pack(F.LOG_HEADER, ahead)}
        per = 256
        for i in range(0, len(records), per):
            blocks[1 + i // per] = F.redo_block(
                head["seq"], head["rl_id"], tuple(records[i : i + per])
            )
        return blocks

    # --- finding logs for recovery ------------------------------------------------------------

    def arch_index(self) -> ArchIndex:
        """The index of the control file's archived-log records, brought up to date."""
        return self.db.memo.arch.sync(self.db.cf["archives"])

    def locate_log(
        self, seq: int, rl_id: int, *, online_only: bool = False
    ) -> tuple[str, dict[str, Any], list[F.Record]] | None:
        """The log of (thread 1, seq, incarnation): archived copy first, then online members."""
        candidates: list[str] = []
        if not online_only:
            recs = self.arch_index().by_log.get((seq, rl_id), ())
            candidates += [a["name"] for a in recs if not a["deleted"]]
            candidates.append(self.archive_path(seq, rl_id))
        for g in sorted(self.db.cf["groups"]):
            candidates += list(self.db.cf["groups"][g]["members"])
        for path in dict.fromkeys(candidates):
            log = self.db.files.read_log(path)
            if log is not None and log[0]["seq"] == seq and log[0]["rl_id"] == rl_id:
                return path, log[0], log[1]
        return None

    def known_logs(self, rl_id: int) -> list[tuple[int, int, int | None]]:
        """(seq, first_scn, next_scn) of every log of one incarnation the control file knows."""
        recs = self.arch_index().known.get(rl_id, {})
        known = {seq: (seq, a["first"], a["next"]) for seq, a in recs.items()}
        for g in self.db.cf["groups"].values():
            if g["rl_id"] == rl_id and g["seq"] > 0 and g["seq"] not in known:
                known[g["seq"]] = (g["seq"], g["first"], g["next"])
        return [known[s] for s in sorted(known)]

    def log_bounds(self, seq: int, rl_id: int) -> tuple[int, int, int | None] | None:
        """The :meth:`known_logs` entry of one sequence, without listing them all."""
        a = self.arch_index().known.get(rl_id, {}).get(seq)
        if a is not None:
            return (seq, a["first"], a["next"])
        for g in self.db.cf["groups"].values():
            if g["rl_id"] == rl_id and g["seq"] > 0 and g["seq"] == seq:
                return (seq, g["first"], g["next"])
        return None
