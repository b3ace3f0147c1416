"""Stateful property test of the simulated Oracle database against a small model.

The model is the list of acknowledged commits, the set of files in backup mode and the
replicas taken (datafile volume copies made in backup mode, with their begin SCN and
end-of-backup markers). After every step: invariants hold, V$BACKUP matches the model and
an open database holds exactly the model's committed data. Restores check OS-P1 (until SCN),
OS-P3 (complete) and the refusals below the minimum recovery point (OS-I3/OS-P12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from apprm_ref.drivers.oracle import RecoveryTarget as RT
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.estate import build_estate
from apprm_ref.sim.oracle.models import Commit, fold
from apprm_ref.sim.storage import VolumeData

TABLESPACES = ("SYSTEM", "USERS")


@dataclass
class Replica:
    copies: dict[str, VolumeData]
    begin: int
    rl_id: int
    markers: dict[str, int] = field(default_factory=dict)  # tablespace -> END BACKUP SCN

    def min_recovery_scn(self) -> int | None:
        if set(self.markers) != set(TABLESPACES):
            return None
        return max(self.markers.values()) + 1


class OracleMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.e = build_estate(seed=5)
        self.db = self.e.db
        self.commits: list[Commit] = []
        self.in_backup: set[str] = set()
        self.replicas: list[Replica] = []

    def is_open(self) -> bool:
        return self.db.status == "OPEN"

    # --- workload and logs ------------------------------------------------------------

    @precondition(lambda self: self.is_open())
    @rule(n=st.integers(1, 8), advance=st.integers(0, 30))
    def workload(self, n: int, advance: int) -> None:
        self.e.world.advance(advance)
        self.commits += self.db.workload(n)

    @precondition(lambda self: self.is_open())
    @rule(wait=st.booleans())
    def switch(self, wait: bool) -> None:
        if wait:
            self.db.archive_log_current()
        else:
            self.db.switch_logfile()

    # --- backup mode and replicas -------------------------------------------------------

    @precondition(lambda self: self.is_open())
    @rule(ts=st.sampled_from((None, *TABLESPACES)))
    def begin_backup(self, ts: str | None) -> None:
        wanted = set(TABLESPACES) if ts is None else {ts}
        if wanted & self.in_backup:
            with pytest.raises(OracleError) as exc:
                self.db.begin_backup(ts)
            assert exc.value.code == "ORA-01146"
            return
        self.db.begin_backup(ts)
        self.in_backup |= wanted

    @precondition(lambda self: self.is_open())
    @rule(ts=st.sampled_from((None, *TABLESPACES)))
    def end_backup(self, ts: str | None) -> None:
        wanted = set(TABLESPACES) if ts is None else {ts}
        ended = wanted & self.in_backup
        if ts is not None and not ended:
            with pytest.raises(OracleError) as exc:
                self.db.end_backup(ts)
            assert exc.value.code == "ORA-01142"
            return
        try:
            marker = self.db.end_backup(ts)
        except OracleError as exc:
            assert exc.code == "ORA-01260" and ended != wanted
            marker = self.db.scn
        for r in self.replicas:
            for t in ended:
                r.markers.setdefault(t, marker)
        self.in_backup -= ended

    @precondition(lambda self: self.is_open() and self.in_backup == set(TABLESPACES))
    @rule()
    def take_replica(self) -> None:
        begin = max(self.db.backup_files().values())
        copies = self.e.array.snap(["vdata"])
        event("replica taken")
        self.replicas.append(Replica(copies, begin, self.db.cf["rl_id"]))

    @precondition(lambda self: self.is_open() and not self.in_backup)
    @rule(during=st.integers(0, 5))
    def online_zdb(self, during: int) -> None:
        """The whole online ZDB bracket in one step (so short runs reach the restores)."""
        self.begin_backup(None)
        self.commits += self.db.workload(during)
        self.take_replica()
        self.commits += self.db.workload(during)
        self.end_backup(None)
        self.db.archive_log_current()

    # --- instance -----------------------------------------------------------------------

    @precondition(lambda self: self.db.status != "SHUTDOWN")
    @rule()
    def crash(self) -> None:
        self.db.shutdown("ABORT")

    @precondition(lambda self: self.is_open())
    @rule()
    def shutdown_immediate(self) -> None:
        if self.in_backup:
            with pytest.raises(OracleError) as exc:
                self.db.shutdown("IMMEDIATE")
            assert exc.value.code == "ORA-01149"
            return
        self.db.shutdown("IMMEDIATE")

    @precondition(lambda self: self.db.status == "SHUTDOWN")
    @rule()
    def startup(self) -> None:
        if not self.in_backup:
            self.db.startup()
            return
        with pytest.raises(OracleError) as exc:
            self.db.startup()
        assert exc.value.code == "ORA-10873"
        assert self.db.status == "MOUNTED"
        try:
            self.db.end_backup()
        except OracleError as e:
            assert e.code == "ORA-01260"
        self.in_backup = set()
        self.db.open()

    # --- instant recovery + media recovery ------------------------------------------------

    def usable(self) -> list[Replica]:
        rl_id = self.db.cf["rl_id"] if self.db.cf else None
        return [r for r in self.replicas if r.min_recovery_scn() and r.rl_id == rl_id]

    @precondition(lambda self: self.is_open() and not self.in_backup and self.usable())
    @rule(data=st.data(), offset=st.integers(-25, 60), abort=st.booleans())
    def restore_until_scn(self, data: st.DataObject, offset: int, abort: bool) -> None:
        r = data.draw(st.sampled_from(self.usable()))
        self.db.shutdown("ABORT" if abort else "IMMEDIATE")
        self.e.instant_recovery(r.copies)
        self.db.startup("MOUNT")
        mrp = r.min_recovery_scn()
        assert mrp is not None
        x = mrp + offset
        event("restore until SCN " + ("below" if x < mrp else "at/above") + " min recovery point")
        if x < mrp:
            with pytest.raises(OracleError) as exc:
                self.db.recover(RT.until_scn(x))
            assert exc.value.codes[:2] in (("ORA-01547", "ORA-01195"), ("ORA-01547", "ORA-01152"))
            with pytest.raises(OracleError):
                self.db.open(resetlogs=True)
            assert self.db.status == "MOUNTED"
            self.db.recover(RT.now())  # the way out: complete recovery, nothing lost
            self.db.open()
            return
        self.db.recover(RT.until_scn(x))
        self.db.open(resetlogs=True)
        self.commits = [c for c in self.commits if c.scn < x]

    @precondition(lambda self: self.is_open() and not self.in_backup and self.usable())
    @rule(data=st.data())
    def restore_complete(self, data: st.DataObject) -> None:
        r = data.draw(st.sampled_from(self.usable()))
        self.db.shutdown("IMMEDIATE")
        self.e.instant_recovery(r.copies)
        self.db.startup("MOUNT")
        event("restore complete")
        assert self.db.recover(RT.now()).complete
        self.db.open()

    # --- invariants -----------------------------------------------------------------------

    @invariant()
    def simulator_invariants(self) -> None:
        assert self.e.world.invariant_problems() == []

    @invariant()
    def matches_model(self) -> None:
        if not self.is_open():
            return
        active = {self.db.cf["files"][no]["ts"] for no in self.db.backup_files()}
        assert active == self.in_backup
        assert self.db.data() == fold(self.commits)


TestOracleDatabase = pytest.mark.rule("OS-P1", "OS-P3", "OS-I3", "OS-I8", "OS-P10", "OS-P12")(
    OracleMachine.TestCase
)
