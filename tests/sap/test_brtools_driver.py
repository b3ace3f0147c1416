"""The real SAP driver (BR*Tools over the CommandRunner seam) against the simulator's
BR*Tools: what it sends, what it reads back (rc, BR messages, the detail log named in the
start message, SAP-1/SAP-2), and what it refuses."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from apprm_ref.errors import ConfigError
from apprm_ref.real.sap_brtools import BrToolsDriver, parse_result, read_profile

from .sap_lab import SapLab


class Recorded:
    """A plain CommandRunner (no in-process programs) replaying what the simulator's
    BR*Tools printed: the driver must read real output the same way."""

    def __init__(self, rc: int, out: str) -> None:
        self.rc, self.out = rc, out
        self.argv: list[Sequence[str]] = []

    def run(self, argv: Sequence[str]) -> tuple[int, str, str]:
        self.argv.append(list(argv))
        return self.rc, self.out, ""


def test_the_driver_reads_the_simulators_brbackup_output() -> None:
    lab = SapLab(profile={"backup_type": "online"})
    lab.work()
    sim = lab.brtools.brbackup(["-u", "/", "-c", "force", "-t", "online"], store=lab.store)
    assert sim.rc == 0 and sim.detail_log and sim.detail_log.endswith(".anf")
    assert "BR0052I BRBACKUP completed successfully" in sim.messages
    replay = Recorded(sim.rc, sim.output)
    real = BrToolsDriver("PRD", replay, lab.brtools.files, dict(lab.brtools.env))
    res = real.brbackup(["-u", "/", "-c", "force", "-t", "online"], store=lab.store)
    assert replay.argv == [["brbackup", "-u", "/", "-c", "force", "-t", "online"]]
    assert (res.rc, res.detail_log, res.messages) == (sim.rc, sim.detail_log, sim.messages)
    assert real.read_log(sim.detail_log) == lab.brtools.read_log(sim.detail_log)


def test_a_split_needs_brtools_that_call_back_in_process() -> None:
    lab = SapLab()
    real = BrToolsDriver("PRD", Recorded(0, ""), lab.brtools.files, dict(lab.brtools.env))
    with pytest.raises(ConfigError, match="call the product back"):
        real.brbackup(["-t", "online_split"], store=lab.store, split=lambda files: (0, ""))


def test_failed_runs_keep_their_rc_and_error_messages() -> None:
    lab = SapLab()
    res = lab.brtools.brrecover(["-u", "/", "-c", "force", "-t", "tspit"], store=lab.store)
    assert res.rc == 3 and not res.ok
    assert any(m.startswith("BR0156E") or m.startswith("BR0164E") for m in res.messages)
    assert parse_result(5, "BR0704I BRRECOVER terminated with errors\n", ["x"]).detail_log is None


def test_profile_lists_and_quotes_are_read() -> None:
    text = 'backup_type = online_split\nsplit_cmd = "/opt/omni/lbin/splitint $"\n'
    text += "archive_dupl_del = (/a,\n  /b)\n# comment = no\n"
    prof = read_profile(text)
    assert prof["split_cmd"] == "/opt/omni/lbin/splitint $"
    assert prof["archive_dupl_del"] == "(/a, /b)" and "comment" not in prof
