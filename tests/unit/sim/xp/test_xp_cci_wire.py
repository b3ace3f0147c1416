"""The CCI door speaks RAID Manager as real hosts use it (WIRE-I3, WIRE-I2): the console
commands on PATH acting on a lab, the invocation forms of captured scripts, the HORCM
instance lifecycle, and the output layouts of public samples, byte for byte.

Samples: gdha, "BC-exec.sh Workflows in action" (``horcmstart.sh 5`` output and the
``pairevtwait -IBC6 ... -s psus -ss ssus`` invocation); miquelMariano/xorux_config README
(``raidqry -l``); OpenStack Cinder HBSD unit tests (``raidcom get ldev``,
``raidqry -h`` ``Ver&Rev``); pastebin.com/FJqYmfxh (``inqraid -CLI``);
sodafoundation/delfin Hitachi constants (``horcmshutdown.sh``, already-running message).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from xp_helpers import CONF0, CONF1, P, cci_world, lab_state, store_lab, stored_world

from apprm_ref.sim.xp.cci.horcm import parse_horcm
from apprm_ref.sim.xp.cci.inventory import INQRAID_HEAD, RAIDQRY_HEAD, raidqry_row
from apprm_ref.sim.xp.cci.raidcom import ldev_lines

BIN = Path(sys.executable).parent


def _lab(tmp_path: Path) -> Path:
    world, _, _ = cci_world()
    world.hosts.add_host("app")
    world.hosts.rescan("app")
    (tmp_path / "horcm0.conf").write_text(CONF0)
    (tmp_path / "horcm1.conf").write_text(CONF1)
    return store_lab(tmp_path, world)


def _sh(home: Path, *argv: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "APPRM_HOME": str(home), "HORCMINST": "0", "HORCC_MRCF": "1"}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        list(argv), capture_output=True, text=True, env=env, input=stdin, check=False
    )


@pytest.mark.rule("WIRE-I3")
@pytest.mark.rule("WIRE-I2")
def test_a_split_script_runs_unchanged_on_the_console_commands(tmp_path: Path) -> None:
    home = _lab(tmp_path)
    assert _sh(home, "horcmshutdown.sh", "0", "1").stdout == (
        "inst 0:\nHORCM Shutdown inst 0 !!!\ninst 1:\nHORCM Shutdown inst 1 !!!\n"
    )
    down = _sh(home, "pairdisplay", "-IBC0", "-g", "ORA_BC")
    assert down.returncode == 255 and "[EX_COMERR]" in down.stderr and down.stdout == ""
    start = _sh(home, "horcmstart.sh", "0")
    assert start.stdout == "starting HORCM inst 0\nHORCM inst 0 starts successfully.\n"
    half = _sh(home, "pairdisplay", "-g", "ORA_BC")  # the partner instance is still down
    assert half.returncode == 242 and "[EX_ENORMT]" in half.stderr
    assert _sh(home, "horcmstart.sh", "1").returncode == 0
    again = _sh(home, "horcmstart.sh", "1")
    assert (again.returncode, again.stdout) == (1, "HORCM inst 1 has already been running.\n")
    assert (home / "horcm.run").read_text() == "0\n1\n"
    for argv in (
        ["paircreate", "-IBC0", "-g", "ORA_BC", "-vl"],
        ["pairevtwait", "-IBC0", "-g", "ORA_BC", "-t", "3600", "-s", "pair", "-ss", "pair"],
        ["pairsplit", "-IBC0", "-g", "ORA_BC"],
        ["pairevtwait", "-IBC0", "-g", "ORA_BC", "-t", "300", "-s", "psus", "-ss", "ssus"],
    ):
        done = _sh(home, *argv)
        assert done.returncode == 0, (argv, done.stderr)
    assert done.stdout == "pairevtwait : Wait status done.\n"
    shown = _sh(home, "pairdisplay", "-IBC0", "-g", "ORA_BC", "-fcx").stdout.splitlines()
    assert shown[1].endswith("110.P-VOL PSUS,  100     120 W")  # W right after the split
    assert shown[2].endswith("120.S-VOL SSUS,  100     110 -")
    chk = _sh(home, "pairvolchk", "-ISI0", "-g", "ORA_BC", "-s")
    assert chk.returncode == 24 and chk.stdout == "pairvolchk : Volstat is P-VOL.[status = PSUS ]\n"
    assert _sh(home, "horcmgr", "-check").returncode == 1


@pytest.mark.rule("WIRE-I3")
def test_instance_options_and_the_serial_ldev_form(tmp_path: Path) -> None:
    home = _lab(tmp_path)
    for flag in ("-I6", "-IBC6", "-ICA6", "-IM6", "-ISI6"):
        got = _sh(home, "pairdisplay", "-g", "ORA_BC", flag)  # parsed; instance 6 has no HORCM
        assert got.returncode == 255 and "[EX_COMERR]" in got.stderr, flag
    assert _sh(home, "pairdisplay", "-g", "ORA_BC", "-ICA").returncode == 235  # CA mode: no fit
    assert _sh(home, "paircreate", "-IBC", "-d", "64123", "272", "0", "-vl").returncode == 0
    one = _sh(home, "pairdisplay", "-d", "64123", "0x110", "0", "-CLI", "-l")
    assert one.stdout.splitlines()[1].split()[:2] == ["ORA_BC", "data01"]
    group = _sh(home, "pairdisplay", "-dg", "64123", "272", "-CLI", "-l")
    assert [ln.split()[1] for ln in group.stdout.splitlines()[1:]] == ["data01", "data02"]
    by_file = _sh(home, "pairdisplay", "-d", "/dev/dsk/c0", "-CLI", "-l")
    assert by_file.returncode == 0 and " 272 P-VOL COPY " in by_file.stdout
    fd = _sh(home, "pairdisplay", "-g", "ORA_BC", "-fd", "-CLI", "-l").stdout.splitlines()
    assert fd[0] == "Group PairVol L/R Device_File M Seq# LDEV# P/S Status Seq# P-LDEV# M"
    assert fd[1].split()[3] == "c0"


@pytest.mark.rule("WIRE-I3")
@pytest.mark.rule("REL-I4")
@pytest.mark.parametrize(
    "argv",
    [
        ["pairdisplay", "-g", "ORA_BC", "-fe"],  # -fe is built for CA groups only
        ["pairdisplay", "-g", "ORA_BC", "-fde"],
        ["pairdisplay", "-g", "ORA_BC", "-m", "all"],
        ["pairdisplay", "-g", "ORA_BC", "-m", "cas"],
        ["pairdisplay", "-g", "ORA_BC", "-v", "jnl"],
        ["pairdisplay", "-g", "ORA_BC", "-fcd"],
        ["paircreate", "-g", "ORA_BC", "-vl", "-m", "grp"],
        ["paircreate", "-g", "ORA_BC", "-vl", "-nocopy"],
        ["pairsplit", "-g", "ORA_BC", "-P"],
        ["pairsplit", "-g", "ORA_BC", "-C", "3"],
        ["raidcom", "get", "copy_grp"],
    ],
)
def test_options_the_door_does_not_implement_are_refused(tmp_path: Path, argv: list[str]) -> None:
    home = _lab(tmp_path)
    before = lab_state(home)
    got = _sh(home, *argv)
    assert got.returncode == 252 and "[EX_UNWOPT]" in got.stderr and got.stdout == ""
    assert lab_state(home) == before


@pytest.mark.rule("WIRE-I3")
def test_raidqry_and_raidcom_layouts(tmp_path: Path) -> None:
    sample = (  # xorux_config README: raidqry -l -I300
        "  No  Group    Hostname     HORCM_ver   Uid   Serial#   Micro_ver     Cache(MB)\n"
        "   1    ---   localhost   01-35-03-08     0   471234    83-01-28/00      320000\n"
    )
    row = raidqry_row(1, "---", "localhost", "01-35-03-08", 0, 471234, "83-01-28/00", 320000)
    assert f"{RAIDQRY_HEAD}\n{row}\n" == sample
    home = _lab(tmp_path)
    assert "Ver&Rev: 01-24-03/03" in _sh(home, "raidqry", "-h").stdout
    ldev = _sh(home, "raidcom", "get", "ldev", "-ldev_id", "272", "-IM0").stdout
    keys = [ln.partition(" :")[0] for ln in ldev.splitlines()]
    cinder = ["Serial#", "LDEV", "SL", "CL", "VOL_TYPE", "VOL_Capacity(BLK)", "NUM_LDEV",
              "LDEVs", "NUM_PORT", "PORTs", "F_POOLID", "VOL_ATTR", "RAID_LEVEL", "RAID_TYPE",
              "NUM_GROUP", "RAID_GROUPs", "DRIVE_TYPE", "DRIVE_Capa", "LDEV_NAMING", "STS",
              "OPE_TYPE", "OPE_RATE", "MP#", "SSID"]  # fmt: skip
    assert [k.strip() for k in keys] == cinder
    assert ldev.startswith("Serial#  : 64123\nLDEV : 272\n") and "RAID_LEVEL  : RAID5\n" in ldev
    assert "VOL_Capacity(BLK) : 32768\n" in ldev and "PORTs : CL1-A-0 0 app\n" in ldev
    world = stored_world(home)
    assert dict(ldev_lines(world.array("xp1"), 0x777))["VOL_TYPE"] == "NOT DEFINED"
    hexa = _sh(home, "raidcom", "get", "ldev", "-ldev_id", "01:10", "-fx").stdout
    assert "\nLDEV : 110\n" in hexa
    assert _sh(home, "raidcom", "get", "ldev", "-ldev_id", "272", "-cnt", "0").returncode == 253


@pytest.mark.rule("WIRE-I3")
def test_inqraid_and_raidscan_cli(tmp_path: Path) -> None:
    home = _lab(tmp_path)
    got = _sh(home, "inqraid", "-CLI", stdin="/dev/dsk/c0\n/dev/dsk/c1\n/dev/null\n")
    assert got.stdout.splitlines() == [
        INQRAID_HEAD,  # pastebin.com/FJqYmfxh header
        "c0 CL1-A 64123 272 - s/s/ss 0005 5:01-01 OPEN-V",
        "c1 CL1-A 64123 273 - s/s/ss 0005 5:01-01 OPEN-V",
        "null - - - - - - - -",
    ]
    assert _sh(home, "inqraid").returncode == 252  # only the -CLI layout is implemented
    scan = _sh(home, "raidscan", "-p", "CL1-A", "-CLI", "-ITC0").stdout.splitlines()
    assert scan[0] == "PORT# /ALPA/C TID# LU# Seq# Num LDEV# P/S Status Fence E-Seq# E-LDEV#"
    assert scan[1] == "CL1-A-0 ef 0 0 0 64123 1 272 SMPL - - - -"


@pytest.mark.rule("WIRE-I3")
def test_horcm_conf_ipcmd_h_mu_and_vcmd() -> None:
    conf = parse_horcm(
        "HORCM_MON\nlocalhost 31000 1000 3000\nHORCM_CMD\n\\\\.\\IPCMD-172.16.25.11-31001\n"
        "HORCM_VCMD\n412345\nHORCM_LDEV\nUR dev1 64123 01:10 h1\nSI dev2 64123 01:11 2\n"
    )
    assert conf.cmd_serials() == [] and conf.ip_cmds() == [("172.16.25.11", 31001)]
    assert conf.vcmd == [412345]
    assert [(d.mu, d.horc_mu) for d in conf.devs] == [(None, 1), (2, None)]
    assert P == "01:10"


@pytest.mark.rule("WIRE-I3")
def test_percent_is_concordance_and_the_interval_is_the_polling_step() -> None:
    world, xp, r = cci_world()
    r.run(["paircreate", "-g", "ORA_BC", "-vl"])
    assert r.run(["pairevtwait", "-g", "ORA_BC", "-s", "pair", "-t", "3600", "7"])[0] == 0
    assert world.now() % 7 == 0  # returned at a poll, not at the copy's end
    r.run(["pairsplit", "-g", "ORA_BC", "-d", "data01"])
    r.run(["pairevtwait", "-g", "ORA_BC", "-d", "data01", "-s", "psus", "-t", "60"])
    xp.block_write(P, {t: "new" for t in range(4)})  # 4 of 16 tracks differ
    row = lambda: r.run(["pairdisplay", "-g", "ORA_BC", "-d", "data01", "-fc", "-CLI", "-l"])[1]  # noqa: E731
    assert row().splitlines()[1].split()[11] == "75"
    r.run(["pairresync", "-g", "ORA_BC", "-d", "data01"])
    pair = xp.pairs[f"{P}/0"]
    world.clock.run_until((pair.copy_started_at + pair.copy_done_at) / 2)
    assert row().splitlines()[1].split()[10:12] == ["COPY", "87"]  # 2 tracks still to copy
