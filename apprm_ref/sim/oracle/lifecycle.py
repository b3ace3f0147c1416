"""Instance states SHUTDOWN -> STARTED (NOMOUNT) -> MOUNTED -> OPEN and back (reference 1.2)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from apprm_ref.errors import HostError, OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.messages import file_error, ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, SHUTDOWN, SHUTDOWN_MODES, STARTED

if TYPE_CHECKING:
    from apprm_ref.sim.oracle.backend import OracleDatabase


class Lifecycle:
    """Instance startup and shutdown: one part of the database, working on the instance state it
    holds (``db``); other parts are reached through the database's commands."""

    def __init__(self, db: OracleDatabase) -> None:
        self.db = db

    def require_state(self, *states: str) -> None:
        """Refuse with the error Oracle gives when the instance is in the wrong state."""
        self.db.alive()
        if self.db.status in states:
            return
        if self.db.status == SHUTDOWN:
            raise ora("ORA-01034", stack=(("ORA-27101", ()),))
        if self.db.status == STARTED:
            raise ora("ORA-01507")
        if self.db.status == MOUNTED and OPEN in states:
            raise ora("ORA-01109")
        raise ora("ORA-01126")

    # --- startup ---------------------------------------------------------------------------

    def startup(self, to: str = OPEN) -> None:
        """STARTUP [NOMOUNT|MOUNT]; on a failure the instance stays in the last state reached."""
        to = {"NOMOUNT": STARTED, "MOUNT": MOUNTED}.get(to.upper(), to.upper())
        if self.db.alive():
            raise ora("ORA-01081")
        self.db.world.faults.check("oracle.startup", OracleError, db=self.db.name)
        self.db.params = self.db.files.read_spfile(self.db.layout.spfile)
        self.db.status = STARTED
        if to in (MOUNTED, OPEN):
            self.mount()
        if to == OPEN:
            self.open_database()

    def mount(self) -> None:
        """ALTER DATABASE MOUNT: every control file copy must be readable and identical."""
        if self.db.status in (MOUNTED, OPEN):
            raise ora("ORA-01100")
        self.require_state(STARTED)
        copies = self.db.files.read_controlfiles(self.db.files.cf_paths())
        if not copies or any(cf is None for _, cf in copies):
            raise ora("ORA-00205")
        first_path, first = copies[0]
        for path, other in copies[1:]:
            if other != first:
                raise ora("ORA-00214", first_path, path)
        assert first is not None
        if first["db_name"] != self.db.params["db_name"]:
            raise ora("ORA-01103", first["db_name"], self.db.params["db_name"])
        self.db.cf = first
        self.db.forget_derived()
        if self.db.cf["type"] == "BACKUP":
            self.db.cf["open_resetlogs"] = "REQUIRED"
        self.db.scn = self._highest_known_scn()
        self.db.hold_files(self.db.files.cf_paths())
        self.db.status = MOUNTED

    def _highest_known_scn(self) -> int:
        """SCNs never go back: the highest one the control file has seen (OS-I1)."""
        rl_id, cf = self.db.cf["rl_id"], self.db.cf
        firsts = [g["first"] for g in cf["groups"].values() if g["rl_id"] == rl_id]
        nexts = [a["next"] for a in cf["archives"] if a["rl_id"] == rl_id]
        return max(cf["ckpt_scn"], cf["rec_end"] or 0, *firsts, *nexts)

    # --- open ----------------------------------------------------------------------------------

    def open(self, resetlogs: bool | None = None) -> None:
        """ALTER DATABASE OPEN [RESETLOGS (True) | NORESETLOGS (False)]."""
        if self.db.status == OPEN:
            raise ora("ORA-01531")
        self.require_state(MOUNTED)
        self.db.world.faults.check("oracle.open", OracleError, db=self.db.name)
        if resetlogs:
            self.db.recovery.open_resetlogs()
            return
        if self.db.cf["type"] == "BACKUP" or self.db.cf["open_resetlogs"] == "REQUIRED":
            raise ora("ORA-01588" if resetlogs is False else "ORA-01589")
        self.open_database()

    def open_database(self) -> None:
        headers = self.check_open_headers()
        if not self.db.cf["clean"]:
            self.db.recovery.crash_recovery(headers)
            headers = {no: dict(h) for no, h in self.db.hdr.items()}
        self.db.hdr = headers
        self.db.hold_files([f["name"] for f in self.db.cf["files"].values()])
        self.db.hold_files([m for g in self.db.cf["groups"].values() for m in g["members"]])
        for no, h in self.db.hdr.items():
            h["online"] = True
            self.db.files.write_header(no)
        self.db.cf["clean"] = False
        for entry in self.db.cf["files"].values():
            entry["stop"] = None
        self.db.files.write_controlfile()
        self.db.log_pos = self._log_end()
        self.db.status = OPEN
        self.db.world.emit("oracle.open", db=self.db.name, scn=self.db.scn)

    def _log_end(self) -> int:
        """Next free block of the current log (LGWR appends after the last valid batch)."""
        group = self.db.cf["groups"][self.db.cf["cur_group"]]
        for member in group["members"]:
            try:
                blocks = self.db.world.hosts.read_file(self.db.host, member)
            except HostError:
                continue
            head = F.unpack(blocks[0], F.LOG_HEADER) if blocks else None
            if head is None or head["seq"] != group["seq"]:
                continue
            n = 1
            while (
                n < len(blocks)
                and F.parse_redo_block(blocks[n], head["seq"], head["rl_id"]) is not None
            ):
                n += 1
            return n
        raise ora("ORA-00313", self.db.cf["cur_group"])

    def check_open_headers(self) -> dict[int, dict[str, Any]]:
        """Plain OPEN checks (OS-I5): every header present, current and out of backup mode."""
        headers: dict[int, dict[str, Any]] = {}
        for no, entry in sorted(self.db.cf["files"].items()):
            h = self.db.files.read_header(entry["name"])
            if h is None:
                raise ora("ORA-01157", no, stack=(("ORA-01110", (no, entry["name"])),))
            if entry["backup"]:
                raise file_error("ORA-10873", no, entry["name"])
            if h["rl_id"] != self.db.cf["rl_id"]:
                raise file_error("ORA-01190", no, entry["name"])
            if h["ckpt"] < entry["ckpt"] or h["backup"]:
                raise file_error("ORA-01113", no, entry["name"])
            if h["ckpt"] > entry["ckpt"]:
                raise file_error("ORA-01122", no, entry["name"], "ORA-01207")
            headers[no] = h
        return headers

    # --- shutdown --------------------------------------------------------------------------------

    def shutdown(self, mode: str = "IMMEDIATE") -> None:
        mode = mode.upper()
        if mode not in SHUTDOWN_MODES:
            raise ValueError(f"unknown shutdown mode {mode}")
        if not self.db.alive():
            raise ora("ORA-01034", stack=(("ORA-27101", ()),))
        self.db.world.faults.check("oracle.shutdown", OracleError, db=self.db.name, mode=mode)
        if mode == "ABORT":
            self.db.drop_instance()
            self.db.world.emit("oracle.abort", db=self.db.name)
            return
        if self.db.status == OPEN:
            self.db.admin.close()
        self.db.drop_instance()
        self.db.world.emit("oracle.shutdown", db=self.db.name, mode=mode)
