"""The HP XP VSS hardware provider on the XP simulator (vss-and-core.md §5.5, VC-I13).

*Resync mode*: a shadow copy is the S-VOL of a Business Copy pair split at the commit and
left suspended; at most 3 per P-VOL, one per MU 0–2 (a fourth is
VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED until one is deleted, which resyncs its pair);
it is restored only by resynchronising the S-VOL into the P-VOL.
*VSS-compliant mode*: the pair is split and deleted, leaving an independent simplex clone;
not limited in number; restored only by a VDS switch of disks.
A DIFFERENTIAL ("Snapshot (Differential)") request is refused: the provider does not
support the volume in that context. The provider's ID and name are inferred.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import XpError
from apprm_ref.persist import persistable
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.models import Attr
from apprm_ref.sim.vss.providers import (
    HP_PROVIDER_VERSION,
    Lun,
    Target,
    array_of,
    hardware_context,
    vss_guid,
)

XP_PROVIDER_ID = vss_guid("provider", "HP XP VSS HW Provider")
MUS = (0, 1, 2)


@persistable("vss.XpProvider")
@dataclass
class XpProvider:
    name: str = "HP XP VSS HW Provider"
    provider_id: str = XP_PROVIDER_ID
    mode: str = "resync"  # resync | compliant
    commit_seconds: float = 1.0
    chosen: dict[str, int] = field(default_factory=dict)  # "array/pvol" -> MU prepared
    clones: list[str] = field(default_factory=list)  # "array/ldev" holding compliant copies
    held: list[str] = field(default_factory=list)  # "array/pvol/mu" holding resync copies

    provider_type = "Hardware"  # both HP providers are hardware providers (VSS_PROV_HARDWARE)
    version = HP_PROVIDER_VERSION

    @staticmethod
    def _xp(world: Any, array: str) -> Any:
        from apprm_ref.sim.xp.backend import XpBackend

        return array_of(world, array, XpBackend)

    def are_luns_supported(self, world: Any, luns: tuple[Lun, ...], context: int) -> bool:
        if context & Attr.DIFFERENTIAL or not hardware_context(context) or not luns:
            return False
        for lun in luns:
            xp = self._xp(world, lun.array)
            if xp is None or xp.is_excluded(lun.volume):
                return False
        return True

    def begin_prepare(self, world: Any, lun: Lun, context: int) -> float:
        """Pick the pair that will hold the copy; start its copy if it is not mirroring."""
        xp = self._xp(world, lun.array)
        try:
            if self.mode == "resync":
                mu, ready = self._prepare_resync(xp, lun.array, lun.volume)
            else:
                mu, ready = self._prepare_clone(xp, lun.array, lun.volume)
        except XpError as exc:
            refuse("VSS_E_PROVIDER_VETO", f"{self.name}: {lun.volume}: {exc}")
        self.chosen[f"{lun.array}/{lun.volume}"] = mu
        return max(float(world.now()), ready)

    def _prepare_resync(self, xp: Any, array: str, pvol: str) -> tuple[int, float]:
        """The lowest MU holding no shadow copy: mirroring already, resynced, or created."""
        from apprm_ref.sim.xp.models import MIRRORING

        pairs = {p.mu: p for p in xp.pairs_of_pvol(pvol) if p.mu in MUS}
        for mu in MUS:
            if f"{array}/{pvol}/{mu}" in self.held:
                continue
            pair = pairs.get(mu)
            if pair is None:
                svols = xp.free_svols(pvol)
                if svols:
                    return mu, xp.paircreate(pvol, svols[0], mu)
                continue
            if pair.state in MIRRORING:
                return mu, pair.copy_done_at or xp.now()
            return mu, xp.pairresync([(pvol, mu)])
        refuse(
            "VSS_E_MAXIMUM_NUMBER_OF_SNAPSHOTS_REACHED",
            f"{self.name}: {pvol} holds shadow copies on MU 0, 1, 2",
        )

    def _prepare_clone(self, xp: Any, array: str, pvol: str) -> tuple[int, float]:
        from apprm_ref.sim.xp.models import MIRRORING

        pairs = {p.mu: p for p in xp.pairs_of_pvol(pvol) if p.mu in MUS}
        for mu in MUS:
            if mu in pairs and pairs[mu].state in MIRRORING:
                return mu, pairs[mu].copy_done_at or xp.now()
        if len(pairs) == len(MUS):
            refuse("VSS_E_PROVIDER_IN_USE", f"{self.name}: every MU of {pvol} is being split")
        svols = [s for s in xp.free_svols(pvol) if f"{array}/{s}" not in self.clones]
        if not svols:
            refuse("VSS_E_INSUFFICIENT_STORAGE", f"{self.name}: no free S-VOL for {pvol}")
        mu = next(m for m in MUS if m not in pairs)
        return mu, xp.paircreate(pvol, svols[0], mu)

    def commit(self, world: Any, luns: tuple[Lun, ...], context: int) -> list[Target]:
        by_array: dict[str, list[Lun]] = {}
        for lun in luns:
            by_array.setdefault(lun.array, []).append(lun)
        made: list[Target] = []
        for array in sorted(by_array):
            xp = self._xp(world, array)
            keys = [
                (lun.volume, self.chosen.pop(f"{array}/{lun.volume}", 0)) for lun in by_array[array]
            ]
            try:
                xp.pairsplit(keys)
                svols = {k: _svol(xp, k) for k in keys}
                if self.mode == "compliant":
                    xp.pairdelete(keys)
                    self.clones += [f"{array}/{svols[k]}" for k in keys]
                else:
                    self.held += [f"{array}/{k[0]}/{k[1]}" for k in keys]
            except XpError as exc:
                self.abort(world, made)
                refuse("VSS_E_PROVIDER_VETO", f"{self.name}: {array}: {exc}")
            kind = "mirror" if self.mode == "resync" else "clone"
            made += [
                Target(lun, array, svols[k], kind, k[1])
                for lun, k in zip(by_array[array], keys, strict=True)
            ]
        return made

    def abort(self, world: Any, targets: list[Target]) -> None:
        for t in reversed(targets):
            self.on_lun_empty(world, t)

    def locate_luns(self, world: Any, targets: list[Target], host: str) -> None:
        for t in targets:
            self._xp(world, t.array).present(t.volume, host)

    def unlocate(self, world: Any, targets: list[Target], host: str) -> None:
        for t in targets:
            xp = self._xp(world, t.array)
            if host in xp.presented_to(t.volume):
                xp.unpresent(t.volume, host)

    def on_lun_empty(self, world: Any, target: Target) -> None:
        """Resync mode: the pair is resynchronised, its MU free again; a compliant clone's
        LDEV simply returns to the free S-VOLs once no host sees it."""
        xp = self._xp(world, target.array)
        for host in xp.presented_to(target.volume):
            xp.unpresent(target.volume, host)
        if target.kind != "mirror":
            name = f"{target.array}/{target.volume}"
            self.clones = [c for c in self.clones if c != name]
            return
        self.held = [
            h for h in self.held if h != f"{target.array}/{target.source.volume}/{target.mu}"
        ]
        pair = xp.pair_of_svol(target.volume)
        if pair is not None:
            try:
                xp.pairresync([(pair.pvol, pair.mu)])
            except XpError as exc:
                refuse("VSS_E_PROVIDER_VETO", f"{self.name}: {target.volume}: {exc}")


def _svol(xp: Any, key: tuple[str, int]) -> str:
    return str(next(p.svol for p in xp.pairs_of_pvol(key[0]) if p.mu == key[1]))
