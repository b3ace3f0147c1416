"""BR*Tools logs: detail-log names, summary-log lines, and writing both on the SAP host.

Detail log ``<action>.<function>`` (help.sap.com "Names of the BRBACKUP Detail Logs",
saphelp_nwpi71 .../47/204b5bc4091149e10000000a11466f; sap-vss-addendum.md SAP-2): for
BRBACKUP the function is ``xyz`` with x = a (all, all_data) | p (partial) | f (full) |
i (incr), y = n (online types) | f (offline types), z = the device (t tape, d disk, p pipe,
f util_file[_online], v util_vol[_online], s stage, r RMAN); ``.anf`` is a whole online
backup through BACKINT. Summary logs (SAP-4): one line per run, rc 9 while the run is going
and 0-6 once it ended (SAP-1); times ``yyyy-mm-dd hh.mi.ss``. The field order of
``back<SID>.log`` is not published (SAP-4 "I"); the one used is the addendum's proposal.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.sim.sap import textfiles
from apprm_ref.sim.sap.messages import VERSION
from apprm_ref.sim.sap.system import Run, SapSystem

ONLINE_TYPES = ("online", "online_cons", "online_split", "online_mirror", "online_standby",
                "oncons_split", "oncons_mirror")  # fmt: skip
_DEVICE_LETTER = {
    "tape": "t", "tape_auto": "t", "tape_box": "t", "disk": "d", "disk_copy": "d",
    "disk_standby": "d", "pipe": "p", "pipe_auto": "p", "pipe_box": "p", "util_file": "f",
    "util_file_online": "f", "util_vol": "v", "util_vol_online": "v", "stage": "s",
    "stage_copy": "s", "stage_standby": "s", "rman_util": "r", "rman_disk": "r",
    "rman_stage": "r",
}  # fmt: skip


def backup_function(mode: str, backup_type: str, device: str) -> str:
    """The BRBACKUP detail-log extension for one run (OS-I21)."""
    x = {"all": "a", "all_data": "a", "full": "f", "incr": "i"}.get(mode, "p")
    y = "n" if backup_type in ONLINE_TYPES else "f"
    return x + y + _DEVICE_LETTER[device]


def stamp(world: Any, at: float | None = None) -> str:
    when = world.clock.at(world.now() if at is None else at)
    return when.strftime("%Y-%m-%d %H.%M.%S")


def summary_line(world: Any, run: Run, extra: str) -> str:
    end = "----------- --.--.--" if run.end is None else stamp(world, run.end)
    return f"{run.action} {run.function} {stamp(world, run.start)} {end} {run.rc} {extra} {VERSION}"


def _replace_line(text: str, action: str, line: str) -> str:
    lines = [ln for ln in text.splitlines() if not ln.startswith(f"{action} ")]
    return "".join(f"{ln}\n" for ln in [*lines, line])


def write_summary(sap: SapSystem, run: Run, extra: str, host: str | None = None) -> None:
    """Add or update the run's line in its tool's summary log (on the host the tool runs
    on, the SAP host by default)."""
    path = sap.summary_log(run.tool)
    hosts, host = sap.world.hosts, host or sap.host
    text = textfiles.read(hosts, host, path) or ""
    textfiles.write(
        hosts, host, path, _replace_line(text, run.action, summary_line(sap.world, run, extra))
    )


def write_detail(sap: SapSystem, run: Run, text: str, host: str | None = None) -> None:
    textfiles.write(sap.world.hosts, host or sap.host, run.log, text)


def read_detail(sap: SapSystem, name: str, host: str | None = None) -> str | None:
    """A detail log by name (``bdaaaaab.anf``) or path."""
    path = name if "/" in name else f"{sap.sapbackup}/{name}"
    return textfiles.read(sap.world.hosts, host or sap.host, path)
