"""The instant-recovery layout check applies only when the spec tracks the replica for
instant recovery (OPS-I4): a control file sharing a datafile's volume matters only to an
instant recovery, which would revert it too (OS-I11)."""

from __future__ import annotations

import pytest
from oracle_lab import OracleLab

from apprm_ref.types import SessionStatus


def _spec(lab: OracleLab, name: str, *, track: bool, check_order: str) -> None:
    lab.spec(name, replication={"keep_for_ir": track}, check_order=check_order)


@pytest.mark.rule("OPS-I4")
@pytest.mark.parametrize("check_order", ["before", "after"])
def test_layout_check_only_when_tracked_for_ir(check_order: str) -> None:
    lab = OracleLab(colocate="controlfile")
    _spec(lab, "untracked", track=False, check_order=check_order)
    ok = lab.backup("untracked")
    assert ok.status == SessionStatus.COMPLETED, lab.messages(ok)
    assert "ZDB_ORA_CHECKCONF_IR" not in lab.messages(ok)
    (replica,) = lab.active("untracked")
    assert not replica.tracked
    _spec(lab, "tracked", track=True, check_order=check_order)
    failed = lab.backup("tracked")
    assert failed.status == SessionStatus.FAILED
    assert "ZDB_ORA_CHECKCONF_IR" in lab.messages(failed)
    assert lab.active("tracked") == []
    assert lab.db.status == "OPEN" and lab.db.backup_files() == {}
