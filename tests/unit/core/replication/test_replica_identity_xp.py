"""XP replica identity (REL-I6): every out-of-band change the arrays allow to a tracked
replica's targets is detected by ``replicas check`` and refuses instant recovery before
anything changes; an untouched replica passes both.

The changes are the pair commands RAID Manager accepts on a split (PSUS) pair: pairresync,
pairresync -restore and pairsplit -S ("RAID Manager pair command results", Hitachi VSP
G/F series manual, chdbicah.html), then a re-split or re-create; plus pairsplit -E, which
this project's arrays.md 3.3 allows in any paired state.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from xp_estate import SOURCES, make_estate, svol

from apprm_ref.errors import XpError
from apprm_ref.idb.reconcile import CHANGED, reconcile
from apprm_ref.types import SessionStatus

# --- XP: every out-of-band pair command on the replica's MU ------------------------------


def _pairs(mu: int = 0) -> list[tuple[str, int]]:
    return [(s, mu) for s in SOURCES]


def _resync_resplit(xp: Any, world: Any) -> None:
    xp.pairresync(_pairs())
    world.advance(600)
    xp.pairsplit(_pairs())
    world.advance(600)


def _quick_resync_resplit(xp: Any, world: Any) -> None:
    """Quick resync and a quick split the moment the pairs are PAIR again."""
    done = xp.pairresync(_pairs(), quick=True)
    world.advance(done - world.now())
    xp.pairsplit(_pairs(), quick=True)
    world.advance(600)


def _restore_by_hand(xp: Any, world: Any) -> None:
    """The other MUs split first (the array restores only then), then MU 0 reversed."""
    xp.pairsplit(_pairs(1) + _pairs(2))
    world.advance(600)
    xp.pairresync(_pairs(), restore=True)
    world.advance(600)


def _delete_recreate_split(xp: Any, world: Any) -> None:
    xp.pairdelete(_pairs())
    world.advance(60)
    for src in SOURCES:
        xp.paircreate(src, svol(src, 0), 0, split=True)
    world.advance(3600)


XP_CHANGES: dict[str, Callable[[Any, Any], None]] = {
    "resync": lambda xp, world: (xp.pairresync(_pairs()), world.advance(600)),
    "resync and re-split": _resync_resplit,
    "quick resync and quick re-split": _quick_resync_resplit,
    "reverse resync (restore) by hand": _restore_by_hand,
    "suspend (pairsplit -E)": lambda xp, world: (xp.pairsuspend(_pairs()), world.advance(60)),
    "pair delete (pairsplit -S)": lambda xp, world: (xp.pairdelete(_pairs()), world.advance(60)),
    "pair delete, re-create and split": _delete_recreate_split,
}


def _xp_after_backup():  # type: ignore[no-untyped-def]
    est = make_estate({"mu": "0-1"})
    est.write("v1")
    assert est.backup().status == SessionStatus.COMPLETED
    est.advance()
    (rep,) = est.active()
    assert rep.mu == 0 and all(t.identity for t in rep.targets)
    return est, rep


def _check_xp(est, rep) -> list[Any]:  # type: ignore[no-untyped-def]
    return [
        f
        for f in reconcile(est.repo.list_replicas(), est.orch.drivers.arrays)
        if f.kind == CHANGED and f.replica_id == rep.id
    ]


@pytest.mark.rule("REL-I6")
@pytest.mark.parametrize("change", sorted(XP_CHANGES))
def test_every_out_of_band_xp_change_is_detected_and_refuses_ir(change: str) -> None:
    est, rep = _xp_after_backup()
    XP_CHANGES[change](est.xp, est.world)
    est.write("v2")  # what the application holds when the restore is asked for
    found = _check_xp(est, rep)
    assert found, f"{change}: replicas check saw nothing"
    before, commands = est.read(), est.xp.pair_commands
    states = [est.state(s, 0) for s in SOURCES]
    session = est.orch.restore(rep.id)
    assert session.status == SessionStatus.FAILED
    assert any(m.code == "REPLICA_IDENTITY" for m in session.messages), session.messages
    assert est.read() == before and est.xp.pair_commands == commands
    assert [est.state(s, 0) for s in SOURCES] == states
    assert "/data" in est.world.hosts.host("app").mounts


@pytest.mark.rule("REL-I6")
def test_untouched_xp_replica_passes_check_and_restores_its_own_instant() -> None:
    est, rep = _xp_after_backup()
    backed_up = est.read()
    est.xp.pairresync(_pairs(1))  # another MU, not the replica's: no effect on it
    est.advance(600)
    est.write("v2")
    assert _check_xp(est, rep) == []
    session = est.orch.restore(rep.id)
    assert session.status == SessionStatus.COMPLETED, session.messages
    assert est.read() == backed_up


@pytest.mark.rule("REL-I6")
def test_xp_replica_kept_after_ir_records_its_new_split() -> None:
    from apprm_ref.core.replication.base import RestoreOptions

    est, rep = _xp_after_backup()
    backed_up = est.read()
    est.write("v2")
    opts = RestoreOptions(method="normal", keep_replica=True)
    assert est.orch.restore(rep.id, opts).status == SessionStatus.COMPLETED
    (kept,) = est.active()
    assert kept.targets[0].identity != rep.targets[0].identity  # re-split by the IR itself
    assert _check_xp(est, kept) == []
    est.write("v3")
    assert est.orch.restore(kept.id, opts).status == SessionStatus.COMPLETED
    assert est.read() == backed_up


# --- any sequence of pair commands: detected exactly when one changed the replica's MU ------

OPS = ("resync", "resync-quick", "restore", "split", "split-quick", "delete", "suspend", "create")


def _apply(est, op: str, mu: int) -> None:  # type: ignore[no-untyped-def]
    xp, pairs = est.xp, _pairs(mu)
    calls: dict[str, Callable[[], Any]] = {
        "resync": lambda: xp.pairresync(pairs),
        "resync-quick": lambda: xp.pairresync(pairs, quick=True),
        "restore": lambda: xp.pairresync(pairs, restore=True),
        "split": lambda: xp.pairsplit(pairs),
        "split-quick": lambda: xp.pairsplit(pairs, quick=True),
        "delete": lambda: xp.pairdelete(pairs),
        "suspend": lambda: xp.pairsuspend(pairs),
        "create": lambda: xp.paircreate_many([(s, svol(s, mu), mu) for s in SOURCES]),
    }
    calls[op]()


@pytest.mark.rule("REL-I6")
@given(
    st.lists(
        st.tuples(st.sampled_from(OPS), st.sampled_from((0, 1)), st.sampled_from((0, 5, 900))),
        max_size=6,
    )
)
def test_identity_changes_exactly_when_a_command_changed_the_replicas_pairs(steps) -> None:  # type: ignore[no-untyped-def]
    """Oracle independent of the identity: the array's count of accepted pair-changing
    commands, moved by a command on MU 0 (refused and no-op commands do not move it)."""
    est, rep = _xp_after_backup()
    touched = False
    for op, mu, wait in steps:
        before = est.xp.pair_commands
        try:
            _apply(est, op, mu)
        except XpError:
            assert est.xp.pair_commands == before  # a refused command changes nothing
        touched |= mu == 0 and est.xp.pair_commands != before
        est.advance(wait)
    assert bool(_check_xp(est, rep)) == touched, steps
