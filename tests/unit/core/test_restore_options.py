"""Each kind's restore options are its own model: an option of another kind is refused
with the list the kind has, before a session exists or anything changes (EXT-I3)."""

from __future__ import annotations

import pytest
from eva_lab import Lab

from apprm_ref.core.integrations.base import RecoveryOptions, recovery_options_for
from apprm_ref.core.integrations.oracle_recovery import OracleRecoveryOptions
from apprm_ref.core.replication.base import (
    RestoreOptions,
    SplitMirrorRestoreOptions,
    restore_options_for,
)
from apprm_ref.errors import ConfigError
from apprm_ref.types import SessionStatus


@pytest.fixture
def lab() -> Lab:
    return Lab()


@pytest.mark.rule("EXT-I3")
def test_eva_has_method_and_keep_replica_only(lab: Lab) -> None:
    opts = restore_options_for(lab.drv, {"method": "switch", "keep_replica": True})
    assert type(opts) is RestoreOptions and opts.keep_replica
    with pytest.raises(ConfigError) as err:
        restore_options_for(lab.drv, {"method": "switch", "retain_source": False})
    assert "array family 'eva' has no option 'retain_source'" in str(err.value)
    assert "it has: method, keep_replica" in str(err.value)


@pytest.mark.rule("EXT-I3")
def test_filesystem_has_no_recovery_option_and_oracle_has_its_own() -> None:
    assert type(recovery_options_for("filesystem", {})) is RecoveryOptions
    with pytest.raises(ConfigError) as err:
        recovery_options_for("filesystem", {"until": "scn", "scn": 5})
    assert "application 'filesystem' has no option 'scn', 'until'; it has: none" in str(err.value)
    ora = recovery_options_for("oracle", {"until": "scn", "scn": 5})
    assert ora == OracleRecoveryOptions(until="scn", scn=5)
    assert recovery_options_for("oracle", RecoveryOptions()) == OracleRecoveryOptions()


@pytest.mark.rule("EXT-I3")
def test_orchestrator_refuses_another_kinds_options_and_changes_nothing(lab: Lab) -> None:
    lab.spec(snapshot_type="snapclone")
    lab.write("v1")
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    lab.advance(3600)
    lab.write("v2")
    before, sessions = lab.content(), len(lab.repo.list_sessions())
    with pytest.raises(ConfigError, match="has no option 'retain_source'"):
        lab.orch.restore(s.replica_id, SplitMirrorRestoreOptions(method="copy-back"))
    with pytest.raises(ConfigError, match="application 'filesystem' has no option"):
        lab.orch.restore(s.replica_id, RestoreOptions(), OracleRecoveryOptions())
    assert lab.content() == before and len(lab.repo.list_sessions()) == sessions
