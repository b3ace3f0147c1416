"""Conformance cases for split-mirror arrays (``SplitMirrorArray``, XP Business Copy).

Every case deletes the pairs it made (``pairsplit -S``) whatever happens, so the harness's
leak check only sees the LDEVs the backdoor provisioned and destroys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from apprm_ref.conformance.harness import Harness, case, check
from apprm_ref.errors import ApprmError

KIND = "split-mirror-array"
SIZE = 8 * 1024 * 1024


@contextmanager
def pair(h: Harness, mu: int = 0, *, wait: bool = True) -> Iterator[tuple[str, str]]:
    """A P-VOL and S-VOL paired on ``mu`` (PAIR when ``wait``), deleted at the end."""
    h.require("pair-create")
    pvol, svol = h.source(SIZE), h.source(SIZE)
    declare: Callable[..., None] | None = getattr(h.backdoor, "declare_pair", None)
    if declare is not None:
        declare(pvol, svol, mu)
    h.driver.pair_create(pvol, svol, mu)
    try:
        if wait:
            _wait(h, [(pvol, mu)], "PAIR")
        yield pvol, svol
    finally:
        _settle(h, [(pvol, mu)])
        h.driver.pair_delete(pvol, mu)


def _wait(h: Harness, pairs: list[tuple[str, int]], state: str) -> None:
    op = h.driver.wait_pairs(pairs, state)
    h.backdoor.advance(op.done_at + 1e-6)
    for pvol, mu in pairs:
        got = h.driver.pair_info(pvol, mu).state
        check(got == state, f"{pvol} MU#{mu} is {got} after waiting for {state}")


def _settle(h: Harness, pairs: list[tuple[str, int]]) -> None:
    """Let a split finish so that ``pairsplit -S`` is accepted (not in PSUS(SP))."""
    for pvol, mu in pairs:
        info = h.driver.pair_info(pvol, mu)
        if info.copy_done_at is not None:
            h.backdoor.advance(info.copy_done_at + 1.0)


@case(KIND)
def pair_states_follow_the_cycle(h: Harness) -> None:
    """ARR-I10: SMPL -> COPY -> PAIR -> PSUS -> COPY -> PAIR -> SMPL."""
    h.require("pair-create")
    with pair(h, wait=False) as (pvol, svol):
        info = h.driver.pair_info(pvol, 0)
        check((info.state, info.svol) == ("COPY", svol), f"after paircreate: {info}")
        _wait(h, [(pvol, 0)], "PAIR")
        h.driver.pair_split([(pvol, 0)])
        _wait(h, [(pvol, 0)], "PSUS")
        h.driver.pair_resync([(pvol, 0)])
        check(h.driver.pair_info(pvol, 0).state == "COPY", "resync does not show COPY")
        _wait(h, [(pvol, 0)], "PAIR")
        check([p.mu for p in h.driver.pairs_of(pvol)] == [0], "pairs_of misses the pair")
    check(h.driver.pair_info(pvol, 0).state == "SMPL", "pairsplit -S did not end in SMPL")


@case(KIND)
def split_is_point_in_time(h: Harness) -> None:
    """ARR-I12 / ARR-P3: the S-VOL keeps the P-VOL of the split instant."""
    with pair(h) as (pvol, svol):
        h.backdoor.write(pvol, {i: f"before-{i}" for i in range(4)})
        h.driver.pair_split([(pvol, 0)])
        h.backdoor.write(pvol, {i: f"after-{i}" for i in range(4)})
        _wait(h, [(pvol, 0)], "PSUS")
        for i in range(4):
            check(h.backdoor.read(svol, i) == f"before-{i}", f"S-VOL extent {i} moved on")


@case(KIND)
def restore_copies_the_svol_back(h: Harness) -> None:
    """arrays.md 3.7: pairresync -restore makes the P-VOL read the S-VOL."""
    h.require("reverse-restore")
    with pair(h) as (pvol, svol):
        h.backdoor.write(pvol, {0: "replica"})
        h.driver.pair_split([(pvol, 0)])
        _wait(h, [(pvol, 0)], "PSUS")
        h.backdoor.write(pvol, {0: "lost"})
        h.driver.pair_resync([(pvol, 0)], restore=True)
        _wait(h, [(pvol, 0)], "PAIR")
        check(h.backdoor.read(pvol, 0) == "replica", "restore did not copy the S-VOL back")


@case(KIND)
def refusals_change_nothing(h: Harness) -> None:
    """ARR-P9: a split in COPY and a second pair on a busy S-VOL are refused."""
    with pair(h, wait=False) as (pvol, svol):
        h.expect_refusal(lambda: h.driver.pair_split([(pvol, 0)]))
        _wait(h, [(pvol, 0)], "PAIR")
        h.expect_refusal(lambda: h.driver.pair_create(svol, pvol, 0))


@case(KIND)
def suspended_pair_fails_a_wait(h: Harness) -> None:
    """pairsplit -E -> PSUE; waiting for PAIR reports EX_EWSUSE."""
    with pair(h) as (pvol, _svol):
        h.driver.pair_suspend([(pvol, 0)])
        check(h.driver.pair_info(pvol, 0).state == "PSUE", "pairsplit -E did not give PSUE")
        try:
            h.driver.wait_pairs([(pvol, 0)], "PAIR")
        except ApprmError as exc:
            check(exc.code == "EX_EWSUSE", f"expected EX_EWSUSE, got {exc.code}")
        else:
            raise AssertionError("waiting for PAIR on a PSUE pair succeeded")


@case(KIND)
def exclude_list_is_reported(h: Harness) -> None:
    """ARR-P11 (array half): an LDEV is excluded or not, and never offered as an S-VOL."""
    h.require("exclude-list")
    vol = h.source(SIZE)
    check(not h.driver.is_excluded(vol), f"{vol} reported excluded")
