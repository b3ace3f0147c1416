"""Instance states SHUTDOWN -> STARTED (NOMOUNT) -> MOUNTED -> OPEN and back (reference 1.2)."""

from __future__ import annotations

from typing import Any

from apprm_ref.errors import HostError, OracleError
from apprm_ref.sim.oracle import formats as F
from apprm_ref.sim.oracle.messages import file_error, ora
from apprm_ref.sim.oracle.models import MOUNTED, OPEN, SHUTDOWN, SHUTDOWN_MODES, STARTED


class LifecycleMixin:
    name: str
    world: Any
    status: str
    params: dict[str, Any]
    cf: dict[str, Any]
    hdr: dict[int, dict[str, Any]]
    scn: int
    log_pos: int
    layout: Any

    def require_state(self, *states: str) -> None:
        """Refuse with the error Oracle gives when the instance is in the wrong state."""
        self.alive()  # type: ignore[attr-defined]
        if self.status in states:
            return
        if self.status == SHUTDOWN:
            raise ora("ORA-01034", stack=(("ORA-27101", ()),))
        if self.status == STARTED:
            raise ora("ORA-01507")
        if self.status == MOUNTED and OPEN in states:
            raise ora("ORA-01109")
        raise ora("ORA-01126")

    # --- startup ---------------------------------------------------------------------------

    def startup(self, to: str = OPEN) -> None:
        """STARTUP [NOMOUNT|MOUNT]; on a failure the instance stays in the last state reached."""
        to = {"NOMOUNT": STARTED, "MOUNT": MOUNTED}.get(to.upper(), to.upper())
        if self.alive():  # type: ignore[attr-defined]
            raise ora("ORA-01081")
        self.world.faults.check("oracle.startup", OracleError, db=self.name)
        self.params = self.read_spfile(self.layout.spfile)  # type: ignore[attr-defined]
        self.status = STARTED
        if to in (MOUNTED, OPEN):
            self.mount()
        if to == OPEN:
            self.open_database()

    def mount(self) -> None:
        """ALTER DATABASE MOUNT: every control file copy must be readable and identical."""
        if self.status in (MOUNTED, OPEN):
            raise ora("ORA-01100")
        self.require_state(STARTED)
        copies = self.read_controlfiles(self.cf_paths())  # type: ignore[attr-defined]
        if not copies or any(cf is None for _, cf in copies):
            raise ora("ORA-00205")
        first_path, first = copies[0]
        for path, other in copies[1:]:
            if other != first:
                raise ora("ORA-00214", first_path, path)
        assert first is not None
        if first["db_name"] != self.params["db_name"]:
            raise ora("ORA-01103", first["db_name"], self.params["db_name"])
        self.cf = first
        self.forget_derived()  # type: ignore[attr-defined]
        if self.cf["type"] == "BACKUP":
            self.cf["open_resetlogs"] = "REQUIRED"
        self.scn = self._highest_known_scn()
        self.hold_files(self.cf_paths())  # type: ignore[attr-defined]
        self.status = MOUNTED

    def _highest_known_scn(self) -> int:
        """SCNs never go back: the highest one the control file has seen (OS-I1)."""
        rl_id, cf = self.cf["rl_id"], self.cf
        firsts = [g["first"] for g in cf["groups"].values() if g["rl_id"] == rl_id]
        nexts = [a["next"] for a in cf["archives"] if a["rl_id"] == rl_id]
        return max(cf["ckpt_scn"], cf["rec_end"] or 0, *firsts, *nexts)

    # --- open ----------------------------------------------------------------------------------

    def open(self, resetlogs: bool | None = None) -> None:
        """ALTER DATABASE OPEN [RESETLOGS (True) | NORESETLOGS (False)]."""
        if self.status == OPEN:
            raise ora("ORA-01531")
        self.require_state(MOUNTED)
        self.world.faults.check("oracle.open", OracleError, db=self.name)
        if resetlogs:
            self.open_resetlogs()  # type: ignore[attr-defined]
            return
        if self.cf["type"] == "BACKUP" or self.cf["open_resetlogs"] == "REQUIRED":
            raise ora("ORA-01588" if resetlogs is False else "ORA-01589")
        self.open_database()

    def open_database(self) -> None:
        headers = self.check_open_headers()
        if not self.cf["clean"]:
            self.crash_recovery(headers)  # type: ignore[attr-defined]
            headers = {no: dict(h) for no, h in self.hdr.items()}
        self.hdr = headers
        self.hold_files([f["name"] for f in self.cf["files"].values()])  # type: ignore[attr-defined]
        self.hold_files([m for g in self.cf["groups"].values() for m in g["members"]])  # type: ignore[attr-defined]
        for no, h in self.hdr.items():
            h["online"] = True
            self.write_header(no)  # type: ignore[attr-defined]
        self.cf["clean"] = False
        for entry in self.cf["files"].values():
            entry["stop"] = None
        self.write_controlfile()  # type: ignore[attr-defined]
        self.log_pos = self._log_end()
        self.status = OPEN
        self.world.emit("oracle.open", db=self.name, scn=self.scn)

    def _log_end(self) -> int:
        """Next free block of the current log (LGWR appends after the last valid batch)."""
        group = self.cf["groups"][self.cf["cur_group"]]
        for member in group["members"]:
            try:
                blocks = self.world.hosts.read_file(self.host, member)  # type: ignore[attr-defined]
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
        raise ora("ORA-00313", self.cf["cur_group"])

    def check_open_headers(self) -> dict[int, dict[str, Any]]:
        """Plain OPEN checks (OS-I5): every header present, current and out of backup mode."""
        headers: dict[int, dict[str, Any]] = {}
        for no, entry in sorted(self.cf["files"].items()):
            h = self.read_header(entry["name"])  # type: ignore[attr-defined]
            if h is None:
                raise ora("ORA-01157", no, stack=(("ORA-01110", (no, entry["name"])),))
            if entry["backup"]:
                raise file_error("ORA-10873", no, entry["name"])
            if h["rl_id"] != self.cf["rl_id"]:
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
        if not self.alive():  # type: ignore[attr-defined]
            raise ora("ORA-01034", stack=(("ORA-27101", ()),))
        self.world.faults.check("oracle.shutdown", OracleError, db=self.name, mode=mode)
        if mode == "ABORT":
            self.drop_instance()  # type: ignore[attr-defined]
            self.world.emit("oracle.abort", db=self.name)
            return
        if self.status == OPEN:
            self.close()  # type: ignore[attr-defined]
        self.drop_instance()  # type: ignore[attr-defined]
        self.world.emit("oracle.shutdown", db=self.name, mode=mode)
