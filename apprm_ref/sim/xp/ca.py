"""Continuous Access XP: a pair between a P-VOL here and an S-VOL on another XP array.

The pair record lives on the primary array (key ``<P-VOL>/-1``: RAID Manager shows no MU
for TrueCopy); the remote LDEV carries a ``ca_primary`` link. Split, resync, ``-S`` and
``-E`` reuse the Business Copy code paths; restore and cascades are BC-only. In CA+BC the
remote CA S-VOL is the P-VOL of local BC pairs on the remote array (arrays.md 3.4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.models import COPY_PD, PAIR, PSUS, Pair, pair_key
from apprm_ref.sim.xp.timing import DEFAULT_PACE

if TYPE_CHECKING:
    from apprm_ref.sim.xp.backend import XpBackend

CA_MU = -1


class ContinuousAccess:
    """Mixin of :class:`XpBackend` for CA pairs."""

    def ca_create(
        self: XpBackend,
        pvol: str,
        remote_array: str,
        svol: str,
        *,
        split: bool = False,
        pace: int = DEFAULT_PACE,
    ) -> float:
        self.settle()
        p = self.ldev(pvol)
        remote = self.world.arrays.get(remote_array)
        if remote is None or getattr(remote, "kind", "") != "xp" or remote is self:
            xe.refuse("EX_ENORMT", f"no remote XP array {remote_array}")
        s = remote.ldev(svol)
        existing = self.pairs.get(pair_key(p.id, CA_MU))
        if existing is not None:
            if existing.svol != s.id or existing.svol_array != remote_array:
                xe.refuse("EX_CMDRJE", f"{p.id} is already a CA P-VOL")
            return existing.copy_done_at or self.now()  # Np
        if self.pair_of_svol(p.id) is not None or p.ca_primary:
            xe.refuse("EX_CMDRJE", f"{p.id} is an S-VOL and cannot be a CA P-VOL")
        if remote.in_any_pair(s.id):
            xe.refuse("EX_CMDRJE", f"remote S-VOL {s.id} is not SMPL")
        if s.data.size_extents != p.data.size_extents:
            xe.refuse("EX_EVOLCE", f"{p.id} and {remote_array}:{s.id} differ in size")
        self.world.faults.check("xp.ca_create", xe.XpError, pvol=p.id, svol=s.id)
        pair = Pair(p.id, CA_MU, s.id, kind="CA", svol_array=remote_array, pace=pace)
        pair.created_at, pair.svol_rw = self.now(), False
        self.pairs[pair.key] = pair
        self._index = None
        s.ca_primary = f"{self.name}/{p.id}"
        self.pair_commands += 1
        return self._start(pair, COPY_PD, p.data.size_extents, PSUS if split else PAIR)

    def ca_delete_from_svol(self: XpBackend, svol: str) -> float:
        """``pairsplit -R`` (TrueCopy): force the pair off from the S-VOL side
        **(inferred: modelled as deleting the pair on both sides)**."""
        link = self.ca_link(self.ldev(svol).id)
        if link is None:
            return self.now()  # Np: already SMPL
        primary, pair = link
        return primary.pairdelete([(pair.pvol, CA_MU)])
