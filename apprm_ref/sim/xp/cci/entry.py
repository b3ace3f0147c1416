"""Console scripts: each RAID Manager command as the executable a host has on its PATH
(``/HORCM/usr/bin/pairdisplay`` ...), so a script written for a real host runs unchanged
against the lab named by ``APPRM_HOME`` / ``HORCMINST`` / ``HORCM_CONF``."""

from __future__ import annotations

import sys

from apprm_ref.sim.xp.cci.main import main


def _run(command: str) -> int:
    return main([command, *sys.argv[1:]])


def paircreate() -> int:
    return _run("paircreate")


def pairsplit() -> int:
    return _run("pairsplit")


def pairresync() -> int:
    return _run("pairresync")


def pairdisplay() -> int:
    return _run("pairdisplay")


def pairvolchk() -> int:
    return _run("pairvolchk")


def pairevtwait() -> int:
    return _run("pairevtwait")


def pairsyncwait() -> int:
    return _run("pairsyncwait")


def raidscan() -> int:
    return _run("raidscan")


def raidqry() -> int:
    return _run("raidqry")


def raidcom() -> int:
    return _run("raidcom")


def inqraid() -> int:
    return _run("inqraid")


def horcmstart() -> int:
    return _run("horcmstart.sh")


def horcmshutdown() -> int:
    return _run("horcmshutdown.sh")


def horcmgr() -> int:
    return _run("horcmgr")
