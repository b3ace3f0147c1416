"""Invariants of the simulated database, checkable at any moment (reference section 11).

Only the running instance is checked (what it has cached plus the headers on disk): a shut
down database's files may sit on unmounted filesystems, and that is legal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.sim.oracle.models import MOUNTED, OPEN

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase


class Invariants:
    """The invariant checks: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    def check_invariants(self) -> list[str]:
        if self.db.world is None:
            return []
        if not self.db.alive():
            return ["instance down but still holding filesystems"] if self.db.held else []
        if self.db.status not in (MOUNTED, OPEN):
            return []
        problems: list[str] = []
        problems += self._check_scn_chain()
        problems += self._check_logs()
        if self.db.cf["clean"] and any(f["backup"] for f in self.db.cf["files"].values()):
            problems.append("OS-I8: database closed cleanly with files in backup mode")
        if self.db.status == OPEN:
            problems += self._check_open_files()
        return problems

    def _check_scn_chain(self) -> list[str]:
        """OS-I1: archived logs of one incarnation chain next_change# -> first_change#."""
        out = []
        by_inc: dict[int, list[dict[str, Any]]] = {}
        for a in self.db.cf["archives"]:
            by_inc.setdefault(a["rl_id"], []).append(a)
        for rl_id, recs in by_inc.items():
            recs = sorted({a["seq"]: a for a in recs}.values(), key=lambda a: a["seq"])
            for a, b in zip(recs, recs[1:], strict=False):
                if b["seq"] == a["seq"] + 1 and a["next"] != b["first"]:
                    out.append(
                        f"OS-I1: seq {a['seq']} next {a['next']} != seq {b['seq']} first {b['first']} (inc {rl_id})"
                    )
                if a["first"] >= a["next"]:
                    out.append(f"OS-I1: archived seq {a['seq']} has first >= next")
        if self.db.scn < self.db.cf["ckpt_scn"]:
            out.append(
                f"OS-I1: current SCN {self.db.scn} below checkpoint {self.db.cf['ckpt_scn']}"
            )
        return out

    def _check_logs(self) -> list[str]:
        """OS-I7: one CURRENT group; every closed sequence is archived or still online."""
        out = []
        groups = self.db.cf["groups"]
        current = [no for no, g in groups.items() if g["status"] == "CURRENT"]
        if current != [self.db.cf["cur_group"]]:
            out.append(
                f"OS-I7: CURRENT groups {current}, control file says {self.db.cf['cur_group']}"
            )
        if self.db.cf["log_mode"] != "ARCHIVELOG":
            return out
        rl_id = self.db.cf["rl_id"]
        archived = {a["seq"] for a in self.db.cf["archives"] if a["rl_id"] == rl_id}
        online = {g["seq"] for g in groups.values() if g["rl_id"] == rl_id and g["seq"] > 0}
        first = min(archived | online, default=1)
        lost = [s for s in range(first, self.db.cf["cur_seq"]) if s not in archived | online]
        if lost:
            out.append(f"OS-I7: sequences {lost[:5]} were overwritten before being archived")
        for no, g in groups.items():
            if (
                g["status"] != "CURRENT"
                and g["seq"] in online
                and g["archived"] != (g["seq"] in archived)
            ):
                out.append(f"OS-I7: group {no} ARCHIVED flag disagrees with archive records")
        return out

    def _check_open_files(self) -> list[str]:
        """OS-I2 (frozen headers of files in backup) and OS-I5 (open => headers current)."""
        out = []
        if self.db.cf["type"] != "CURRENT":
            out.append("OS-I5: database open on a backup control file")
        for no, entry in self.db.cf["files"].items():
            h = self.db.files.read_header(entry["name"])
            if h is None:
                out.append(f"file {no} header unreadable while open")
                continue
            if entry["backup"]:
                if h["ckpt"] != entry["backup"] or h["backup"] != entry["backup"]:
                    out.append(
                        f"OS-I2: file {no} in backup since {entry['backup']} but header ckpt {h['ckpt']}"
                    )
            elif h["ckpt"] != entry["ckpt"] or h["backup"]:
                out.append(
                    f"OS-I5: file {no} header ckpt {h['ckpt']} != control file {entry['ckpt']}"
                )
            if h["rl_id"] != self.db.cf["rl_id"]:
                out.append(f"OS-I6: file {no} from another incarnation while open")
        return out
