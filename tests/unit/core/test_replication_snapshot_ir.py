"""EVA instant recovery through the orchestrator: switch of disks and copy-back."""

from __future__ import annotations

import pytest
from eva_lab import Lab

from apprm_ref.core.context import SessionContext
from apprm_ref.core.records import ReplicaStatus
from apprm_ref.core.replication.base import RestoreOptions
from apprm_ref.core.replication.snapshot import SnapshotReplication
from apprm_ref.core.replication.snapshot_restore import COPY_BACK_WAIT_SECONDS, check_restore
from apprm_ref.core.session import Session
from apprm_ref.errors import RecoveryError
from apprm_ref.idb.reconcile import reconcile
from apprm_ref.types import SessionStatus, SessionType, Severity


@pytest.fixture
def lab() -> Lab:
    return Lab()


def backed_up(lab: Lab, **replication) -> str:  # type: ignore[no-untyped-def]
    lab.spec(**replication)
    lab.write("v1")
    s = lab.backup()
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    lab.advance(3600)  # snapclones normalize
    return s.replica_id


@pytest.mark.rule("ARR-P4", "ARR-P5")
@pytest.mark.parametrize("kind", ["standard", "vsnap", "snapclone"])
@pytest.mark.parametrize("keep", [True, False])
def test_copy_back_restores_every_volume_of_the_group(lab, kind, keep):
    rid = backed_up(lab, snapshot_type=kind, replicas=2)
    at_backup = lab.content()
    lab.write("v2")  # both filesystems change; only /data is selected in the spec
    assert lab.content() != at_backup
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back", keep_replica=keep))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert lab.content() == at_backup  # /logs too: the whole volume group is restored
    rep = lab.repo.get_replica(rid)
    if keep:
        assert rep.status == ReplicaStatus.ACTIVE
        assert all(t.target.volume in lab.targets() for t in rep.targets)
        lab.advance(600)  # the first copy-back ends
        lab.write("v3")  # the kept replica still holds the original point in time
        s = lab.orch.restore(rid, RestoreOptions(method="copy-back", keep_replica=True))
        assert s.status == SessionStatus.COMPLETED and lab.content() == at_backup
    else:
        assert rep.status == ReplicaStatus.CONSUMED and lab.targets() == []
    assert reconcile(lab.repo.list_replicas(), lab.drivers.arrays) == []
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("ARR-P4", "ARR-P5")
def test_switch_makes_the_replica_the_source(lab):
    rid = backed_up(lab, snapshot_type="snapclone", replicas=2)
    at_v1 = lab.content()
    lab.write("v1b")
    newer = lab.backup().replica_id
    at_v1b = lab.content()
    lab.advance(3600)
    rep = lab.repo.get_replica(rid)
    wwns = {t.source.volume: lab.drv.volume_info(t.source.volume).wwn for t in rep.targets}
    luns = {d.wwn: d.lun for d in lab.hosts.host("app1").devices.values()}
    lab.write("v2")
    s = lab.orch.restore(rid, RestoreOptions(method="switch"))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert lab.content() == at_v1
    assert lab.repo.get_replica(rid).status == ReplicaStatus.CONSUMED
    for t in rep.targets:  # the former snapclone carries the source's identity
        info = lab.drv.volume_info(t.target.volume)
        assert info.wwn == wwns[t.source.volume] and info.role == "source"
        assert info.presented_to == ("app1",)
        assert t.source.volume not in [v.ref.volume for v in lab.drv.list_volumes()]
    assert {d.wwn: d.lun for d in lab.hosts.host("app1").devices.values()} == luns
    # the other snapclone replica now belongs to the recovered volumes
    other = lab.repo.get_replica(newer)
    assert {t.source.volume for t in other.targets} == {t.target.volume for t in rep.targets}
    assert reconcile(lab.repo.list_replicas(), lab.drivers.arrays) == []
    lab.write("v3")
    s = lab.orch.restore(newer, RestoreOptions(method="copy-back", keep_replica=True))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert lab.content() == at_v1b
    lab.advance(600)
    s = lab.backup()  # later sessions resolve the recovered volumes
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    assert lab.world.invariant_problems() == []


@pytest.mark.rule("ARR-P5")
def test_switch_retaining_the_source(lab):
    rid = backed_up(lab, snapshot_type="snapclone", retain_source_on_ir=True)
    before = {v.ref.volume for v in lab.drv.list_volumes() if v.role == "source"}
    s = lab.orch.restore(rid, RestoreOptions(method="switch"))
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    retained = [v for v in lab.drv.list_volumes() if v.ref.volume in before]
    assert len(retained) == 2 and all(
        v.presented_to == () and "retained" in v.details["name"] for v in retained
    )


