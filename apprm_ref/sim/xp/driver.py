"""Protocol door of the XP simulator (:class:`~apprm_ref.drivers.array.SplitMirrorArray`).

It only translates: every rule is enforced by :class:`~apprm_ref.sim.xp.backend.XpBackend`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from apprm_ref.drivers.array import CaPairInfo, PairInfo, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.sim.fault_sites import SLOW_REPLY_S
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.models import PSUE, TRANSIENT, cci_status, pair_key
from apprm_ref.types import Op, ReplicaType, VolumeRef

if TYPE_CHECKING:
    from apprm_ref.sim.world import World

FEATURES = frozenset(
    {
        "business-copy",
        "continuous-access",
        "cascade",
        "quick-split",
        "quick-restore",
        "reverse-restore",
        "exclude-list",
        "present",
        "pair-create",
    }
)
WAIT_STATES = frozenset({"SMPL", "COPY", "RCPY", "PAIR", "PSUS", "SSUS", "PSUE"})
LIMITS = {"mu_per_pvol": 3, "l2_per_node": 2, "copies_per_pvol": 9}


class XpDriver:
    def __init__(self, world: World, array_name: str) -> None:
        self.world = world
        self.name = array_name
        self.backend = world.array(array_name)

    def _op(self, result, done_at: float | None = None) -> Op:  # type: ignore[no-untyped-def]
        """The command's reply, late when a slow CCI reply fires (never past the timeout)."""
        slow = self.world.faults.delay("xp.reply_slow", SLOW_REPLY_S, array=self.name)
        return Op(result, max(self.world.now(), done_at or 0.0) + slow)

    def capabilities(self) -> Capabilities:
        return Capabilities("split-mirror-array", "HP", self.backend.model, FEATURES, dict(LIMITS))

    # --- volumes ------------------------------------------------------------------------

    def list_volumes(self) -> list[VolumeInfo]:
        return [self.volume_info(lid) for lid in sorted(self.backend.ldevs)]

    def volume_info(self, volume: str) -> VolumeInfo:
        b = self.backend
        b.settle()
        ldev = b.ldev(volume)
        parent = b.pair_of_svol(ldev.id)
        details = {"serial": str(b.serial), "ldev": str(ldev.number)}
        if ldev.inconsistent:
            details["inconsistent"] = "yes"
        return VolumeInfo(
            ref=VolumeRef(self.name, ldev.id),
            wwn=b.volume_wwn(ldev.id),
            size_bytes=ldev.data.size_bytes,
            pool=ldev.parity_group,
            raid=ldev.raid,
            role="target" if parent is not None else "source",
            replica_type=ReplicaType.MIRROR if parent is not None else None,
            source=VolumeRef(self.name, parent.pvol) if parent is not None else None,
            presented_to=b.presented_to(ldev.id),
            state=parent.state if parent is not None else "SMPL",
            details=details,
        )

    def present(self, volume: str, host: str) -> Op[int]:
        return self._op(self.backend.present(volume, host))

    def unpresent(self, volume: str, host: str) -> Op[None]:
        self.backend.unpresent(volume, host)
        return self._op(None)

    # --- pairs ----------------------------------------------------------------------------

    def pair_info(self, pvol: str, mu: int) -> PairInfo:
        b = self.backend
        b.settle()
        lid = b.ldev(pvol).id
        pair = b.pairs.get(pair_key(lid, mu))
        if pair is None:
            return PairInfo(lid, mu, None, "SMPL", detail="SMPL")
        return PairInfo(
            lid,
            mu,
            pair.svol,
            cci_status(pair.state, "P"),
            pair.copy_done_at,
            pair.fraction(self.world.now()),
            detail=pair.state,
            level=2 if b.is_l2(pair) else 1,
            split_at=pair.split_at,
            split_generation=pair.split_generation or None,
        )

    def pairs_of(self, pvol: str) -> list[PairInfo]:
        self.backend.settle()
        return [self.pair_info(p.pvol, p.mu) for p in self.backend.pairs_of_pvol(pvol)]

    def pair_create(self, pvol: str, svol: str, mu: int) -> Op[None]:
        done = self.backend.paircreate(pvol, svol, mu)
        self._copy_faults([(pvol, mu)])
        return self._op(None, done)

    def _copy_faults(self, pairs: Sequence[tuple[str, int]]) -> None:
        """A forward copy that fails: the array suspends the pair (PSUE) and stops copying."""
        for pvol, mu in pairs:
            if self.world.faults.fires("xp.copy_psue", pvol=pvol, mu=str(mu)):
                self.backend.suspend_on_error(pvol, mu)

    def pair_split(self, pairs: Sequence[tuple[str, int]], *, quick: bool = False) -> Op[None]:
        done = self.backend.pairsplit(list(pairs), quick=quick)
        if self.world.faults.fires("xp.split_reply_lost", pvol=pairs[0][0] if pairs else ""):
            # the array split the pairs; the HORCM instance's reply never came back
            raise xe.XpError(
                f"pairsplit: no reply from the HORCM instance of {self.name}", code="EX_ATTHOR"
            )
        return self._op(None, done)

    def pair_resync(
        self, pairs: Sequence[tuple[str, int]], *, restore: bool = False, quick: bool = False
    ) -> Op[None]:
        done = self.backend.pairresync(list(pairs), restore=restore, quick=quick)
        if not restore:
            self._copy_faults(pairs)
        return self._op(None, done)

    def pair_delete(self, pvol: str, mu: int) -> Op[None]:
        return self._op(None, self.backend.pairdelete([(pvol, mu)]))

    def pair_suspend(self, pairs: Sequence[tuple[str, int]]) -> Op[None]:
        return self._op(None, self.backend.pairsuspend(list(pairs)))

    def wait_pairs(self, pairs: Sequence[tuple[str, int]], state: str) -> Op[None]:
        """When every pair will show ``state``; refuses at once if one never will."""
        self.backend.settle()
        want = state.upper()
        if want not in WAIT_STATES:  # pairevtwait -s takes only these statuses
            xe.refuse("EX_INVARG", f"cannot wait for status {state}")
        done = self.world.now()
        for pvol, mu in pairs:
            done = max(done, self._reach(pvol, mu, want))
        return self._op(None, done)

    def _reach(self, pvol: str, mu: int, want: str) -> float:
        b = self.backend
        pair = b.pairs.get(pair_key(b.ldev(pvol).id, mu))
        state = pair.state if pair is not None else "SMPL"
        if want in (state, cci_status(state)):
            return self.world.now()
        if pair is not None and pair.state == PSUE:
            xe.refuse("EX_EWSUSE", f"pair {pair.key} suspended (PSUE) while waiting for {want}")
        if pair is not None and pair.abort_at is not None:
            return pair.abort_at  # it will fail then: the caller finds PSUE after waiting
        if (
            pair is not None
            and pair.state in TRANSIENT
            and want in (pair.next_state, cci_status(pair.next_state))
        ):
            return pair.copy_done_at or self.world.now()
        xe.refuse("EX_EWSTOT", f"{pvol} MU#{mu} is {state} and will not become {want}")

    def ca_pair(self, pvol: str) -> CaPairInfo | None:
        b = self.backend
        b.settle()
        pair = b.pairs.get(pair_key(b.ldev(pvol).id, -1))
        if pair is None:
            return None
        return CaPairInfo(pair.pvol, pair.svol_array, pair.svol, cci_status(pair.state, "P"))

    def is_excluded(self, ldev: str) -> bool:
        return self.backend.is_excluded(ldev)

    def free_svols(self, pvol: str) -> list[str]:
        self.backend.settle()
        return self.backend.free_svols(pvol)
