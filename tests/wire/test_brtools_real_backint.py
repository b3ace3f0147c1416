"""The simulator's BR*Tools against the product's backint program (apprm_ref.real.sap_backint)
over the command-runner seam, on the Oracle test estate: the interface between them is only
the BC-BRI call, its files and the switch files (protocols.md §4.2-§4.6)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from apprm_ref.drivers.sap import BackintCopy
from apprm_ref.real.sap_backint_runner import ProductPrograms
from apprm_ref.real.sap_backint_sim import SimHostFiles
from apprm_ref.sim.oracle.models import fold
from apprm_ref.sim.sap import textfiles
from apprm_ref.sim.sap.estate import demo_system
from apprm_ref.sim.sap.tools import run_tool

C = ("-c", "-u", "/")


@dataclass
class MemoryStore:
    """A BackintStore in memory (the product's own is backed by its IDB)."""

    data: dict[tuple[str, str, str], tuple[int, bytes]] = field(default_factory=dict)
    issued: int = 0

    def new_backup_id(self, user: str) -> str:
        self.issued += 1
        return f"MEM{self.issued:08d}"

    def put(self, user: str, bid: str, path: str, data: bytes) -> None:
        self.data[(user, bid, path)] = (len(self.data) + 1, data)

    def get(self, user: str, bid: str, path: str) -> bytes | None:
        found = self.data.get((user, bid, path))
        return None if found is None else found[1]

    def copies(self, user: str) -> list[BackintCopy]:
        rows = [BackintCopy(u, b, p, seq, len(d)) for (u, b, p), (seq, d) in self.data.items()
                if u == user]  # fmt: skip
        return sorted(rows, key=lambda c: -c.seq)

    def drop(self, user: str, bid: str, path: str) -> bool:
        return self.data.pop((user, bid, path), None) is not None


def _system(batch: int = 1):  # type: ignore[no-untyped-def]
    world, sap = demo_system(utl={"switch_batch": str(batch)})
    env = {"ORACLE_SID": sap.sid, "ORACLE_HOME": sap.oracle_home,
           "SAPDATA_HOME": sap.sapdata_home, "SAPBACKUP": sap.sapbackup}  # fmt: skip
    programs = ProductPrograms(MemoryStore(), SimHostFiles(world.hosts, sap.host), env=env)
    world.advance(60)
    sap.db.apply_workload(5)
    return world, sap, programs


@pytest.mark.rule("OS-I18")
@pytest.mark.parametrize("batch", [1, 2])
def test_util_file_online_with_the_product_backint(batch: int) -> None:
    world, sap, programs = _system(batch)
    seen: list[tuple[str, str]] = []
    world.subscribe(lambda ev: seen.append((ev.kind, str(ev.data.get("ts")))))
    r = run_tool("brbackup", sap, [*C, "-t", "online", "-d", "util_file_online"], programs)
    assert r.rc == 0, r.out
    assert "BR0142I" in r.out and not sap.db.backup_files()
    begins = [ts for k, ts in seen if k == "oracle.begin_backup"]
    ends = [ts for k, ts in seen if k == "oracle.end_backup"]
    assert sorted(begins) == sorted(ends) == ["SYSTEM", "USERS"]
    saved = [f for f in sap.files_of(r.run.action) if f.kind == "data"]
    assert saved and all(f.bid and f.bid.startswith("MEM") for f in saved)


@pytest.mark.rule("OS-P16")
def test_backup_archive_restore_recover_round_trip_with_the_product_backint() -> None:
    world, sap, programs = _system()
    db = sap.db
    assert run_tool("brbackup", sap, [*C, "-t", "online", "-d", "util_file"], programs).rc == 0
    for _ in range(3):
        world.advance(60)
        db.apply_workload(4)
        db.archive_log_current()
    assert run_tool("brarchive", sap, [*C, "-d", "util_file", "-sd"], programs).rc == 0
    world.advance(60)
    db.apply_workload(3)
    db.shutdown("ABORT")
    for path in ("/oradata/system01.dbf", "/oradata/users01.dbf"):
        world.hosts.write_file("db1", path, {0: None})
    r = run_tool("brrestore", sap, [*C, "-b", "last"], programs)
    assert r.rc == 0, r.out
    r = run_tool("brrecover", sap, [*C, "-t", "complete"], programs)
    assert r.rc == 0, r.out
    assert any(run.function == "rsa" and run.rc == 0 for run in sap.runs)
    assert db.data() == fold(db.history.commits)
    summary = textfiles.read(world.hosts, "db1", "/oractl/sapbackup/recovPRD.log")
    assert summary.split()[1] == "crv" and summary.split()[6] == "0"
