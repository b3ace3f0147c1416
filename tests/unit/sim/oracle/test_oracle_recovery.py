"""Media recovery after instant recovery of a hot-backup replica: exactly the commits below
the stop point, refusals where Oracle refuses (Hypothesis properties)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apprm_ref.drivers.oracle import RecoveryTarget as RT
from apprm_ref.errors import OracleError
from apprm_ref.sim.oracle.estate import Estate, build_estate
from apprm_ref.sim.oracle.models import Commit, fold
from apprm_ref.sim.storage import VolumeData


@dataclass
class Replica:
    copies: dict[str, VolumeData]
    begin: int  # V$BACKUP.CHANGE#
    end_marker: int  # SCN of the END BACKUP redo marker

    @property
    def min_recovery_scn(self) -> int:
        """Smallest UNTIL CHANGE that makes the copy consistent (exclusive bound, OS-I3)."""
        return self.end_marker + 1


def epochs(e: Estate, n: int, size: int = 6, switch_every: int = 3) -> None:
    for i in range(n):
        e.world.advance(10)
        e.db.workload(size)
        if switch_every and i % switch_every == switch_every - 1:
            e.db.archive_log_current()


def hot_backup(e: Estate, during: int = 2, *, ctlcp: str | None = None) -> Replica:
    """Online ZDB as AppRM does it: backup mode only around the replica instant."""
    e.db.archive_log_current()
    begin = e.db.begin_backup()
    if ctlcp:
        e.db.backup_controlfile(ctlcp, reuse=True)
    epochs(e, during, switch_every=0)
    copies = e.array.snap(["vdata"])
    epochs(e, during, switch_every=0)
    marker = e.db.end_backup()
    e.db.archive_log_current()
    return Replica(copies, begin, marker)


def restore(e: Estate, r: Replica, *, abort: bool = False) -> list[Commit]:
    history = list(e.db.history.commits)
    e.db.shutdown("ABORT" if abort else "IMMEDIATE")
    e.instant_recovery(r.copies)
    e.db.startup("MOUNT")
    return history


def incarnation(e: Estate) -> int:
    return len(e.db.cf["incarnations"])


@pytest.mark.rule("OS-P1")
@pytest.mark.rule("OS-I3")
@pytest.mark.rule("OS-I4")
@pytest.mark.rule("OS-I9")
@pytest.mark.rule("OS-P12")
@settings(max_examples=25)
@given(
    seed=st.integers(0, 10_000),
    pre=st.integers(1, 4),
    post=st.integers(0, 6),
    offset=st.integers(-40, 120),
    abort=st.booleans(),
)
def test_recover_until_scn_gives_exactly_commits_below(
    seed: int, pre: int, post: int, offset: int, abort: bool
) -> None:
    e = build_estate(seed)
    epochs(e, pre)
    r = hot_backup(e)
    epochs(e, post)
    history = restore(e, r, abort=abort)
    with pytest.raises(OracleError) as exc:
        e.db.open()
    assert exc.value.codes[:2] == ("ORA-01113", "ORA-01110")
    x = r.min_recovery_scn + offset
    inc = incarnation(e)
    if x >= r.min_recovery_scn:
        e.db.recover(RT.until_scn(x))
        with pytest.raises(OracleError) as exc:
            e.db.open()
        assert exc.value.code == "ORA-01589"
        e.db.open(resetlogs=True)
        assert e.db.data() == fold(history, x)
        assert incarnation(e) == inc + 1
    else:
        with pytest.raises(OracleError) as exc:
            e.db.recover(RT.until_scn(x))
        expected = "ORA-01152" if x <= r.begin else "ORA-01195"
        assert exc.value.codes[:3] == ("ORA-01547", expected, "ORA-01110")
        assert e.db.status == "MOUNTED"
        with pytest.raises(OracleError) as exc:
            e.db.open(resetlogs=True)
        assert exc.value.code == expected
        assert e.db.status == "MOUNTED"
    assert e.world.invariant_problems() == []


@pytest.mark.rule("OS-I9")
def test_until_change_of_a_commit_excludes_it() -> None:
    e = build_estate(3)
    epochs(e, 2)
    r = hot_backup(e)
    commits = e.db.workload(10)
    e.db.archive_log_current()
    history = restore(e, r)
    x = commits[4].scn
    e.db.recover(RT.until_scn(x))
    e.db.open(resetlogs=True)
    assert e.db.data() == fold(history, x)
    assert fold(history, x) != fold(history, x + 1)


@pytest.mark.rule("OS-P3")
@settings(max_examples=20)
@given(seed=st.integers(0, 10_000), post=st.integers(0, 8), abort=st.booleans())
def test_complete_recovery_loses_nothing(seed: int, post: int, abort: bool) -> None:
    e = build_estate(seed)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, post, switch_every=2)
    e.db.workload(4)  # committed, only in the current online log
    history = restore(e, r, abort=abort)
    inc = incarnation(e)
    result = e.db.recover(RT.now())
    assert result.complete
    with pytest.raises(OracleError) as exc:
        e.db.open(resetlogs=True)
    assert exc.value.code == "ORA-01139"
    e.db.open()
    assert e.db.data() == fold(history)
    assert incarnation(e) == inc
    assert e.world.invariant_problems() == []


@pytest.mark.rule("OS-P2")
@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), post=st.integers(3, 8), pick=st.integers(0, 100))
def test_recover_until_sequence(seed: int, post: int, pick: int) -> None:
    e = build_estate(seed)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, post, switch_every=1)
    archives = [a for a in e.db.cf["archives"] if a["first"] > r.end_marker]
    target = archives[pick % len(archives)]
    history = restore(e, r)
    e.db.recover(RT.until_sequence(target["seq"]))
    e.db.open(resetlogs=True)
    assert e.db.data() == fold(history, target["first"])
    assert e.db.cf["cur_seq"] == 1


@pytest.mark.rule("OS-I9")
def test_recover_until_time_is_exclusive() -> None:
    e = build_estate(5)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, 6, switch_every=2)
    history = restore(e, r)
    times = sorted({c.time for c in history if c.scn > r.end_marker})
    stop = times[len(times) // 2]
    e.db.recover(RT.until_time(e.world.clock.at(stop)))
    e.db.open(resetlogs=True)
    expected = [c for c in history if c.time < stop]
    assert e.db.data() == fold(expected)
    assert e.db.data() != fold([c for c in history if c.time <= stop])
    _ = timedelta


@pytest.mark.rule("OS-P4")
@pytest.mark.rule("OS-I14")
def test_recovery_with_backup_controlfile_needs_resetlogs() -> None:
    e = build_estate(11)
    epochs(e, 3)
    r = hot_backup(e, ctlcp="/oraarch/ctlcp.ctl")
    epochs(e, 5, switch_every=2)
    e.db.workload(3)
    history = restore(e, r, abort=True)
    e.db.shutdown("ABORT")
    # the current control files are lost: restore the copy taken before the replica
    e.db.startup("NOMOUNT")
    e.db.restore_controlfile("/oraarch/ctlcp.ctl")
    e.db.mount()
    assert e.db.cf["type"] == "BACKUP"
    inc = incarnation(e)
    with pytest.raises(OracleError) as exc:
        e.db.recover(RT.now())
    assert exc.value.code == "ORA-01610"
    e.db.recover(RT.until_cancel(), using_backup_controlfile=True)
    with pytest.raises(OracleError) as exc:
        e.db.open()
    assert exc.value.code == "ORA-01589"
    e.db.open(resetlogs=True)
    assert e.db.data() == fold(history)
    assert incarnation(e) == inc + 1
    current = [g for g in e.db.cf["groups"].values() if g["status"] == "CURRENT"]
    assert [g["seq"] for g in current] == [1]
    assert e.world.invariant_problems() == []


@pytest.mark.rule("OS-P5")
@settings(max_examples=15)
@given(seed=st.integers(0, 10_000), which=st.integers(0, 100))
def test_missing_archived_log(seed: int, which: int) -> None:
    e = build_estate(seed)
    epochs(e, 2)
    r = hot_backup(e, during=2)
    epochs(e, 6, switch_every=1)
    online = {g["seq"] for g in e.db.cf["groups"].values()}  # an online copy would be used
    needed = [a for a in e.db.cf["archives"] if a["next"] > r.begin and a["seq"] not in online]
    lost = needed[which % len(needed)]
    history = restore(e, r)
    e.db.damage_archived_log(lost["seq"])
    with pytest.raises(OracleError) as exc:
        e.db.recover(RT.now())
    assert exc.value.codes[:2] == ("ORA-00283", "ORA-00308")
    assert lost["name"] in str(exc.value)
    if lost["first"] <= r.end_marker:  # gap before the end-of-backup marker: unusable
        with pytest.raises(OracleError) as exc:
            e.db.recover(RT.until_cancel())
        assert exc.value.codes[:2] == ("ORA-01547", "ORA-01195")
        with pytest.raises(OracleError):
            e.db.open(resetlogs=True)
        assert e.db.status == "MOUNTED"
    else:
        e.db.recover(RT.until_cancel())
        e.db.open(resetlogs=True)
        assert e.db.data() == fold(history, lost["first"])


@pytest.mark.rule("OS-P11")
def test_resetlogs_misuse() -> None:
    e = build_estate(2)
    epochs(e, 3)
    r = hot_backup(e)
    epochs(e, 3)
    restore(e, r)
    e.db.recover(RT.now())
    with pytest.raises(OracleError) as exc:
        e.db.open(resetlogs=True)
    assert exc.value.code == "ORA-01139"
    e.db.open()
    e.db.shutdown("IMMEDIATE")
    e.instant_recovery(r.copies)
    e.db.startup("MOUNT")
    e.db.recover(RT.until_scn(r.min_recovery_scn + 3))
    with pytest.raises(OracleError) as exc:
        e.db.open()
    assert exc.value.code == "ORA-01589"
    with pytest.raises(OracleError) as exc:
        e.db.open(resetlogs=False)
    assert exc.value.code == "ORA-01588"
    e.db.open(resetlogs=True)


@pytest.mark.rule("OS-I6")
def test_resetlogs_new_incarnation_and_old_copies_refused() -> None:
    e = build_estate(4)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, 3)
    restore(e, r)
    e.db.recover(RT.until_scn(r.min_recovery_scn + 2))
    e.db.open(resetlogs=True)
    assert e.db.cf["cur_seq"] == 1
    assert len({a["rl_id"] for a in e.db.cf["archives"]}) == 1
    epochs(e, 3)
    e.db.shutdown("IMMEDIATE")
    e.instant_recovery(r.copies)  # a copy from before the RESETLOGS
    e.db.startup("MOUNT")
    with pytest.raises(OracleError) as exc:
        e.db.recover(RT.now())
    assert exc.value.code == "ORA-01190"


@pytest.mark.rule("OS-P18")
def test_same_ir_twice_gives_identical_headers() -> None:
    e = build_estate(9)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, 3)

    def headers() -> list[Any]:
        return [e.db.read_block(f["name"], 0) for _, f in sorted(e.db.cf["files"].items())]

    restore(e, r)
    first = headers()
    e.db.recover(RT.now())
    e.db.open()
    epochs(e, 2)
    restore(e, r)
    assert headers() == first


@pytest.mark.rule("OS-I5")
def test_plain_open_requires_current_headers() -> None:
    e = build_estate(6)
    epochs(e, 2)
    r = hot_backup(e)
    epochs(e, 2)
    restore(e, r)
    with pytest.raises(OracleError) as exc:
        e.db.open()
    assert exc.value.code == "ORA-01113"
    e.db.recover(RT.now())
    e.db.open()


@pytest.mark.rule("OS-P12")
@pytest.mark.rule("OS-I4")
def test_target_before_the_replica_checkpoint_gives_01152_and_stays_mounted() -> None:
    e = build_estate(12)
    epochs(e, 3)
    r = hot_backup(e)
    epochs(e, 2)
    restore(e, r)
    with pytest.raises(OracleError) as exc:
        e.db.recover(RT.until_scn(r.begin - 5))
    assert exc.value.codes == ("ORA-01547", "ORA-01152", "ORA-01110")
    assert e.db.status == "MOUNTED"
    with pytest.raises(OracleError) as exc:
        e.db.open(resetlogs=True)
    assert exc.value.codes == ("ORA-01152", "ORA-01110")
    assert e.db.status == "MOUNTED"
