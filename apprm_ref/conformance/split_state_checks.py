"""Pair-state checks for split-mirror arrays: the life cycle on every MU and the matrix of
what each RAID Manager operation does in each pair status (arrays.md 3.3-3.7, ARR-I10).

A matrix cell is either the status the pair shows after the accepted operation, or the
code the refusal must carry (twice, changing nothing).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.split_checks import (
    MUS,
    add,
    into,
    pair,
    pset,
    state,
    wait,
)
from apprm_ref.conformance.suite import Ctx, expect

OPS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "create-again": (lambda d, p, s, mu: d.pair_create(p, s, mu), ("pair-create",)),
    "split": (lambda d, p, s, mu: d.pair_split([(p, mu)]), ()),
    "resync": (lambda d, p, s, mu: d.pair_resync([(p, mu)]), ()),
    "restore": (lambda d, p, s, mu: d.pair_resync([(p, mu)], restore=True), ("reverse-restore",)),
    "suspend": (lambda d, p, s, mu: d.pair_suspend([(p, mu)]), ()),
    "delete": (lambda d, p, s, mu: d.pair_delete(p, mu), ()),
}
# (status before, operation) -> ("ok", status after) or ("refused", code)
MATRIX: dict[tuple[str, str], tuple[str, str]] = {
    ("COPY", "create-again"): ("ok", "COPY"),  # the same pair again: idempotent
    ("PAIR", "create-again"): ("ok", "PAIR"),
    ("PSUS", "create-again"): ("refused", "EX_CMDRJE"),
    ("PSUE", "create-again"): ("refused", "EX_CMDRJE"),
    ("COPY", "split"): ("refused", "EX_CMDRJE"),
    ("PAIR", "split"): ("ok", "COPY"),  # COPY(SP) until the split completes, then PSUS
    ("PSUS", "split"): ("ok", "PSUS"),  # already split: left as it is
    ("PSUE", "split"): ("refused", "EX_CMDRJE"),
    ("COPY", "resync"): ("ok", "COPY"),
    ("PAIR", "resync"): ("ok", "PAIR"),
    ("PSUS", "resync"): ("ok", "COPY"),
    ("PSUE", "resync"): ("ok", "COPY"),
    ("COPY", "restore"): ("ok", "COPY"),
    ("PAIR", "restore"): ("ok", "PAIR"),
    ("PSUS", "restore"): ("ok", "RCPY"),
    ("PSUE", "restore"): ("refused", "EX_CMDRJE"),
    ("COPY", "suspend"): ("ok", "PSUE"),
    ("PAIR", "suspend"): ("ok", "PSUE"),
    ("PSUS", "suspend"): ("ok", "PSUE"),
    ("PSUE", "suspend"): ("ok", "PSUE"),
    ("COPY", "delete"): ("ok", "SMPL"),
    ("PAIR", "delete"): ("ok", "SMPL"),
    ("PSUS", "delete"): ("ok", "SMPL"),
    ("PSUE", "delete"): ("ok", "SMPL"),
}
MATRIX_MUS = (0, 1)


def _cell(before: str, op: str, outcome: tuple[str, str], mu: int) -> Any:
    call, _ = OPS[op]

    def run(ctx: Ctx) -> None:
        p, s = into(ctx, before, 0, mu)
        kind, value = outcome
        if kind == "refused":
            ctx.refused(lambda: call(ctx.driver, p, s, mu), value)
            expect(state(ctx, p, mu) == before, "a refusal moved the pair")
            return
        if value == before:  # a no-op: idempotent, nothing the driver reports changes
            seen = ctx.fingerprint()
            for _ in range(2):
                call(ctx.driver, p, s, mu)
                expect(ctx.fingerprint() == seen, f"{op} in {before} changed something")
            return
        call(ctx.driver, p, s, mu)
        got = state(ctx, p, mu)
        expect(got == value, f"{op} in {before}: pair shows {got}, expected {value}")

    return run


for (_before, _op), _out in MATRIX.items():
    for _mu in MATRIX_MUS:
        _what = (
            f"gives {_out[1]}"
            if _out[0] == "ok"
            else f"is refused with {_out[1]}, changing nothing"
        )
        add(f"state.{_before.lower()}.{_op}.mu{_mu}", f"{_op} of a {_before} pair on MU#{_mu} {_what}",
            _cell(_before, _op, _out, _mu), OPS[_op][1])  # fmt: skip


# --- the life cycle on every MU ------------------------------------------------------------


def _create(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, s = pair(ctx, 0, mu, until=None)
        info = ctx.driver.pair_info(p, mu)
        expect((info.state, info.svol) == ("COPY", s), f"after paircreate: {info}")

    return run


def _svol_listed(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, s = pair(ctx, 0, mu)
        info = ctx.driver.volume_info(s)
        expect(info.role == "target", f"S-VOL {s} listed as {info.role}")
        expect(info.source is not None and info.source.volume == p, f"S-VOL source {info.source}")

    return run


def _pairs_of(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, s = pair(ctx, 0, mu)
        got = [(x.mu, x.svol, x.state) for x in ctx.driver.pairs_of(p)]
        expect(got == [(mu, s, "PAIR")], f"pairs_of {got}")

    return run


def _cycle(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, _ = pair(ctx, 0, mu)
        ctx.driver.pair_split([(p, mu)])
        wait(ctx, [(p, mu)], "PSUS")
        ctx.driver.pair_resync([(p, mu)])
        wait(ctx, [(p, mu)], "PAIR")

    return run


def _restore(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require("reverse-restore")
        p, _ = into(ctx, "PSUS", 0, mu)
        ctx.driver.pair_resync([(p, mu)], restore=True)
        wait(ctx, [(p, mu)], "PAIR")

    return run


def _quick(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require("quick-split")
        p, _ = pair(ctx, 0, mu)
        ctx.driver.pair_split([(p, mu)], quick=True)
        expect(state(ctx, p, mu) == "PSUS", "a quick split does not show PSUS at once")

    return run


def _quick_restore(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        ctx.require("quick-restore", "reverse-restore")
        p, _ = into(ctx, "PSUS", 0, mu)
        ctx.driver.pair_resync([(p, mu)], restore=True, quick=True)
        wait(ctx, [(p, mu)], "PAIR")

    return run


def _suspended_wait(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, _ = into(ctx, "PSUE", 0, mu)
        ctx.refused(lambda: ctx.driver.wait_pairs([(p, mu)], "PAIR"), "EX_EWSUSE")

    return run


def _delete(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        p, s = pair(ctx, 0, mu)
        ctx.driver.pair_delete(p, mu)
        expect(state(ctx, p, mu) == "SMPL", "pairsplit -S did not give SMPL")
        expect(ctx.driver.volume_info(s).role == "source", "S-VOL still a target after -S")

    return run


def _busy_pvol(mu: int) -> Any:
    def run(ctx: Ctx) -> None:
        pair(ctx, 0, mu)
        other, busy, other_mu = ctx.fx.cross
        ctx.refused(lambda: ctx.driver.pair_create(other, busy, other_mu), "EX_CMDRJE")

    return run


LIFE = [
    ("life.create.mu{m}", "paircreate on MU#{m}: COPY with the named S-VOL", _create),
    ("life.svol-listed.mu{m}", "the S-VOL of a MU#{m} pair is listed as a target of its P-VOL", _svol_listed),
    ("life.pairs-of.mu{m}", "pairs_of lists the MU#{m} pair in PAIR", _pairs_of),
    ("life.cycle.mu{m}", "ARR-I10 on MU#{m}: PAIR -> split -> PSUS -> resync -> PAIR", _cycle),
    ("life.restore.mu{m}", "pairresync -restore on MU#{m}: PSUS -> PAIR", _restore),
    ("life.quick-split.mu{m}", "a quick split on MU#{m} shows PSUS at once", _quick),
    ("life.quick-restore.mu{m}", "a quick restore on MU#{m}: PSUS -> PAIR", _quick_restore),
    ("life.suspended-wait.mu{m}", "waiting for PAIR on a PSUE MU#{m} pair: EX_EWSUSE, twice", _suspended_wait),
    ("life.delete.mu{m}", "pairsplit -S on MU#{m}: SMPL, the S-VOL a plain volume again", _delete),
    ("life.pvol-as-svol.mu{m}", "a P-VOL paired on MU#{m} cannot be another pair's S-VOL (EX_CMDRJE)", _busy_pvol),
]  # fmt: skip
for _mu in MUS:
    for _cid, _doc, _gen in LIFE:
        add(_cid.format(m=_mu), _doc.format(m=_mu), _gen(_mu))


def _all_mus(ctx: Ctx) -> None:
    s = pset(ctx)
    for mu in MUS:
        pair(ctx, 0, mu)
    got = [(x.mu, x.svol) for x in ctx.driver.pairs_of(s.pvol)]
    expect(got == list(enumerate(s.svols)), f"pairs_of with three MUs: {got}")


def _one_instant(ctx: Ctx) -> None:
    a, _ = pair(ctx, 0, 0)
    b, _ = pair(ctx, 1, 0)
    ctx.driver.pair_split([(a, 0), (b, 0)])
    wait(ctx, [(a, 0), (b, 0)], "PSUS")


def _batch_refused(ctx: Ctx) -> None:
    a, _ = pair(ctx, 0, 0)
    b, _ = pair(ctx, 1, 0, until=None)
    ctx.refused(lambda: ctx.driver.pair_split([(a, 0), (b, 0)]), "EX_CMDRJE")
    expect(state(ctx, a, 0) == "PAIR", "a refused batch split its PAIR member")


def _mu_independent(ctx: Ctx) -> None:
    p, _ = pair(ctx, 0, 0)
    pair(ctx, 0, 1)
    ctx.driver.pair_split([(p, 0)])
    wait(ctx, [(p, 0)], "PSUS")
    expect(state(ctx, p, 1) == "PAIR", "splitting MU#0 moved MU#1")


for _cid, _doc, _fn in [
    ("multi.three-mus", "one P-VOL paired on MU#0..2: pairs_of lists all three in MU order", _all_mus),
    ("multi.split-two-sets", "ARR-I12: two pairs split by one call both reach PSUS", _one_instant),
    ("multi.batch-refused-whole", "a split of a PAIR and a COPY pair is refused whole (EX_CMDRJE)", _batch_refused),
    ("multi.mus-independent", "splitting MU#0 leaves MU#1 of the same P-VOL in PAIR", _mu_independent),
]:  # fmt: skip
    add(_cid, _doc, _fn, ("pair-create",))
