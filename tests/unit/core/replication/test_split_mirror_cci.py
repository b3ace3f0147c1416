"""The orchestrator driving the *real* XP driver (RAID Manager commands, parsed output)
whose commands the simulator's CCI door executes: ZDB, rotation and instant recovery."""

from __future__ import annotations

import pytest
from xp_estate import SOURCES, make_estate, svol

from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.real.xp_cci import XpCciDriver
from apprm_ref.sim.xp.cci.runner import SimCciRunner
from apprm_ref.types import SessionStatus


def _conf(mine: int, other: int, lines: list[str]) -> str:
    groups = sorted({ln.split()[0] for ln in lines})
    inst = "\n".join(f"{g} localhost {other}" for g in groups)
    body = "\n".join(lines)
    return (
        f"HORCM_MON\nlocalhost {mine} 1000 3000\nHORCM_CMD\n\\\\.\\CMD-64123:/dev/sd\n"
        f"HORCM_LDEV\n{body}\nHORCM_INST\n{inst}\n"
    )


def cci_estate(replication: dict):  # type: ignore[no-untyped-def]
    est = make_estate(replication)
    p_lines, s_lines = [], []
    for mu in range(3):
        for i, src in enumerate(SOURCES):
            p_lines.append(f"M{mu} d{i} 64123 {src} {mu}")
            s_lines.append(f"M{mu} d{i} 64123 {svol(src, mu)} 0")
            est.xp.present(svol(src, mu), "bkp")  # XP S-VOL paths are set up in advance
    runner = SimCciRunner(
        est.world,
        {0: _conf(31000, 31001, p_lines), 1: _conf(31001, 31000, s_lines)},
        {"HORCMINST": "0"},
    )
    driver = XpCciDriver(runner, 0, groups=["M0", "M1", "M2"], now=runner.now)
    est.orch.drivers.arrays["xp1"] = driver
    return est, runner


@pytest.mark.rule("ARR-P4")
def test_zdb_and_ir_through_raid_manager_commands() -> None:
    est, runner = cci_estate({"mu": "0-1"})
    est.write("A")
    first = est.backup()
    assert first.status == SessionStatus.COMPLETED, [m.text for m in first.messages]
    assert ["pairsplit", "-g", "M0", "-IM0"] in runner.calls  # the whole group at one instant
    est.advance()
    est.write("B")
    assert est.backup().status == SessionStatus.COMPLETED
    est.advance()
    est.write("C")
    assert est.backup().status == SessionStatus.COMPLETED  # rotation: MU 0 again
    assert [r.mu for r in est.active()] == [1, 0]
    est.write("D")
    newest = est.active()[-1]
    expected = est.xp.content(newest.targets[0].target.volume).written()
    session = est.orch.restore(newest.id, RestoreOptions(method="normal", keep_replica=True))
    assert session.status == SessionStatus.COMPLETED, [m.text for m in session.messages]
    assert est.xp.content(SOURCES[0]).written() == expected
    assert est.read()[0] == "C:0"
    assert first.replica_id not in [r.id for r in est.active()]
    est.world.check_invariants()


@pytest.mark.rule("ARR-P11")
def test_excluded_ldev_through_the_real_driver() -> None:
    est, runner = cci_estate({"mu": "0-1"})
    est.orch.drivers.arrays["xp1"].excluded = {svol(SOURCES[0], 0)}
    runner.calls.clear()
    session = est.backup()
    assert session.status == SessionStatus.FAILED
    issued = {c[0] for c in runner.calls}
    assert issued <= {"pairdisplay"}  # nothing but queries before the refusal (ARR-P11)
