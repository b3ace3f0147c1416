"""VDS for instant recovery on the application host (VC-I13, VC-I14; vss-and-core.md §5.5–5.6).

``lun_info`` gives the replica details the product records for instant recovery.
``switch`` is the switch of disks: every volume of the set (or the volumes named) is taken
offline on the host (refused while in use, VDS_E_DEVICE_IN_USE), the replica LUN takes the
source's place, and the volumes come back on the access paths they had. It consumes the
replica: its shadow-copy records are gone on every host. EVA: only from a normalized
snapclone (the array's rules). XP: only a VSS-compliant clone; a resync-mode copy is restored
by ``resync_restore`` (reverse resync into the P-VOL, which destroys the old source's data).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from apprm_ref.errors import ArrayError
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.models import ShadowCopy
from apprm_ref.sim.vss.service import VssService


@dataclass(frozen=True)
class LunInfo:
    """What VDS reports of a replica LUN (the gist of VDS_LUN_INFORMATION)."""

    shadow_id: str
    array: str
    target: str
    target_wwn: str
    source: str
    kind: str
    mu: int


@dataclass
class Vds:
    service: VssService

    @property
    def world(self) -> Any:
        return self.service.world

    def lun_info(self, shadow_id: str) -> LunInfo:
        sc = self.service.shadow(shadow_id)
        wwn = self.world.arrays[sc.array].volume_wwn(sc.target)
        return LunInfo(sc.shadow_id, sc.array, sc.target, wwn, sc.source, sc.kind, sc.mu)

    def _members(self, set_id: str, volumes: tuple[str, ...]) -> list[ShadowCopy]:
        ss = self.service.sets.get(set_id.strip("{}").lower())
        if ss is None:
            refuse(
                "VSS_E_OBJECT_NOT_FOUND", f"{self.service.host}: no shadow copy set {{{set_id}}}"
            )
        members = [self.service.shadows[s] for s in ss.shadow_ids]
        if volumes:
            want = {v.upper().rstrip("\\") for v in volumes}
            members = [m for m in members if m.volume_label.upper().rstrip("\\") in want]
            if len(members) != len(want):
                refuse("VSS_E_OBJECT_NOT_FOUND", f"set {{{set_id}}} lacks one of {sorted(want)}")
        return members

    def switch(self, set_id: str, volumes: tuple[str, ...] = ()) -> list[str]:
        """Switch of disks for the set's volumes; returns the access paths recovered."""
        members = self._members(set_id, volumes)
        for sc in members:
            if sc.kind not in ("snapclone", "clone"):
                refuse(
                    "VSS_E_PROVIDER_VETO",
                    f"{{{sc.shadow_id}}} is a {sc.kind}: a VDS switch needs a clone",
                )
        paths = self._take_offline(members)
        wwns = []
        for sc in members:
            self._release_elsewhere(sc)
            try:
                wwns.append(self._array_switch(sc))
            except ArrayError as exc:
                refuse("VSS_E_PROVIDER_VETO", f"VDS switch of {sc.volume_label}: {exc}")
        self._bring_back(paths, wwns)
        return sorted(paths.values())

    def _take_offline(self, members: list[ShadowCopy]) -> dict[str, str]:
        """Offline the source disks (refused while a volume is in use): GUID -> path."""
        hb, win, host = self.world.hosts, self.world.hosts.windows, self.service.host
        paths: dict[str, str] = {}
        disks = []
        for sc in members:
            wwn = self.world.arrays[sc.array].volume_wwn(sc.source)
            disk = hb.host(host).disks.get(wwn)
            if disk is None:
                refuse("VSS_E_OBJECT_NOT_FOUND", f"{host}: the source of {sc.volume_label} is gone")
            busy = [
                m.mount_point for m in hb.host(host).mounts.values() if m.vg == wwn and m.holders
            ]
            if busy:
                from apprm_ref.sim.host.windows_names import win_error

                raise win_error("VDS_E_DEVICE_IN_USE", f"{host}: {busy[0]}")
            disks.append(disk)
        for disk in disks:
            for m in hb.host(host).mounts.values():
                if m.vg == disk.wwn:
                    paths[m.lv] = m.mount_point
            if disk.online:
                win.offline_disk(host, disk.number)
        return paths

    def _release_elsewhere(self, sc: ShadowCopy) -> None:
        """The replica leaves every host that sees it, and every record of it goes."""
        for svc, twin in self.service.twins(sc):
            if twin.exposed:
                svc.unexpose(twin.shadow_id)
            if svc is not self.service:
                svc._offline(twin)
                svc.provider(twin.provider_id).unlocate(self.world, [svc.target_of(twin)], svc.host)
                self.world.hosts.rescan(svc.host)
            svc._forget(twin)

    def _array_switch(self, sc: ShadowCopy) -> str:
        """The replica takes the source's place; returns the WWN the host now reads."""
        array = self.world.arrays[sc.array]
        host = self.service.host
        if sc.kind == "snapclone":
            wwn = array.volume_wwn(sc.source)  # the snapclone takes the source's WWN
            array.restore_switch(sc.source, sc.target)
            self._repoint(sc.source, sc.target, sc.array)
            return str(wwn)
        array.unpresent(sc.source, host)
        array.present(sc.target, host)
        return str(array.volume_wwn(sc.target))

    def _repoint(self, old: str, new: str, array: str) -> None:
        """Other copies of the recovered source now belong to the volume that replaced it."""
        for svc in _services(self.world):
            for other in svc.shadows.values():
                if other.array == array and other.source == old:
                    other.source = new

    def _bring_back(self, paths: dict[str, str], wwns: list[str]) -> None:
        hb, win, host = self.world.hosts, self.world.hosts.windows, self.service.host
        hb.rescan(host)
        for disk in sorted(hb.host(host).disks.values(), key=lambda d: d.number):
            if disk.wwn in wwns and not disk.online:
                win.online_disk(host, disk.number)
        mounted = {m.lv for m in hb.host(host).mounts.values()}
        for guid, path in sorted(paths.items(), key=lambda kv: kv[1]):
            if guid not in mounted and path not in hb.host(host).mounts:
                win.add_path(host, path, guid)

    def resync_restore(self, set_id: str, *, quick: bool = False) -> float:
        """XP resync mode: reverse-resync each S-VOL into its P-VOL (the old source is lost);
        the shadow copy stays (its pair is resynchronised later). Returns when done."""
        members = self._members(set_id, ())
        for sc in members:
            if sc.kind != "mirror":
                refuse(
                    "VSS_E_PROVIDER_VETO",
                    f"{{{sc.shadow_id}}} is a {sc.kind}: not restorable by resync",
                )
        paths = self._take_offline(members)
        wwns = [str(self.world.arrays[sc.array].volume_wwn(sc.source)) for sc in members]
        done = self.world.now()
        for sc in members:
            xp = self.world.arrays[sc.array]
            try:
                others = [
                    (p.pvol, p.mu)
                    for p in xp.pairs_of_pvol(sc.source)
                    if p.mu != sc.mu and p.state in ("PAIR", "COPY(PD)", "COPY(RS)")
                ]
                if others:  # a reverse resync needs the P-VOL's other pairs split
                    xp.pairsplit(others, quick=True)
                done = max(done, xp.pairresync([(sc.source, sc.mu)], restore=True, quick=quick))
            except ArrayError as exc:
                self._bring_back(paths, wwns)
                refuse("VSS_E_PROVIDER_VETO", f"resync restore of {sc.volume_label}: {exc}")
        self._bring_back(paths, wwns)
        return float(done)


def _services(world: Any) -> list[VssService]:
    from apprm_ref.sim.vss.service import all_services

    return all_services(world)
