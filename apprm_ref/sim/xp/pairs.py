"""Pair commands of the XP simulator (Business Copy and Continuous Access).

Each command validates every pair it names first (state table of protocols.md 2.3 with the
arrays.md 3.3 rules for ``-S`` and ``-E``; cascade, restore and size guards) and raises
before touching anything; only then does it change state, at one instant for all pairs.
``Np`` entries of the acceptance table are accepted and do nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apprm_ref.errors import InvariantViolation
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.index import NONE_DUE, WakeQueue, due_of
from apprm_ref.sim.xp.models import (
    COPY_PD,
    COPY_RS,
    COPY_RS_R,
    COPY_SP,
    MIRRORING,
    PAIR,
    PSUE,
    PSUS,
    PSUS_SP,
    SMPL,
    TRANSITIONS,
    Pair,
    pair_key,
)
from apprm_ref.sim.xp.timing import DEFAULT_PACE

if TYPE_CHECKING:
    from apprm_ref.sim.xp.backend import XpBackend

Key = tuple[str, int]
_BUSY = frozenset({COPY_PD, COPY_SP, PSUS_SP, COPY_RS, COPY_RS_R})


class PairCommands:
    """Mixin of :class:`XpBackend`: paircreate / pairsplit / pairresync semantics."""

    # --- lookup -------------------------------------------------------------------------

    def _pair(self: XpBackend, key: Key) -> Pair | None:
        pvol, mu = key
        return self.pairs.get(pair_key(self.ldev(pvol).id, mu))

    def _need(self: XpBackend, key: Key, op: str) -> Pair:
        pair = self._pair(key)
        if pair is None:
            xe.refuse("EX_INVVOL", f"{op}: {key[0]} MU#{key[1]} is SMPL (no such pair)")
        return pair

    # --- paircreate -----------------------------------------------------------------------

    def paircreate(
        self: XpBackend,
        pvol: str,
        svol: str,
        mu: int,
        *,
        split: bool = False,
        pace: int = DEFAULT_PACE,
    ) -> float:
        """Create the BC pair (P-VOL, MU#); returns when its initial copy completes."""
        return self.paircreate_many([(pvol, svol, mu)], split=split, pace=pace)

    def paircreate_many(
        self: XpBackend,
        items: Sequence[tuple[str, str, int]],
        *,
        split: bool = False,
        pace: int = DEFAULT_PACE,
    ) -> float:
        """Create several pairs, all or nothing (a ``paircreate -g`` on a group)."""
        self.settle()
        new: list[tuple[str, str, int]] = []
        existing: list[tuple[Pair, str]] = []
        for pvol, svol, mu in items:
            p, s = self.ldev(pvol).id, self.ldev(svol).id
            pair = self.pairs.get(pair_key(p, mu))
            if pair is not None:
                self._create_existing(pair, s, split, dry=True)
                existing.append((pair, s))
                continue
            self._check_create(p, s, mu)
            if any(s == t or (p, mu) == (q, m) for q, t, m in new):
                xe.refuse("EX_EVOLCE", f"{p} MU#{mu} -> {s} repeats a pair of this command")
            self.world.faults.check("xp.paircreate", xe.XpError, pvol=p, svol=s, mu=str(mu))
            new.append((p, s, mu))
        done = self.now()
        for pair, s in existing:
            done = max(done, self._create_existing(pair, s, split))
        for p, s, mu in new:
            pair = Pair(p, mu, s, pace=pace, created_at=self.now())
            self.pairs[pair.key] = pair
            self._index = None
            size = self.ldevs[p].data.size_extents
            done = max(done, self._start(pair, COPY_PD, size, PSUS if split else PAIR))
        if new:
            self.pair_commands += 1
        return done

    def _create_existing(
        self: XpBackend, pair: Pair, svol: str, split: bool, *, dry: bool = False
    ) -> float:
        if pair.svol != svol:
            xe.refuse("EX_CMDRJE", f"MU#{pair.mu} of {pair.pvol} already pairs with {pair.svol}")
        if split and pair.state == PAIR:
            return self.now() if dry else self.pairsplit([(pair.pvol, pair.mu)])
        noop = (PSUS, PSUS_SP, COPY_SP) if split else (COPY_PD, COPY_SP, COPY_RS, COPY_RS_R, PAIR)
        if pair.state in noop:
            return pair.copy_done_at or self.now()  # Np: accepted, nothing done
        opt = " -split" if split else ""
        xe.refuse("EX_CMDRJE", f"paircreate{opt}: pair {pair.key} is {pair.state}")

    def _check_create(self: XpBackend, pvol: str, svol: str, mu: int) -> None:
        if pvol == svol:
            xe.refuse("EX_EVOLCE", "P-VOL and S-VOL are the same LDEV")
        parent = self.pair_of_svol(pvol)
        if parent is not None and self.is_l2(parent):
            xe.refuse("EX_CMDRJE", f"{pvol} is an L2 S-VOL: no third cascade level")
        allowed = (1, 2) if parent is not None else (0, 1, 2)
        if mu not in allowed:
            level = "L2" if parent is not None else "L1"
            xe.refuse("EX_INVARG", f"MU#{mu} is not valid for an {level} pair (use {allowed})")
        if self.in_any_pair(svol):
            xe.refuse("EX_CMDRJE", f"S-VOL {svol} is not SMPL")
        if self.ldevs[svol].data.size_extents != self.ldevs[pvol].data.size_extents:
            xe.refuse("EX_EVOLCE", f"{pvol} and {svol} differ in size")
        if any(q.state == COPY_RS_R for q in self.pairs_of_pvol(pvol)):
            xe.refuse("EX_CMDRJE", f"P-VOL {pvol} is being restored")

    # --- pairsplit ------------------------------------------------------------------------

    def pairsplit(
        self: XpBackend, keys: Sequence[Key], *, quick: bool = False, rw: bool = False
    ) -> float:
        """Split every pair at one instant; the S-VOLs freeze the P-VOL content of now."""
        self.settle()
        todo = []
        for key in dict.fromkeys(keys):  # a pair named twice is one pair
            pair = self._need(key, "pairsplit")
            if pair.state in (PSUS, PSUS_SP, COPY_SP):
                continue  # Np
            if pair.state != PAIR:
                xe.refuse("EX_CMDRJE", f"pairsplit: pair {pair.key} is {pair.state}")
            parent = self.pair_of_svol(pair.pvol)
            if parent is not None and parent.state != PSUS:
                xe.refuse("EX_CMDRJE", f"L2 pair {pair.key}: its L1 pair is {parent.state}")
            self.world.faults.check("xp.pairsplit", xe.XpError, pvol=pair.pvol, mu=str(pair.mu))
            todo.append(pair)
        done = self.now()
        for pair in todo:
            done = max(done, self._split(pair, quick, rw))
        if todo:
            self.pair_commands += 1
        return done

    def _split(self: XpBackend, pair: Pair, quick: bool, rw: bool) -> float:
        if not pair.swap_freeze:
            self._materialize(pair)
        self._mark_split(pair)
        pair.svol_rw = rw or pair.kind == "BC"
        secs = self.timing.quick_split_s if quick else self.timing.steady_split_s
        return self._start(pair, PSUS_SP if quick else COPY_SP, 0, PSUS, seconds=secs)

    def _mark_split(self: XpBackend, pair: Pair) -> None:
        """The S-VOL now holds the P-VOL of this instant: record when, and number the split
        from the array-wide count, so a resync and re-split (even at the same instant, or
        after a pair delete and re-create) is told apart from the split a replica recorded."""
        self.splits += 1
        pair.split_at, pair.split_generation = self.now(), self.splits

    def _materialize(self: XpBackend, pair: Pair) -> None:
        """The S-VOL stops following: it keeps exactly what the P-VOL reads now (ARR-I12)."""
        source = self.content(pair.pvol)
        target = self.world.arrays[pair.svol_array] if pair.kind == "CA" else self
        target.ldevs[pair.svol].data.replace_content(source)

    # --- pairsplit -S / -E -------------------------------------------------------------------

    def pairdelete(self: XpBackend, keys: Sequence[Key]) -> float:
        """``pairsplit -S``: both volumes back to SMPL (refused in PSUS(SP))."""
        self.settle()
        todo = []
        for key in dict.fromkeys(keys):  # a pair named twice is one pair
            pair = self._pair(key)
            if pair is None:
                continue  # Np
            if pair.state == PSUS_SP:
                xe.refuse("EX_CMDRJE", f"pairsplit -S: pair {pair.key} is PSUS(SP)")
            todo.append(pair)
        for pair in todo:
            self.world.faults.check("xp.pairdelete", xe.XpError, pvol=pair.pvol, mu=str(pair.mu))
        for pair in todo:
            if pair.state in MIRRORING and not pair.swap_freeze:
                self._materialize(pair)
            self._set_state(pair, SMPL)
            del self.pairs[pair.key]
            self._index = None
            if pair.kind == "CA":
                self.world.arrays[pair.svol_array].ldevs[pair.svol].ca_primary = ""
        if todo:
            self.pair_commands += 1
        return self.now()

    def pairsuspend(self: XpBackend, keys: Sequence[Key]) -> float:
        """``pairsplit -E``: forced suspend to PSUE; the next resync copies everything."""
        self.settle()
        todo = []
        for key in dict.fromkeys(keys):  # a pair named twice is one pair
            pair = self._need(key, "pairsplit -E")
            if pair.state == PSUE:
                continue  # Np
            todo.append(pair)
        for pair in todo:
            self._to_psue(pair)
        if todo:
            self.pair_commands += 1
        return self.now()

    def suspend_on_error(self: XpBackend, pvol: str, mu: int) -> None:
        """The array cannot keep the pair (PAIR / COPY -> PSUE)."""
        pair = self._need((pvol, mu), "suspend")
        if pair.state in (PAIR, COPY_PD, COPY_RS, COPY_SP, COPY_RS_R):
            self._to_psue(pair)

    def _to_psue(self: XpBackend, pair: Pair) -> None:
        if pair.state in MIRRORING and not pair.swap_freeze:
            self._materialize(pair)
        self._set_state(pair, PSUE)
        self._clear_copy(pair)

    # --- pairresync ---------------------------------------------------------------------------

    def pairresync(
        self: XpBackend,
        keys: Sequence[Key],
        *,
        restore: bool = False,
        quick: bool = False,
        pace: int | None = None,
    ) -> float:
        """Forward resync (differences, or all after PSUE) or restore (reverse / quick)."""
        self.settle()
        todo = []
        for key in dict.fromkeys(keys):  # a pair named twice is one pair
            pair = self._need(key, "pairresync")
            if pair.state in (COPY_PD, COPY_RS, COPY_RS_R, PAIR):
                continue  # Np
            if pair.state == COPY_SP or (restore and pair.state not in (PSUS, PSUS_SP)):
                xe.refuse("EX_CMDRJE", f"pairresync: pair {pair.key} is {pair.state}")
            if restore:
                self._check_restore(pair, quick)
                if any(other.pvol == pair.pvol for other in todo):
                    xe.refuse("EX_CMDRJE", f"two restores into P-VOL {pair.pvol} at once")
            site = "xp.restore" if restore else "xp.pairresync"
            self.world.faults.check(site, xe.XpError, pvol=pair.pvol, mu=str(pair.mu))
            todo.append(pair)
        done = self.now()
        for pair in todo:
            if pace is not None:
                pair.pace = pace
            step = self._restore if restore else self._resync
            done = max(done, step(pair, quick))
        if todo:
            self.pair_commands += 1
        return done

    def _check_restore(self: XpBackend, pair: Pair, quick: bool) -> None:
        if pair.kind == "CA":
            xe.refuse("EX_CMDRJE", "pairresync -restore is a Business Copy operation")
        if self.is_l2(pair):
            xe.refuse("EX_CMDRJE", f"restore refused on the L2 pair {pair.key}")
        if quick and self.ldevs[pair.pvol].snapshot_xp_pvol:
            xe.refuse("EX_CMDRJE", f"quick restore refused: {pair.pvol} is a Snapshot XP P-VOL")
        for other in self.pairs_of_pvol(pair.pvol, None):
            if other is not pair and other.state not in (PSUS, PSUS_SP, PSUE):
                xe.refuse("EX_CMDRJE", f"restore refused: pair {other.key} is {other.state}")
        if self.ldevs[pair.pvol].ca_primary:
            xe.refuse("EX_CMDRJE", f"restore refused: {pair.pvol} is a CA S-VOL")

    def _resync(self: XpBackend, pair: Pair, quick: bool) -> float:
        size = self.ldevs[pair.pvol].data.size_extents
        tracks = set(range(size)) if pair.state == PSUE else pair.pdiff | pair.sdiff
        pair.pdiff, pair.sdiff, pair.swap_freeze = set(), set(), False
        done = self._start(pair, COPY_RS, len(tracks), PAIR)
        target = self.world.arrays[pair.svol_array] if pair.kind == "CA" else self
        target.touch(pair.svol, tracks)  # cascaded pairs of the S-VOL see it change
        return done

    def _restore(self: XpBackend, pair: Pair, quick: bool) -> float:
        tracks = pair.pdiff | pair.sdiff
        pvol, svol = self.ldevs[pair.pvol], self.ldevs[pair.svol]
        freeze = quick and self.swap_and_freeze
        pair.pdiff, pair.sdiff = (set(tracks) if freeze else set()), set()
        abort = self.world.faults.fires("xp.restore_abort", pvol=pair.pvol, mu=str(pair.mu))
        if quick:
            pvol.data, svol.data = svol.data, pvol.data
            secs = self.timing.quick_restore_s
        else:
            secs = None
            if abort:
                pair.pre_restore = pvol.data.point_in_time_copy()
            pvol.data.replace_content(svol.data)
        pair.swap_freeze = freeze
        done = self._start(pair, COPY_RS_R, len(tracks), PAIR, seconds=secs)
        if abort and not quick:
            pair.abort_at = pair.copy_started_at + (done - pair.copy_started_at) / 2
            self._schedule(pair)
        self.touch(pair.pvol, tracks)
        if quick:
            self.touch(pair.svol, tracks)
        return done

    # --- copies and completion ----------------------------------------------------------------

    def _start(
        self: XpBackend,
        pair: Pair,
        state: str,
        tracks: int,
        next_state: str,
        *,
        seconds: float | None = None,
    ) -> float:
        if seconds is None:
            ext = self.ldevs[pair.pvol].data.extent_bytes
            seconds = self.timing.copy_seconds(
                tracks, ext, pace=pair.pace, remote=pair.kind == "CA"
            )
        self._set_state(pair, state)
        now = self.now()
        pair.copy_started_at, pair.copy_tracks = now, tracks
        pair.copy_done_at, pair.next_state = now + seconds, next_state
        pair.copies += 1
        self._schedule(pair)
        self.world.emit("xp.copy", array=self.name, pair=pair.key, state=state, tracks=tracks)
        return pair.copy_done_at

    def settle(self: XpBackend) -> None:
        """Finish every copy due by now (an event at exactly ``now`` may not have run yet:
        ``env.run(until=t)`` stops before events at ``t``)."""
        due = self._due
        if due == NONE_DUE:  # nothing scheduled: nothing can be due, whatever the time
            return
        world = self.world  # ``now`` inline: every host I/O settles first
        now = world.now() if world is not None else 0.0
        if due is not None and now < due:
            return
        if self._wake is None:  # after attach: from the pairs, then from every _schedule
            self._wake = WakeQueue.of(self.pairs)
        for key in self._wake.pop_due(now):
            pair = self.pairs.get(key)
            due = due_of(pair) if pair is not None else None
            if due is not None and due <= now:
                self._complete(key, pair.gen, pair)  # type: ignore[arg-type]
        self._due = self._wake.next_due()

    def _schedule(self: XpBackend, pair: Pair) -> None:
        when = pair.abort_at if pair.abort_at is not None else pair.copy_done_at
        if self._due is not None:
            self._due = min(self._due, when)
        if self._wake is not None:
            self._wake.push(when, pair.key)
        key, gen = pair.key, pair.gen
        self.world.call_at(when, lambda: self._complete(key, gen, pair))

    def _complete(self: XpBackend, key: str, gen: int, scheduled_for: Pair) -> None:
        pair = self.pairs.get(key)
        if pair is not scheduled_for or pair.gen != gen:
            # superseded by a later command, or the pair was deleted (and maybe re-created
            # under the same key, with its own generation count starting again at 0)
            return
        if pair.abort_at is not None:
            self._abort_restore(pair)
            return
        if pair.state == COPY_PD and pair.next_state == PSUS:
            self._materialize(pair)
            self._mark_split(pair)
        if pair.state == COPY_RS_R:
            self.ldevs[pair.pvol].inconsistent = False
        self._set_state(pair, pair.next_state)
        self._clear_copy(pair)
        self.world.emit("xp.pair", array=self.name, pair=key, state=pair.state)

    def _abort_restore(self: XpBackend, pair: Pair) -> None:
        """A reverse copy dies half-way: the P-VOL holds neither old nor new data (ARR-P14)."""
        pvol = self.ldevs[pair.pvol]
        new, old = pvol.data, pair.pre_restore
        changed: list[int] = []
        if old is not None:
            keys = sorted(set(new.written()) | set(old.written()))
            changed = [i for i in keys if old.read(i) != new.read(i)]
            pvol.data.write_many({i: old.read(i) for i in changed[len(changed) // 2 :]})
        pvol.inconsistent = True
        self._set_state(pair, PSUE)
        self._clear_copy(pair)
        self.touch(pair.pvol, set(changed))
        self.world.emit("xp.restore_aborted", array=self.name, pair=pair.key)

    def _clear_copy(self: XpBackend, pair: Pair) -> None:
        pair.copy_done_at, pair.next_state = None, ""
        pair.abort_at, pair.pre_restore = None, None

    def _set_state(self: XpBackend, pair: Pair, state: str) -> None:
        if (pair.state, state) not in TRANSITIONS:
            raise InvariantViolation(
                f"pair {pair.key}: illegal move {pair.state} -> {state}", code="ARR-I10"
            )
        pair.state = state
        pair.gen += 1