@pytest.mark.parametrize(
    ("replication", "method", "code"),
    [
        ({"snapshot_type": "standard"}, "switch", "SWITCH_NEEDS_SNAPCLONE"),
        ({"snapshot_type": "vsnap"}, "teleport", "BAD_METHOD"),
    ],
)
def test_refused_ir_changes_nothing(lab, replication, method, code):
    rid = backed_up(lab, **replication)
    lab.write("v2")
    now_content, vols = lab.content(), lab.drv.list_volumes()
    s = lab.orch.restore(rid, RestoreOptions(method=method))
    assert s.status == SessionStatus.FAILED and code in lab.messages(s)
    assert "Dismounted" not in lab.messages(s)  # refused before the hosts were touched
    assert lab.content() == now_content and lab.drv.list_volumes() == vols
    assert lab.repo.get_replica(rid).status == ReplicaStatus.ACTIVE


def test_switch_refused_while_the_clone_normalizes():
    lab = Lab("64GiB")
    lab.spec(snapshot_type="snapclone")
    rid = lab.backup().replica_id
    s = lab.orch.restore(rid, RestoreOptions(method="switch"))
    assert s.status == SessionStatus.FAILED and "REPLICA_NORMALIZING" in lab.messages(s)
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back"))
    assert s.status == SessionStatus.FAILED and "REPLICA_NORMALIZING" in lab.messages(s)


@pytest.mark.rule("ARR-I17")
def test_ir_never_runs_with_sources_in_use(lab):
    rid = backed_up(lab, snapshot_type="vsnap")
    lab.write("v2")
    current = lab.content()
    lab.hosts.hold("app1", "/data")  # the application still has its files open
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back"))
    assert s.status == SessionStatus.FAILED and lab.content() == current
    # the method itself refuses while a source filesystem is mounted
    m = SnapshotReplication()
    spec = lab.repo.get_spec("fs")
    ctx = SessionContext(
        lab.world.env, lab.drivers, lab.repo, Session("x", SessionType.RESTORE, "fs", 0.0), spec
    )
    ctx.options = m.parse_options({"snapshot_type": "vsnap"}, spec_name="fs")
    with pytest.raises(RecoveryError) as info:
        check_restore(m, ctx, lab.repo.get_replica(rid), RestoreOptions())
    assert info.value.code == "SOURCE_MOUNTED"


@pytest.mark.rule("ARR-I15")
def test_untracked_replica_is_not_ir_capable(lab):
    rid = backed_up(lab, keep_for_ir=False)
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back"))
    assert s.status == SessionStatus.FAILED and "NOT_TRACKED" in lab.messages(s)


def test_backup_refused_while_a_copy_back_runs_changes_nothing(lab):
    rid = backed_up(lab, snapshot_type="vsnap", replicas=1)
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back", keep_replica=True))
    assert s.status == SessionStatus.COMPLETED
    s = lab.backup()  # the copy-back (about a minute) has not ended yet
    assert s.status == SessionStatus.FAILED and "RESTORE_IN_PROGRESS" in lab.messages(s)
    assert [r.id for r in lab.active()] == [rid]  # rotation did not run
    lab.advance(600)
    assert lab.backup().status == SessionStatus.COMPLETED


@pytest.mark.rule("ARR-P5", "REL-I1")
def test_copy_back_wait_is_bounded_and_leaves_the_replica_on_the_purge_list(lab):
    """A copy-back that outlasts the wait does not hold the session for ever: the sources
    already show the replica's data, the replica stays on the purge list (recorded before
    the copies started) and the array drops its targets when the copies end."""
    rid = backed_up(lab, snapshot_type="snapclone", replicas=2)
    at_backup = lab.content()
    lab.write("v2")
    size = lab.eva.vdisk(lab.repo.get_replica(rid).targets[0].source.volume).size_bytes
    lab.eva.timing.copy_back_bytes_per_s = size / (COPY_BACK_WAIT_SECONDS + 7200)
    start = lab.world.env.now
    s = lab.orch.restore(rid, RestoreOptions(method="copy-back"))
    waited = lab.world.env.now - start
    assert COPY_BACK_WAIT_SECONDS <= waited < COPY_BACK_WAIT_SECONDS + 3600, waited
    assert s.status == SessionStatus.COMPLETED, lab.messages(s)
    warned = [m for m in s.messages if m.severity == Severity.WARNING]
    assert [m.text[:38] for m in warned] == ["Copy-back still in progress after 24 h"]
    assert lab.content() == at_backup  # the data was there from the start
    assert lab.repo.get_replica(rid).status == ReplicaStatus.PURGE
    assert lab.targets() != []  # still copying
    lab.advance(2 * 3600)  # the copies end: the array deletes the targets
    assert lab.targets() == []
    assert lab.content() == at_backup
    lab.orch.purge()
    assert lab.repo.get_replica(rid).status == ReplicaStatus.DELETED
    assert reconcile(lab.repo.list_replicas(), lab.drivers.arrays) == []
    assert lab.world.invariant_problems() == []
