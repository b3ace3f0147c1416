"""RAID Manager commands against a simulated XP: outputs, exit codes, refusals."""

from __future__ import annotations

import pytest
from xp_helpers import S3, P, S, cci_world, snapshot

from apprm_ref.real.xp_cci_text import parse_pairdisplay


def run(runner, *argv: str) -> tuple[int, str, str]:
    return runner.run(list(argv))


def test_pair_cycle_through_cci() -> None:
    world, xp, r = cci_world()
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-s")[0] == 11
    assert run(r, "pairvolchk", "-g", "ORA_BC")[0] == 1
    assert run(r, "paircreate", "-g", "ORA_BC", "-vl") == (0, "", "")
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-s")[0] == 22  # P-VOL COPY
    rc, out, _ = run(r, "pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "600")
    assert (rc, out) == (0, "pairevtwait : Wait status done.\n")
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-s")[0] == 23
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-s", "-IM1")[0] == 33
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-IM1")[0] == 3
    xp.block_write(P, {2: "before-split"})
    assert run(r, "pairsplit", "-g", "ORA_BC")[0] == 0
    xp.block_write(P, {2: "after-split"})
    assert run(r, "pairevtwait", "-g", "ORA_BC", "-s", "psus", "-t", "60")[0] == 0
    rc, out, _ = run(r, "pairvolchk", "-g", "ORA_BC", "-s")
    assert rc == 24 and out == "pairvolchk : Volstat is P-VOL.[status = PSUS ]\n"
    assert xp.block_read(S, 2) == "before-split"
    assert run(r, "pairresync", "-g", "ORA_BC", "-d", "data01", "-restore")[0] == 0
    assert run(r, "pairevtwait", "-g", "ORA_BC", "-d", "data01", "-nowait")[0] == 2
    assert xp.block_read(P, 2) == "before-split"
    assert run(r, "pairsplit", "-g", "ORA_BC", "-S")[0] == 0
    assert run(r, "pairvolchk", "-g", "ORA_BC", "-s")[0] == 11
    assert xp.check_invariants() == []


def test_pairdisplay_shows_both_sides() -> None:
    world, xp, r = cci_world()
    run(r, "paircreate", "-g", "ORA_BC", "-vl")
    run(r, "pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "600")
    run(r, "pairsplit", "-g", "ORA_BC", "-d", "data01")
    world.clock.run_until(world.now() + 10)
    xp.block_write(S, {1: "w"})
    rc, out, _ = run(r, "pairdisplay", "-g", "ORA_BC", "-fcx", "-CLI")
    assert rc == 0
    rows = parse_pairdisplay(out, hexa=True)
    assert [(x.dev, x.lr, x.ps, x.status) for x in rows] == [
        ("data01", "L", "P-VOL", "PSUS"),
        ("data01", "R", "S-VOL", "SSUS"),
        ("data02", "L", "P-VOL", "PAIR"),
        ("data02", "R", "S-VOL", "PAIR"),
    ]
    assert rows[0].ldev == 0x110 and rows[0].partner_ldev == 0x120 and rows[0].m == "W"
    assert rows[0].percent == 93  # 1 of 16 tracks differs
    rc, out, _ = run(r, "pairdisplay", "-g", "ORA_BC", "-l")
    assert rc == 0 and len(out.splitlines()) == 3
    assert "ORA_BC  data01(L)    (CL1-A-0, 0,   0-0 )64123   272.P-VOL PSUS,64123     288 W" in out


def test_pairevtwait_timeout_runs_simulated_time() -> None:
    world, xp, r = cci_world()
    run(r, "paircreate", "-g", "ORA_BC", "-vl")
    start = world.now()
    rc, _, err = run(r, "pairevtwait", "-g", "ORA_BC", "-s", "psus", "-t", "30")
    assert rc == 233 and "[EX_EWSTOT]" in err
    assert world.now() == pytest.approx(start + 30)
    assert xp.pair_state(P, 0) == "PAIR"  # the copy finished meanwhile


def test_pairevtwait_reports_suspension() -> None:
    world, xp, r = cci_world()
    run(r, "paircreate", "-g", "ORA_BC", "-vl")
    run(r, "pairsplit", "-g", "ORA_BC", "-E")
    rc, _, err = run(r, "pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "30")
    assert rc == 234 and "EX_EWSUSE" in err
    assert run(r, "pairevtwait", "-g", "ORA_BC", "-nowait")[0] == 5


@pytest.mark.rule("ARR-P9")
def test_refusals_exit_with_cci_codes_and_change_nothing() -> None:
    world, xp, r = cci_world()
    run(r, "paircreate", "-g", "ORA_BC", "-vl")
    run(r, "pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "600")
    run(r, "pairsplit", "-g", "ORA_BC", "-fq", "quick")  # PSUS(SP)
    before = snapshot(xp)
    rc, _, err = run(r, "pairsplit", "-g", "ORA_BC", "-S")
    assert rc == 221 and err.startswith("pairsplit: [EX_CMDRJE]")
    assert snapshot(xp) == before


@pytest.mark.parametrize(
    ("argv", "rc", "code"),
    [
        (["pairdisplay", "-g", "NOPE"], 239, "EX_ENOGRP"),
        (["pairdisplay", "-g", "ORA_BC", "-d", "nope"], 246, "EX_ENODEV"),
        (["pairdisplay", "-g", "ORA_BC", "-I7"], 255, "EX_COMERR"),
        (["pairsplit", "-g", "ORA_BC", "-bogus"], 252, "EX_UNWOPT"),
        (["pairsplit", "-g"], 254, "EX_REQARG"),
        (["paircreate", "-g", "ORA_BC"], 254, "EX_REQARG"),
        (["pairsplit", "-g", "ORA_BC"], 222, "EX_INVVOL"),
        (["pairresync", "-g", "ORA_BC"], 222, "EX_INVVOL"),
        (["raidvchkset", "-g", "ORA_BC"], 240, "EX_INVCMD"),
        (["pairevtwait", "-g", "ORA_BC", "-s", "pair"], 254, "EX_REQARG"),
        (["pairevtwait", "-g", "ORA_BC", "-s", "bogus", "-t", "1"], 253, "EX_INVARG"),
        (["pairsplit", "-g", "ORA_BC", "-R"], 248, "EX_OPTINV"),
        (["pairdisplay", "-g", "ORA_BC", "-IH0"], 235, "EX_EVOLCE"),
    ],
)
def test_errors(argv: list[str], rc: int, code: str) -> None:
    world, xp, r = cci_world()
    got_rc, out, err = r.run(argv)
    assert got_rc == rc and f"[{code}]" in err and out == ""


def test_mu_of_the_config_line_selects_the_pair() -> None:
    world, xp, r = cci_world()
    run(r, "paircreate", "-g", "ORA_B1", "-vl")  # 01:10 MU#1 -> 01:22
    assert xp.pair_state(P, 1) == "COPY(PD)" and xp.pair_state(P, 0) == "SMPL"
    assert xp.pairs[f"{P}/1"].svol == "01:22"


def test_paircreate_group_is_all_or_nothing() -> None:
    world, xp, r = cci_world()
    xp.paircreate("01:11", S3, 0)  # data02's P-VOL already pairs elsewhere on MU 0
    before = snapshot(xp)
    rc, _, err = run(r, "paircreate", "-g", "ORA_BC", "-vl")
    assert rc == 221
    assert snapshot(xp) == before


def test_quick_restore_by_env() -> None:
    world, xp, r = cci_world()
    r.cci.env["HORCC_REST"] = "QUICK"
    run(r, "paircreate", "-g", "ORA_BC", "-vl")
    run(r, "pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "600")
    run(r, "pairsplit", "-g", "ORA_BC")
    run(r, "pairevtwait", "-g", "ORA_BC", "-s", "psus", "-t", "60")
    data = xp.ldevs[S].data
    assert run(r, "pairresync", "-g", "ORA_BC", "-d", "data01", "-restore")[0] == 0
    assert xp.ldevs[P].data is data


def test_help() -> None:
    world, xp, r = cci_world()
    rc, out, _ = run(r, "pairdisplay", "-h")
    assert rc == 0 and "Usage" in out
