"""BRARCHIVE: functions and detail-log extensions of sap-vss-addendum.md SAP-12/SAP-2
(help.sap.com 4.70 .../0d/d30c844a0c11d182b80000e829fbfe), the arch<SID>.log entry per log
(SAP-4), and OS-I20: "The split mirror disks scenario only includes backups with BRBACKUP.
BRARCHIVE backups are not included" (help.sap.com saphelp_46c
.../0d/d311a44a0c11d182b80000e829fbfe)."""

from __future__ import annotations

import pytest
from sap_helpers import SPLIT_PROFILE, Sap, make_sap

from apprm_ref.sim.sap import textfiles

ARCH = ("-c", "-u", "/", "-d", "util_file")


def _archived(s: Sap, n: int = 2) -> list[str]:
    for _ in range(n):
        s.work(3)
        s.db.archive_log_current()
    return [a["name"] for a in s.db.cf["archives"]]


def test_save_then_delete_saved() -> None:
    s = make_sap()
    names = _archived(s)
    r = s.run("brarchive", *ARCH, "-s")
    assert r.rc == 0, r.out
    assert r.run.function == "sve" and r.run.action.startswith("a")
    assert s.backint.inputs[0] == names
    log = textfiles.read(s.world.hosts, "db1", "/oraarch/archPRD.log")
    assert "*TST0000001 " in log and f" {names[0]} " in log
    assert all(textfiles.exists(s.world.hosts, "db1", n) for n in names)
    again = s.run("brarchive", *ARCH, "-s")
    assert again.rc == 1 and "BR0013W" in again.out  # nothing new to save
    d = s.run("brarchive", *ARCH, "-ds")
    assert d.rc == 0 and d.run.function == "dsv"
    assert not any(textfiles.exists(s.world.hosts, "db1", n) for n in names)


def test_save_delete_and_second_copy() -> None:
    s = make_sap()
    names = _archived(s)
    assert s.run("brarchive", *ARCH, "-sc").rc == 1  # nothing saved once yet
    r = s.run("brarchive", *ARCH, "-ss")
    assert r.rc == 0 and r.run.function == "ssv" and len(s.backint.calls) == 2
    assert {f.copy for f in s.sap.archive_copies(s.db.cf["archives"][0]["seq"])} == {1, 2}
    names += _archived(s, 1)
    r = s.run("brarchive", *ARCH, "-sd")
    assert r.rc == 0 and r.run.function == "svd"
    assert not textfiles.exists(s.world.hosts, "db1", names[-1])
    assert textfiles.exists(s.world.hosts, "db1", names[0])  # -sd takes only unsaved logs


@pytest.mark.rule("OS-I20")
def test_brarchive_is_never_part_of_a_split() -> None:
    s = make_sap(profile=SPLIT_PROFILE)
    _archived(s)
    inside: list[object] = []
    real = s.split.run

    def split_then_archive(argv):  # type: ignore[no-untyped-def]
        if "splitint" in argv[0]:  # not during the resync, after the backup
            inside.append(s.run("brarchive", *ARCH, "-s"))
        return real(argv)

    s.runner.split.run = split_then_archive  # type: ignore[method-assign]
    r = s.run("brbackup", "-c", "-u", "/", "-t", "online_split", "-d", "util_file")
    assert r.rc == 0
    refused = inside[0]
    assert refused.rc == 3 and "BR0071E BRBACKUP currently running or was killed" in refused.out
    # the archives BRBACKUP's split run created are saved afterwards, from production
    after = s.run("brarchive", *ARCH, "-s")
    assert after.rc == 0, after.out
    assert all(c[c.index("-i") + 1].startswith("/oraarch/") for c in s.backint.calls[-1:])


@pytest.mark.rule("OS-I20")
def test_brarchive_saves_from_the_production_host_only() -> None:
    s = make_sap()
    _archived(s)
    s.world.hosts.add_host("bk1", role="backup")
    r = s.run("brarchive", *ARCH, "-s", host="bk1")
    assert r.rc == 3 and "BR0274E File /oraarch not found" in r.out
    assert not s.backint.calls


def test_brarchive_refuses_what_it_does_not_carry_out() -> None:
    s = make_sap()
    assert "BR0153E Unknown option '-f'" in s.run("brarchive", *ARCH, "-f").out
    assert "BR0153E Unknown option '-cds'" in s.run("brarchive", *ARCH, "-cds").out
    r = s.run("brarchive", *ARCH, "-s", "-sd")
    assert r.rc == 3 and "BR0154E" in r.out
