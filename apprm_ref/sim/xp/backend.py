"""The XP array: LDEVs, LUN paths to hosts, pairs, and the rules that guard them.

State is plain data (:mod:`apprm_ref.sim.xp.models`); the pair commands live in
:class:`~apprm_ref.sim.xp.pairs.PairCommands` and the checks in
:mod:`apprm_ref.sim.xp.invariants`. Host I/O goes through the BlockStore methods here, so
a host writing to a protected S-VOL is refused by the array itself, and every accepted
write is recorded in the difference bitmaps of the pairs it touches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apprm_ref.persist import persistable
from apprm_ref.sim import iopath
from apprm_ref.sim.storage import DEFAULT_EXTENT_BYTES, VolumeData
from apprm_ref.sim.xp import errors as xe
from apprm_ref.sim.xp.ca import ContinuousAccess
from apprm_ref.sim.xp.index import NONE_DUE, LunPaths, PairIndex
from apprm_ref.sim.xp.invariants import check_backend
from apprm_ref.sim.xp.models import (
    COPY_RS_R,
    MIRRORING,
    PAIR,
    SMPL,
    SVOL_WRITABLE,
    TRACKING,
    HostGroup,
    Ldev,
    Pair,
    ldev_id,
    ldev_number,
    pair_key,
)
from apprm_ref.sim.xp.pairs import PairCommands
from apprm_ref.sim.xp.timing import XpTiming

if TYPE_CHECKING:
    from apprm_ref.sim.world import World


@persistable("xp.Backend")
@dataclass(eq=False)
class XpBackend(PairCommands, ContinuousAccess):
    name: str
    serial: int = 64123
    model: str = "XP24000"
    ldevs: dict[str, Ldev] = field(default_factory=dict)
    host_groups: dict[str, HostGroup] = field(default_factory=dict)
    pairs: dict[str, Pair] = field(default_factory=dict)
    excluded: list[str] = field(default_factory=list)  # the XP LDEV exclude file (XPexclude)
    timing: XpTiming = field(default_factory=XpTiming)
    swap_and_freeze: bool = False  # array option: quick restore keeps old P-VOL data on S-VOL
    pair_commands: int = 0  # accepted pair-changing commands (ARR-P11 checks none ran)
    splits: int = 0  # splits ever made here: each split's generation (REL-I6)
    world: Any = field(default=None, metadata={"transient": True}, repr=False)
    # derived, never saved (index.py): pairs by volume (rebuilt when the set of pairs
    # changes), the scheduled copy completions, and the earliest of them (a lower bound;
    # ``settle`` does nothing before it)
    _index: Any = field(default=None, metadata={"transient": True}, repr=False)
    _wake: Any = field(default=None, metadata={"transient": True}, repr=False)
    _due: Any = field(default=None, metadata={"transient": True}, repr=False)
    _luns: Any = field(default=None, metadata={"transient": True}, repr=False)  # LunPaths

    kind = "xp"

    # --- world ------------------------------------------------------------------------

    def attach(self, world: World) -> None:
        """Store the world and re-schedule every running copy from its plain data."""
        self.world = world
        self._index, self._due, self._wake, self._luns = None, None, None, None
        for key in sorted(self.pairs):
            pair = self.pairs[key]
            if pair.copy_done_at is not None:
                self._schedule(pair)

    def now(self) -> float:
        return self.world.now() if self.world is not None else 0.0

    def check_invariants(self) -> list[str]:
        stale = self._index is not None and not self._index.same_as(PairIndex.build(self.pairs))
        self._index = None  # rebuild from the pairs themselves
        self.settle()
        found = ["index: the pairs-by-volume index differs from the pairs"] if stale else []
        if self._luns is not None and self._luns != LunPaths.build(self.host_groups):
            found.append("index: the LUN path index differs from the host groups")
        return found + check_backend(self)

    # --- LDEVs --------------------------------------------------------------------------

    def add_ldev(
        self,
        ldev: str | int,
        size_extents: int,
        *,
        extent_bytes: int = DEFAULT_EXTENT_BYTES,
        reserved: bool = False,
        parity_group: str = "1-1",
        raid: str = "raid5",
    ) -> Ldev:
        lid = ldev_id(ldev if isinstance(ldev, int) else ldev_number(ldev))
        if lid in self.ldevs:
            xe.refuse("EX_CMDRJE", f"LDEV {lid} already defined")
        if size_extents <= 0:
            xe.refuse("EX_INVARG", "LDEV size must be positive")
        new = Ldev(
            lid, VolumeData(size_extents, extent_bytes), parity_group, raid, reserved=reserved
        )
        self.ldevs[lid] = new
        return new

    def delete_ldev(self, lid: str) -> None:
        """Remove an LDEV that is in no pair and has no LUN path."""
        lid = self.ldev(lid).id
        if self.in_any_pair(lid) or self.presented_to(lid):
            xe.refuse("EX_CMDRJE", f"LDEV {lid} is paired or has LUN paths")
        del self.ldevs[lid]
        self.excluded = [x for x in self.excluded if x != lid]

    def ldev(self, lid: str) -> Ldev:
        found = self.ldevs.get(lid)  # keys are canonical CU:LDEV ids: the usual case
        if found is not None:
            return found
        try:
            return self.ldevs[ldev_id(ldev_number(lid))]
        except (KeyError, ValueError):
            xe.refuse("EX_ENLDEV", f"no LDEV {lid} in array {self.name} (serial {self.serial})")

    def exclude(self, lid: str) -> None:
        lid = self.ldev(lid).id
        if lid not in self.excluded:
            self.excluded = sorted([*self.excluded, lid])

    def include(self, lid: str) -> None:
        self.excluded = [x for x in self.excluded if x != self.ldev(lid).id]

    def is_excluded(self, lid: str) -> bool:
        return self.ldev(lid).id in self.excluded

    # --- pairs by volume ----------------------------------------------------------------

    def _by_volume(self) -> PairIndex:
        # dropped where pairs are added or removed; the length guards direct edits
        ix = self._index
        if ix is None or ix.count != len(self.pairs):
            ix = self._index = PairIndex.build(self.pairs)
        return ix

    def pairs_of_pvol(self, lid: str, kind: str | None = "BC") -> list[Pair]:
        """The pairs of P-VOL ``lid`` by MU: Business Copy ones, every kind with None."""
        ix = self._by_volume()
        if kind is None:
            return list(ix.by_pvol.get(lid, ()))
        if kind == "BC":
            return list(ix.bc_by_pvol.get(lid, ()))
        return [p for p in ix.by_pvol.get(lid, ()) if p.kind == kind]

    def pair_of_svol(self, lid: str) -> Pair | None:
        """The local BC pair whose S-VOL is ``lid``."""
        return self._by_volume().by_svol.get(lid)

    def ca_link(self, lid: str) -> tuple[XpBackend, Pair] | None:
        """(primary array, CA pair) when ``lid`` is the S-VOL of a Continuous Access pair."""
        link = self.ldevs[lid].ca_primary
        if not link:
            return None
        array, _, pvol = link.partition("/")
        primary = self.world.arrays[array]
        return primary, primary.pairs[pair_key(pvol, -1)]

    def is_l2(self, pair: Pair) -> bool:
        return pair.kind == "BC" and self.pair_of_svol(pair.pvol) is not None

    def in_any_pair(self, lid: str) -> bool:
        return bool(
            self.pairs_of_pvol(lid, None) or self.pair_of_svol(lid) or self.ldevs[lid].ca_primary
        )

    def free_svols(self, pvol: str) -> list[str]:
        """SMPL, same-size, not excluded LDEVs that could become an S-VOL of ``pvol``:
        reserved LDEVs first, then those no host uses (not presented anywhere)."""
        size = self.ldev(pvol).data.size_extents
        free = [
            lid
            for lid in sorted(self.ldevs)
            if lid != pvol
            and self.ldevs[lid].data.size_extents == size
            and lid not in self.excluded
            and not self.in_any_pair(lid)
        ]
        reserved = [lid for lid in free if self.ldevs[lid].reserved]
        unused = [
            lid for lid in free if not self.ldevs[lid].reserved and not self.presented_to(lid)
        ]
        return reserved + unused

    # --- content ------------------------------------------------------------------------

    def content(self, lid: str) -> VolumeData:
        """What ``lid`` reads now: an S-VOL that follows its P-VOL reads the P-VOL."""
        pair = self.pair_of_svol(lid)
        if pair is not None and pair.state in MIRRORING and not pair.swap_freeze:
            return self.content(pair.pvol)
        link = self.ca_link(lid)
        if link is not None and link[1].state in MIRRORING:
            return link[0].content(link[1].pvol)
        return self.ldevs[lid].data

    def touch(self, lid: str, tracks: set[int]) -> None:
        """``tracks`` of ``lid`` changed: record them where a pair tracks differences."""
        if not tracks:
            return
        ix = self._index  # ``_by_volume`` inline: host I/O is the hottest caller
        if ix is None or ix.count != len(self.pairs):
            ix = self._by_volume()
        for pair in ix.by_pvol.get(lid, ()):  # by MU; no pair is added or removed here
            state = pair.state
            if state in TRACKING or (state == PAIR and pair.swap_freeze):
                pair.pdiff |= tracks
            elif state in MIRRORING:
                svol = pair.svol
                if pair.kind == "CA":
                    self.world.arrays[pair.svol_array].touch(svol, tracks)
                # a change reaching the S-VOL of a mirroring BC pair goes further than the
                # S-VOL itself only through a cascaded pair, another pair naming it S-VOL or
                # a CA link (the S-VOL's own pair mirrors, so it records nothing)
                elif (
                    svol in ix.by_pvol
                    or ix.by_svol.get(svol) is not pair
                    or self.ldevs[svol].ca_primary
                ):
                    self.touch(svol, tracks)
        own = ix.by_svol.get(lid)
        if own is not None and own.state in TRACKING:
            own.sdiff |= tracks
        if self.ldevs[lid].ca_primary:
            link = self.ca_link(lid)
            if link is not None and link[1].state in TRACKING:
                link[1].sdiff |= tracks

    # --- host groups and LUN paths ------------------------------------------------------

    def lun_paths(self) -> LunPaths:
        """Paths by host and by LDEV, rebuilt from the host groups when missing."""
        if self._luns is None:
            self._luns = LunPaths.build(self.host_groups)
        return self._luns

    def add_host_group(self, port: str, gid: int, name: str, hosts: list[str]) -> HostGroup:
        hg = HostGroup(port, gid, name, sorted(hosts))
        if hg.key in self.host_groups:
            xe.refuse("EX_CMDRJE", f"host group {hg.key} exists")
        paths = self.lun_paths()  # built before the group joins, so it is added once
        self.host_groups[hg.key] = hg
        paths.group_added(hg)
        return hg

    def map_lun(self, port: str, gid: int, lun: int, lid: str) -> None:
        hg = self.host_groups.get(f"{port}-{gid}")
        if hg is None:
            xe.refuse("EX_ENOOBJ", f"no host group {port}-{gid}")
        lid = self.ldev(lid).id
        if lun in hg.luns:
            xe.refuse("EX_CMDRJE", f"LUN {lun} of {hg.key} is in use")
        self.lun_paths().mapped(hg.key, lun, lid)
        hg.luns[lun] = lid

    def present(self, lid: str, host: str, *, port: str = "CL1-A") -> int:
        """Map ``lid`` to ``host`` (creating its host group on ``port``); returns the LUN."""
        lid = self.ldev(lid).id
        paths = self.lun_paths()
        groups = list(paths.groups_of_host.get(host, ()))
        for g, lun in paths.paths.get(lid, ()):  # by group, then LUN
            if g in groups:
                return lun
        if groups:
            hg = self.host_groups[groups[0]]
        else:
            gids = [g.gid for g in self.host_groups.values() if g.port == port]
            hg = self.add_host_group(port, max(gids, default=-1) + 1, host, [host])
        lun = next(n for n in range(len(hg.luns) + 1) if n not in hg.luns)
        self.lun_paths().mapped(hg.key, lun, lid)
        hg.luns[lun] = lid
        return lun

    def unpresent(self, lid: str, host: str) -> None:
        lid = self.ldev(lid).id
        paths = self.lun_paths()
        mine = [(g, n) for g, n in paths.paths.get(lid, ()) if host in self.host_groups[g].hosts]
        if not mine:
            xe.refuse("EX_ENOOBJ", f"LDEV {lid} is not presented to {host}")
        for g, lun in mine:
            paths.unmapped(g, lun, lid)
            del self.host_groups[g].luns[lun]

    def paths_of(self, lid: str) -> list[tuple[str, int, int]]:
        """(port-with-host-group, target id, LUN) of every path to ``lid``."""
        return [(g, 0, lun) for g, lun in self.lun_paths().paths.get(lid, ())]

    def presented_to(self, lid: str) -> tuple[str, ...]:
        groups = dict.fromkeys(g for g, _ in self.lun_paths().paths.get(lid, ()))
        return tuple(sorted({h for g in groups for h in self.host_groups[g].hosts}))

    # --- BlockStore ----------------------------------------------------------------------

    def host_luns(self, host: str) -> list[tuple[int, str]]:
        seen: dict[str, int] = {}
        for g in self.lun_paths().groups_of_host.get(host, ()):  # sorted group keys
            for lun, lid in sorted(self.host_groups[g].luns.items()):
                seen.setdefault(lid, lun)
        return sorted((lun, lid) for lid, lun in seen.items())

    def volume_wwn(self, volume: str) -> str:
        return f"60060e80{self.serial:08x}0000{self.ldev(volume).number:012x}"

    def volume_extent_bytes(self, volume: str) -> int:
        return self.ldev(volume).data.extent_bytes

    def volume_extents(self, volume: str) -> int:
        return self.ldev(volume).data.size_extents

    def block_read(self, volume: str, extent: int) -> Any:
        self.settle()
        ldev = self.ldevs.get(volume)  # ``ldev``'s usual case, without its call
        if ldev is None:
            ldev = self.ldev(volume)
        if ldev.reserved and not self.in_any_pair(ldev.id):
            xe.refuse(xe.NOT_SERVED, f"LDEV {ldev.id} is reserved (no host I/O)")
        return self.content(ldev.id).read(extent)

    def block_read_run(self, volume: str, start: int, count: int) -> tuple[Any, ...]:
        """``block_read`` of ``count`` extents from ``start``. The first read settles; the
        others would settle again at the same instant, which does nothing unless a copy
        completion came due by now meanwhile (then the reads go one by one, as before)."""
        if count <= 0:
            return ()
        first = self.block_read(volume, start)
        if count == 1:
            return (first,)
        due = self._due
        if due is None or (due != NONE_DUE and due <= self.now()):
            return (first, *(self.block_read(volume, e) for e in range(start + 1, start + count)))
        return (first, *self.content(self.ldev(volume).id).read_run(start + 1, count - 1))

    def block_write(self, volume: str, items: dict[int, Any], *, host: str = "") -> None:
        """Host writes: settle, then refuse where the array would (reserved LDEV, S-VOL
        not writable, CA S-VOL read only, P-VOL being restored, extent outside), then
        write and record the changed tracks. The hottest path of the XP: the usual cases
        of ``settle`` and ``ldev`` are inline, every check is made every time; the compiled
        part (``iopath``) takes the case of no copy due, a plain LDEV and pairs that only
        record differences whole, and declines any other unchanged."""
        fast = iopath.COMPILED
        if fast is not None and fast.xp_write(self, volume, items):
            return
        due, world = self._due, self.world
        if due is None or (due != NONE_DUE and (world.now() if world is not None else 0.0) >= due):
            self.settle()
        ldev = self.ldevs.get(volume)
        if ldev is None:
            ldev = self.ldev(volume)
        if ldev.reserved and not self.in_any_pair(ldev.id):
            xe.refuse(xe.NOT_SERVED, f"LDEV {ldev.id} is reserved (no host I/O)")
        ix = self._index  # ``_by_volume`` inline: host I/O is the hottest caller
        if ix is None or ix.count != len(self.pairs):
            ix = self._by_volume()
        own = ix.by_svol.get(ldev.id)
        if own is not None and own.state not in SVOL_WRITABLE:
            xe.refuse(xe.WRITE_PROTECTED, f"S-VOL {ldev.id} is {own.state}: host writes refused")
        link = self.ca_link(ldev.id) if ldev.ca_primary else None
        if link is not None and not (link[1].state in SVOL_WRITABLE and link[1].svol_rw):
            xe.refuse(xe.WRITE_PROTECTED, f"CA S-VOL {ldev.id} is {link[1].state}: read only")
        for pair in ix.bc_by_pvol.get(ldev.id, ()):
            if pair.state == COPY_RS_R:
                xe.refuse(xe.WRITE_PROTECTED, f"P-VOL {ldev.id} is being restored (RCPY)")
        size = ldev.data.size_extents
        for index in items:
            if not 0 <= index < size:
                xe.refuse(xe.NOT_SERVED, f"extent {index} outside LDEV {ldev.id}")
        ldev.data.delta.update(items)  # VolumeData.write_many: the extents are checked above
        lid = ldev.id
        if own is not None or lid in ix.by_pvol or ldev.ca_primary:  # else touch finds none
            self.touch(lid, set(items))

    def pair_state(self, pvol: str, mu: int) -> str:
        self.settle()
        pair = self.pairs.get(pair_key(self.ldev(pvol).id, mu))
        return pair.state if pair is not None else SMPL


iopath.configure_xp(NONE_DUE, SVOL_WRITABLE, COPY_RS_R, TRACKING, MIRRORING, PAIR, XpBackend)
