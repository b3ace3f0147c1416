"""An SAP R/3 system on a simulated Oracle database: its directories, its connected SAP users
and the BR*Tools catalogue (what SDBAH/SDBAD hold in the real product), as plain data.

The SAP system is an application of the world (``kind = "sap"``) beside the Oracle database
it runs on (``database`` names that application). Its profiles and logs are text files on
the SAP host (:mod:`apprm_ref.sim.sap.textfiles`); the catalogue here is what BR*Tools
reads back (``brrestore -b last``, ``brbackup -f <log>``, ``brrestore -a``).

Action IDs (SAP-3): the encoding is not published; every public example is a letter (``b``,
``a``, ``r``, ``v``) and seven lower-case letters. Here they are the base-26 digits of a
counter that is at least the simulated second, so they are unique and sort by time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.persist import persistable


@persistable("sap.Run")
@dataclass
class Run:
    """One BR*Tools run (an SDBAH row): its detail log is ``<action>.<function>``."""

    tool: str  # brbackup | brarchive | brrestore | brrecover
    action: str  # b + 7 letters
    function: str  # detail-log extension (anf, sve, rsb, crv ...)
    start: float
    end: float | None = None
    rc: int = 9  # 9 while running (SAP-1)
    backup_type: str = ""
    device: str = ""
    mode: str = ""
    log: str = ""  # the detail log's path


@persistable("sap.SavedFile")
@dataclass
class SavedFile:
    """One file a run handed to the backup device (an SDBAD row)."""

    action: str
    path: str
    kind: str  # data | control | redo | arch | profile | log
    bid: str | None = None  # BACKINT backup ID once #SAVED; the disk copy's path for disk
    seq: int | None = None  # archived log sequence
    copy: int = 1  # BRARCHIVE: first or second copy
    restored: bool = False


@persistable("sap.System")
@dataclass(eq=False)
class SapSystem:
    name: str  # the world's application name
    sid: str
    database: str  # the Oracle database's application name
    host: str
    oracle_home: str
    sapdata_home: str
    sapbackup: str
    saparch: str
    sapreorg: str
    sap_users: list[str] = field(default_factory=list)  # connected SAP work processes
    runs: list[Run] = field(default_factory=list)
    files: list[SavedFile] = field(default_factory=list)
    counter: int = 0
    busy: str | None = None  # "split" while brbackup's split_cmd runs
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    kind = "sap"  # the registered application kind (descriptor owned by the product side)

    def attach(self, world: Any) -> None:
        self.world = world

    # --- the pieces ------------------------------------------------------------------

    @property
    def db(self) -> Any:
        return self.world.app(self.database)

    @property
    def sap_profile(self) -> str:
        return f"{self.oracle_home}/dbs/init{self.sid}.sap"

    @property
    def utl_profile(self) -> str:
        return f"{self.oracle_home}/dbs/init{self.sid}.utl"

    def summary_log(self, tool: str) -> str:
        if tool == "brarchive":
            return f"{self.saparch}/arch{self.sid}.log"
        name = {"brbackup": "back", "brrestore": "rest", "brrecover": "recov"}[tool]
        return f"{self.sapbackup}/{name}{self.sid}.log"

    def log_dir(self, tool: str) -> str:
        return self.saparch if tool == "brarchive" else self.sapbackup

    # --- SAP users --------------------------------------------------------------------

    def connect_users(self, *users: str) -> None:
        """SAP work processes log on to the database (an active SAP system)."""
        for u in users:
            if u not in self.sap_users:
                self.sap_users.append(u)

    def disconnect_users(self) -> None:
        self.sap_users = []

    # --- the catalogue ----------------------------------------------------------------

    def new_action(self, letter: str) -> str:
        """``letter`` + 7 letters, unique and sortable by time (SAP-3)."""
        self.counter = max(self.counter + 1, int(self.world.now()))
        n, digits = self.counter, []
        for _ in range(7):
            n, d = divmod(n, 26)
            digits.append(chr(ord("a") + d))
        return letter + "".join(reversed(digits))

    def run(self, action: str) -> Run | None:
        return next((r for r in self.runs if r.action == action), None)

    def last_run(self, tool: str, *, ok: bool = True, **match: str) -> Run | None:
        """The newest ended run of ``tool`` (rc <= 1 when ``ok``), queries left out."""
        for r in reversed(self.runs):
            if r.tool != tool or r.end is None or (ok and r.rc > 1) or r.function == "qub":
                continue
            if all(getattr(r, k) == v for k, v in match.items()):
                return r
        return None

    def files_of(self, action: str) -> list[SavedFile]:
        return [f for f in self.files if f.action == action]

    def archive_copies(self, seq: int) -> list[SavedFile]:
        """The saved copies of archived log ``seq``, newest first."""
        found = [f for f in self.files if f.kind == "arch" and f.seq == seq and f.bid]
        return list(reversed(found))

    def check_invariants(self) -> list[str]:
        problems = []
        actions = [r.action for r in self.runs]
        if len(set(actions)) != len(actions):
            problems.append("two BR*Tools runs share an action ID")
        if actions != sorted(actions, key=lambda a: a[1:]):
            problems.append("action IDs do not sort by time")
        return problems
