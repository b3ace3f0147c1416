"""The VSS service of one Windows host: its writers' status, its providers, the shadow copies
it knows and the one set creation it allows at a time (VC-I2).

Writers are not stored: they are the in-box writers plus those every application backend of
the world offers through ``vss_writers(host)``; only each writer's status is (its state and
last error outlive a session until the hosting service restarts, VC-P18, VSS-9).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from apprm_ref.errors import HostError
from apprm_ref.persist import persistable
from apprm_ref.sim.host.windows_names import access_path, win_scan_mounts
from apprm_ref.sim.vss.errors import refuse
from apprm_ref.sim.vss.models import Attr, ShadowCopy, ShadowSet, WriterState, WriterStatus
from apprm_ref.sim.vss.providers import Lun, Provider, Target, vss_guid
from apprm_ref.sim.vss.writers import INBOX, Writer


@dataclass(frozen=True)
class VolumeRef:
    """A volume as VSS names it, with the LUNs under it."""

    guid_path: str
    label: str  # its access path ("E:\\"), "" when it has none
    luns: tuple[Lun, ...]


@persistable("vss.Service")
@dataclass(eq=False)
class VssService:
    host: str
    providers: list[Any] = field(default_factory=list)  # EvaProvider, XpProvider
    statuses: dict[str, WriterStatus] = field(default_factory=dict)
    shadows: dict[str, ShadowCopy] = field(default_factory=dict)
    sets: dict[str, ShadowSet] = field(default_factory=dict)
    creating: str = ""  # the set whose creation is in flight (VC-I2)
    files: dict[str, str] = field(default_factory=dict)  # small files of C: (.cab), by UPPER path
    serial: int = 0  # numbers GUIDs and shadow devices deterministically
    world: Any = field(default=None, metadata={"transient": True}, repr=False)

    # --- writers ---------------------------------------------------------------------------

    def writers(self) -> list[Writer]:
        """Every writer on the host, in-box first, then the applications' by key."""
        found: list[Writer] = list(INBOX)
        for name in sorted(self.world.apps):
            offer = getattr(self.world.apps[name], "vss_writers", None)
            if offer is not None:
                found += sorted(offer(self.host), key=lambda w: w.key)
        return found

    def status(self, writer: Writer) -> WriterStatus:
        st = self.statuses.get(writer.key)
        if st is None:
            meta_id = writer.key.split("/", 1)[0]
            st = WriterStatus(meta_id, vss_guid(self.host, writer.key, "0"))
        return st

    def set_status(self, writer: Writer, state: WriterState, error: str | None = None) -> None:
        st = self.statuses.setdefault(writer.key, self.status(writer))
        st.state = state
        if error is not None:
            st.last_error = error

    def restart_service(self, service: str) -> list[str]:
        """Restart a Windows service: its writers come back STABLE with no error and a new
        instance ID (the documented way out of a failed state, VSS-9). Returns their keys."""
        keys = [w.key for w in self.writers() if w.service.lower() == service.lower()]
        if not keys:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{self.host}: no writer runs in service {service}")
        for w in self.writers():
            if w.key in keys:
                st = self.statuses.setdefault(w.key, self.status(w))
                st.generation += 1
                st.instance_id = vss_guid(self.host, w.key, str(st.generation))
                st.state, st.last_error = WriterState.STABLE, "S_OK"
        return keys

    # --- providers and volumes -------------------------------------------------------------

    def provider(self, provider_id: str) -> Provider:
        pid = provider_id.strip("{}").lower()
        for p in self.providers:
            if p.provider_id == pid:
                return p  # type: ignore[no-any-return]
        refuse("VSS_E_PROVIDER_NOT_REGISTERED", f"{self.host}: provider {{{pid}}}")

    def resolve(self, volume: str) -> VolumeRef:
        """``E:``, ``E:\\``, a mount folder or ``\\\\?\\Volume{…}\\`` -> the volume and LUNs."""
        hb = self.world.hosts
        host = hb.host(self.host)
        for info in hb.windows.volumes(self.host):
            label = info.access_path or ""
            if _same_volume(volume, info.guid_path, label):
                disk = next(d for d in host.disks.values() if d.number == info.disk)
                dev = hb.windows.device_of(host, disk)
                return VolumeRef(info.guid_path, label, (Lun(dev.array, dev.volume, dev.wwn),))
        refuse("VSS_E_OBJECT_NOT_FOUND", f"{self.host}: no volume {volume}")

    def volume_of_path(self, path: str) -> VolumeRef:
        """The volume holding a file or folder path (longest access path; the requester's
        mapping of a component's files to the volumes of the set)."""
        host = self.world.hosts.host(self.host)
        mnt, _ = win_scan_mounts(host, path)
        return self.resolve(mnt.mount_point)

    def supporting(self, ref: VolumeRef, context: int) -> list[Provider]:
        return [p for p in self.providers if p.are_luns_supported(self.world, ref.luns, context)]

    # --- identifiers -----------------------------------------------------------------------

    def new_guid(self, what: str) -> str:
        self.serial += 1
        return vss_guid(self.host, what, str(self.serial))

    # --- shadow copies ---------------------------------------------------------------------

    def shadow(self, shadow_id: str) -> ShadowCopy:
        sid = shadow_id.strip("{}").lower()
        if sid not in self.shadows:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{self.host}: no shadow copy {{{sid}}}")
        return self.shadows[sid]

    def target_of(self, sc: ShadowCopy) -> Target:
        return Target(Lun(sc.array, sc.source, ""), sc.array, sc.target, sc.kind, sc.mu)

    def delete_shadow(self, shadow_id: str) -> ShadowCopy:
        """Release a shadow copy: every host that sees it (exposed, or imported) lets go of
        its disk, the provider drops the LUN once, and every record of it goes."""
        sc = self.shadow(shadow_id)
        twins = self.twins(sc)
        for svc, twin in twins:
            if twin.exposed:
                svc.unexpose(twin.shadow_id)
            if twin.attributes & Attr.IMPORTED:
                svc._offline(twin)
        self.provider(sc.provider_id).on_lun_empty(self.world, self.target_of(sc))
        for svc, twin in twins:
            if twin.attributes & Attr.IMPORTED:
                self.world.hosts.rescan(svc.host)
            svc._forget(twin)
        return sc

    def twins(self, sc: ShadowCopy) -> list[tuple[VssService, ShadowCopy]]:
        """Every service's record of the same shadow LUN (the original and its imports)."""
        out = []
        for svc in all_services(self.world):
            for other in svc.shadows.values():
                if (other.array, other.target) == (sc.array, sc.target):
                    out.append((svc, other))
        return out

    def _offline(self, sc: ShadowCopy) -> None:
        hb = self.world.hosts
        disk = hb.host(self.host).disks.get(self.world.arrays[sc.array].volume_wwn(sc.target))
        if disk is not None and disk.online:
            hb.windows.offline_disk(self.host, disk.number)

    def _forget(self, sc: ShadowCopy) -> None:
        del self.shadows[sc.shadow_id]
        ss = self.sets.get(sc.set_id)
        if ss is not None:
            ss.shadow_ids = [s for s in ss.shadow_ids if s != sc.shadow_id]
            if not ss.shadow_ids:
                del self.sets[sc.set_id]

    def forget_shadow(self, shadow_id: str) -> ShadowCopy:
        """The shadow copy no longer exists as such (VDS switch made it the source, VC-I14)."""
        sc = self.shadow(shadow_id)
        self._forget(sc)
        return sc

    # --- expose ----------------------------------------------------------------------------

    def expose(self, shadow_id: str, path: str) -> str:
        """Surface the shadow LUN on this host and give its volume ``path`` (read-only)."""
        sc = self.shadow(shadow_id)
        if sc.exposed:
            refuse("VSS_E_OBJECT_ALREADY_EXISTS", f"{{{sc.shadow_id}}} is exposed at {sc.exposed}")
        if not sc.attributes & Attr.PERSISTENT:
            refuse("VSS_E_BAD_STATE", f"{{{sc.shadow_id}}} is not persistent; it cannot be exposed")
        hb, win = self.world.hosts, self.world.hosts.windows
        target = self.target_of(sc)
        provider = self.provider(sc.provider_id)
        if not sc.attributes & Attr.IMPORTED:
            provider.locate_luns(self.world, [target], self.host)
        try:
            guid = self._surface(target)
            win.add_path(self.host, path, guid, read_only=True)
        except HostError:
            if not sc.attributes & Attr.IMPORTED:
                provider.unlocate(self.world, [target], self.host)
                hb.rescan(self.host)
            raise
        sc.exposed = access_path(path)
        sc.attributes |= Attr.EXPOSED_LOCALLY
        return sc.exposed

    def _surface(self, target: Target) -> str:
        """Rescan, bring the shadow LUN's disk online read-only, return its volume GUID path."""
        hb, win = self.world.hosts, self.world.hosts.windows
        hb.rescan(self.host)
        wwn = self.world.arrays[target.array].volume_wwn(target.volume)
        disk = hb.host(self.host).disks.get(wwn)
        if disk is None:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{self.host}: shadow LUN {target.volume} not seen")
        if not disk.online:
            win.online_disk(self.host, disk.number, read_only=True)
        vols = [v for v in win.volumes(self.host) if v.disk == disk.number]
        if not vols:
            refuse(
                "VSS_E_OBJECT_NOT_FOUND", f"{self.host}: no volume on shadow LUN {target.volume}"
            )
        return vols[0].guid_path

    def unexpose(self, shadow_id: str) -> None:
        sc = self.shadow(shadow_id)
        if not sc.exposed:
            refuse("VSS_E_OBJECT_NOT_FOUND", f"{{{sc.shadow_id}}} is not exposed")
        hb, win = self.world.hosts, self.world.hosts.windows
        win.dismount(self.host, sc.exposed)
        if not sc.attributes & Attr.IMPORTED:
            self._offline(sc)
            self.provider(sc.provider_id).unlocate(self.world, [self.target_of(sc)], self.host)
            hb.rescan(self.host)
        sc.exposed = ""
        sc.attributes &= ~Attr.EXPOSED_LOCALLY

    # --- invariants ------------------------------------------------------------------------

    def problems(self) -> list[str]:
        out = []
        in_flight = {s.set_id for s in self.sets.values()} | {self.creating}
        for key, st in sorted(self.statuses.items()):
            if st.state == WriterState.WAITING_FOR_THAW and not self.creating:
                out.append(f"{self.host}: writer {key} left frozen (VC-P2)")
        for sid, sc in sorted(self.shadows.items()):
            if sc.set_id not in in_flight:
                out.append(f"{self.host}: shadow copy {sid} belongs to no set")
            array = self.world.arrays.get(sc.array)
            if array is not None and not _has_volume(array, sc.target):
                out.append(f"{self.host}: shadow copy {sid} lost its LUN {sc.target}")
        return out


def all_services(world: Any) -> list[VssService]:
    """The VSS services of every host, by backend and host name."""
    out: list[VssService] = []
    for name in sorted(world.apps):
        services = getattr(world.apps[name], "services", None)
        if isinstance(services, dict):
            out += [s for _, s in sorted(services.items()) if isinstance(s, VssService)]
    return out


def _has_volume(array: Any, volume: str) -> bool:
    try:
        array.volume_wwn(volume)
    except Exception:  # the array's own NotFound/refusal
        return False
    return True


def _same_volume(name: str, guid_path: str, label: str) -> bool:
    want = name.strip().upper().rstrip("\\")
    return want in (guid_path.upper().rstrip("\\"), label.upper().rstrip("\\")) and bool(want)
