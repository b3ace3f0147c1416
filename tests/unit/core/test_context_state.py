"""Per-session state is typed: one instance of each state class per session, made on first
use, so what ``check`` settles is what ``create`` reads and no two sessions share it."""

from __future__ import annotations

from typing import Any, cast

import simpy

from apprm_ref.core.context import SessionContext
from apprm_ref.core.integrations.oracle import OracleSessionState
from apprm_ref.core.replication.snapshot import SnapshotSessionState
from apprm_ref.core.replication.split_mirror import SplitMirrorSessionState
from apprm_ref.core.session import Session
from apprm_ref.drivers.driverset import DriverSet
from apprm_ref.types import ReplicaType, SessionType


def _ctx(env: simpy.Environment, n: int) -> SessionContext:
    session = Session(id=f"2008/03/03-{n}", type=SessionType.BACKUP, spec="fs", started=0.0)
    return SessionContext(env, DriverSet(arrays={}, host=cast(Any, None)), cast(Any, None), session)


def test_state_is_made_once_per_session_and_kind() -> None:
    env = simpy.Environment()
    one, two = _ctx(env, 1), _ctx(env, 2)
    assert one.state(SnapshotSessionState).replica_type is None
    one.state(SnapshotSessionState).replica_type = ReplicaType.SNAPCLONE
    assert one.state(SnapshotSessionState).replica_type is ReplicaType.SNAPCLONE
    assert two.state(SnapshotSessionState).replica_type is None  # not shared
    xp = one.state(SplitMirrorSessionState)
    xp.create["p"] = "s"
    assert one.state(SplitMirrorSessionState) is xp
    assert two.state(SplitMirrorSessionState).create == {}  # no shared default
    assert one.state(OracleSessionState).kept == [] and one.state(OracleSessionState).layout is None
    assert set(one.states) == {SnapshotSessionState, SplitMirrorSessionState, OracleSessionState}
