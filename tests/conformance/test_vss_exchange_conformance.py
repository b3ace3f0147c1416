"""WIRE-I5 for the VSS and Exchange drivers: the ``vss`` family on the simulator's door (both
VSS kinds) and on the real diskshadow driver over the simulator's runner, the ``exchange``
family on the simulator's door; with the backdoor and in observe-only mode."""

from __future__ import annotations

import pytest

from apprm_ref.conformance.runner import MIN_CHECKS, checks_for, note, run
from apprm_ref.conformance.subjects import SUBJECTS

VSS = ["sim-vss", "sim-mssql", "vss-diskshadow"]
# what a diskshadow script cannot serve: declared capabilities the real driver lacks
DISKSHADOW_SKIPS = {"metadata.wmd_xml", "backup.hold_visible", "backup.bcd"}


@pytest.mark.rule("WIRE-I5")
@pytest.mark.parametrize("observe_only", [False, True], ids=["backdoor", "observe-only"])
@pytest.mark.parametrize("name", [*VSS, "sim-exchange"])
def test_every_check_passes(name: str, observe_only: bool) -> None:
    subject = SUBJECTS[name](0)
    if observe_only:
        subject.backdoor = None  # real equipment: no ground truth at all
    results = run(subject, observe_only=observe_only)
    assert not [(r.id, r.detail) for r in results if r.outcome == "fail"]
    skipped = {r.id for r in results if r.outcome == "skip"}
    assert skipped == (DISKSHADOW_SKIPS if name == "vss-diskshadow" else set())
    assert all("capability not declared" in r.detail for r in results if r.outcome == "skip")


@pytest.mark.rule("WIRE-I5")
@pytest.mark.parametrize("kind", ["vss", "exchange"])
def test_small_families_say_why(kind: str) -> None:
    ids = [c.id for c in checks_for(kind)]
    assert 15 <= len(ids) < MIN_CHECKS and len(set(ids)) == len(ids)
    assert "Protocol" in note(kind) and "no reason" not in note(kind)


def test_a_diskshadow_component_the_writer_lacks_is_refused() -> None:
    (r,) = run(SUBJECTS["vss-diskshadow"](0), only="component.unknown")
    assert r.outcome == "pass", r.detail


def test_an_exchange_copy_suspended_by_the_operator_reads_suspended() -> None:
    """The door reports Suspend-StorageGroupCopy, not a backup's hold of the copy."""
    (r,) = run(SUBJECTS["sim-exchange"](0), only="copy.suspend_resume")
    assert r.outcome == "pass", r.detail
