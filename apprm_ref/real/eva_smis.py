"""Real EVA driver (``eva-smis``): the :class:`~apprm_ref.drivers.array.SnapshotArray`
Protocol spoken over SMI-S / WBEM with pywbem (protocols.md section 1).

Everything goes through the ``pywbem.WBEMConnection`` client API: ``EnumerateInstances``,
``GetInstance``, ``References`` / ``Associators`` over ``CIM_StorageSynchronized``,
``CIM_ProtocolControllerForUnit`` and ``CIM_ElementCapabilities``, and ``InvokeMethod`` on
the replication, storage configuration and controller configuration services. Refusals
come back as SMI-S return values plus the provider's ``HPEVA_ErrorCode`` and are raised as
:class:`~apprm_ref.errors.EvaError` with the same codes as the simulator's protocol door.

Volume ids are the EVA object ids (``DeviceID``, 40 hex digits). In tests the connection
is the simulator's ``pywbem_mock`` door, so the calls and parsing here are what runs.
Background copies (snapclone unsharing, copy-back) are not waited for: the target is
usable at once and ``copy_state`` reports the copy; only a method whose result is known
when its job ends is awaited, polling ``CIM_ConcreteJob`` with ``poll(seconds)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pywbem import CIMInstanceName, Uint16

from apprm_ref.drivers.array import CopyState, PoolInfo, ReplicaRequest, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.errors import EvaError
from apprm_ref.real import eva_smis_parse as parse
from apprm_ref.real.eva_smis_wbem import (
    ACCESS_READ_WRITE,
    CONFIGURATION,
    CONTROLLER,
    DR_GROUP,
    PCFU,
    REPLICATION,
    SYNC,
    WbemClient,
)
from apprm_ref.types import Op, ReplicaType, TargetVolume, VolumeRef


class EvaSmisDriver(WbemClient):
    """``EvaSmisDriver(conn, now=clock)``; ``system_name`` picks the array (its ``Name`` or
    ``ElementName``) when the provider manages several; ``poll(seconds)`` waits between
    job polls (``time.sleep`` for a real CIMOM)."""

    # --- inventory -----------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        caps = self._call(
            "Associators",
            self._service(REPLICATION),
            AssocClass="CIM_ElementCapabilities",
            ResultClass="CIM_ReplicationServiceCapabilities",
        )
        try:
            masking = self._service(CONTROLLER) is not None
        except EvaError:
            masking = False
        return parse.capabilities(
            self.system,
            caps[0] if caps else None,
            masking=masking,
            dr_groups=self._has_class(DR_GROUP),
        )

    def list_volumes(self) -> list[VolumeInfo]:
        vols = [v for v in self._enum("CIM_StorageVolume") if self._mine(v.path)]
        sources = {
            parse.dev_of(s["SyncedElement"]): parse.dev_of(s["SystemElement"])
            for s in self._enum(SYNC)
        }
        views = {
            str(v["DeviceID"]): str(v["ElementName"])
            for v in self._enum("CIM_SCSIProtocolController")
        }
        luns = parse.presentations(self._enum(PCFU), views)
        infos = [
            parse.volume_info(
                self.name, v, sources.get(str(v["DeviceID"])), luns.get(str(v["DeviceID"]), {})
            )
            for v in vols
        ]
        return sorted(infos, key=lambda i: i.ref)

    def volume_info(self, volume: str) -> VolumeInfo:
        inst = self._volume(volume)
        syncs = self._call("References", inst.path, ResultClass=SYNC, Role="SyncedElement")
        source = parse.dev_of(syncs[0]["SystemElement"]) if syncs else None
        return parse.volume_info(self.name, inst, source, self._luns(inst.path))

    def volumes_info(self, volumes: Sequence[str]) -> dict[str, VolumeInfo]:
        """One GetInstance per volume asked about, not an enumeration of the array."""
        out: dict[str, VolumeInfo] = {}
        for vid in volumes:
            try:
                out[vid] = self.volume_info(vid)
            except EvaError as exc:
                if exc.code != "EVA_NO_SUCH_OBJECT":
                    raise
        return out

    def _luns(self, path: CIMInstanceName) -> dict[str, int]:
        """Host -> LUN of one volume, following CIM_ProtocolControllerForUnit."""
        views = self._call("Associators", path, AssocClass=PCFU, Role="Dependent")
        refs = self._call("References", path, ResultClass=PCFU, Role="Dependent")
        names = {str(v["DeviceID"]): str(v["ElementName"]) for v in views}
        return parse.presentations(refs, names).get(str(path.keybindings["DeviceID"]), {})

    def target_identities(self, volumes: Sequence[str]) -> dict[str, dict[str, str]]:
        """WWN (``Name``) and object id (``DeviceID``); the provider reports no creation
        instant, so none is compared (REL-I6)."""
        return {
            vid: {"wwn": info.wwn, "object_id": info.ref.volume}
            for vid, info in self.volumes_info(volumes).items()
        }

    def volume_by_wwn(self, wwn: str) -> VolumeInfo:
        for v in self._enum("CIM_StorageVolume"):
            if self._mine(v.path) and str(v["Name"]).lower() == wwn.lower():
                return self.volume_info(str(v["DeviceID"]))
        raise EvaError(f"no vdisk with WWN {wwn} on {self.name}", code="EVA_NO_SUCH_OBJECT")

    def targets_of(self, source: str) -> list[VolumeInfo]:
        inst = self._volume(source)
        syncs = self._call("References", inst.path, ResultClass=SYNC, Role="SystemElement")
        return [self.volume_info(d) for d in parse.by_establishment(syncs)]

    def copy_state(self, target: str) -> CopyState:
        inst = self._volume(target)
        syncs = self._call("References", inst.path, ResultClass=SYNC)
        return parse.copy_state(target, syncs, self._now())

    def pools(self) -> list[PoolInfo]:
        out = [
            PoolInfo(
                str(p.get("ElementName") or p.get("PoolID")),
                int(p["TotalManagedSpace"] or 0),
                int(p["RemainingManagedSpace"] or 0),
            )
            for p in self._enum("CIM_StoragePool")
        ]
        return sorted(out, key=lambda p: p.name)

    def snapshot_limit(self, source: str) -> int:
        v = self._volume(source)
        return parse.snapshot_limit(int(v["BlockSize"]) * int(v["NumberOfBlocks"]))

    def dr_group_state(self, volume: str) -> str | None:
        """State of the CA EVA DR group holding ``volume`` (HPEVA_OrderedMemberOfCollection
        to an HPEVA_DRGroup), None if it is in none or the provider has no DR groups."""
        inst = self._volume(volume)
        if not self._has_class(DR_GROUP):
            return None
        groups = self._call(
            "Associators", inst.path, AssocClass="CIM_MemberOfCollection", ResultClass=DR_GROUP
        )
        return str(groups[0]["HPEVA_State"]).lower() if groups else None

    # --- presentation --------------------------------------------------------------------

    def present(self, volume: str, host: str, lun: int | None = None) -> Op[int]:
        inst = self._volume(volume)
        rc, out = self._invoke(
            CONTROLLER,
            "ExposePaths",
            LUNames=[str(inst["Name"])],
            InitiatorPortIDs=[host],
            DeviceNumbers=None if lun is None else [f"{lun:04X}"],
            DeviceAccesses=[Uint16(ACCESS_READ_WRITE)],
        )
        self._finish(rc, out)
        luns = self._luns(inst.path)
        if host not in luns:
            raise EvaError(f"{volume} not visible to {host} after ExposePaths", code="SMIS_FAILED")
        return self._op(luns[host])

    def unpresent(self, volume: str, host: str) -> Op[None]:
        inst = self._volume(volume)
        rc, out = self._invoke(
            CONTROLLER, "HidePaths", LUNames=[str(inst["Name"])], InitiatorPortIDs=[host]
        )
        self._finish(rc, out)
        return self._op()

    # --- replicas ------------------------------------------------------------------------

    def create_replicas(self, requests: Sequence[ReplicaRequest]) -> Op[list[TargetVolume]]:
        """All targets at one instant: CreateElementReplica for one, CreateListReplica for
        several (all or nothing). Snapclones return 4096 with the unsharing job, which is
        not waited for: the target exists at once."""
        kinds = []
        for r in requests:
            kind = parse.SYNC_OF_TYPE.get(ReplicaType(r.replica_type))
            if kind is None:
                raise EvaError(
                    f"an EVA cannot make {r.replica_type} replicas", code="EVA_INVALID_PARAMETER"
                )
            kinds.append(kind)
        if not requests:
            return self._op([])
        if len(requests) == 1:
            paths = [self._create_one(requests[0], *kinds[0])]
        else:
            paths = self._create_list(requests, kinds)
        return self._op([self._target(r, p) for r, p in zip(requests, paths, strict=True)])

    def _create_one(self, r: ReplicaRequest, sync: int, snap: str | None) -> CIMInstanceName:
        rc, out = self._invoke(
            REPLICATION,
            "CreateElementReplica",
            ElementName=r.name or None,
            SyncType=Uint16(sync),
            SourceElement=self._vol_path(r.source),
            TargetPool=self._pool_path(r.pool) if r.pool else None,
            HPEVA_SnapshotType=snap,
            HPEVA_Vraid=r.raid,
        )
        return self._created(rc, out, "TargetElement")

    def _create_list(
        self, requests: Sequence[ReplicaRequest], kinds: list[tuple[int, str | None]]
    ) -> list[CIMInstanceName]:
        rc, out = self._invoke(
            REPLICATION,
            "CreateListReplica",
            ElementNames=[r.name for r in requests],
            SyncType=Uint16(kinds[0][0]),
            SourceElements=[self._vol_path(r.source) for r in requests],
            HPEVA_SyncTypes=[Uint16(s) for s, _ in kinds],
            HPEVA_SnapshotTypes=[snap or "" for _, snap in kinds],
            HPEVA_Vraids=[r.raid or "" for r in requests],
            HPEVA_PoolIDs=[r.pool or "" for r in requests],
        )
        return self._created(rc, out, "TargetElements")

    def _created(self, rc: int, out: Any, name: str) -> Any:
        """The created target(s); a provider that names them only when its job ends is
        waited for."""
        if out.get(name) is None:
            self._finish(rc, out)
            raise EvaError(f"the provider did not name the created {name}", code="SMIS_FAILED")
        return out[name]

    def _pool_path(self, pool: str) -> CIMInstanceName:
        for p in self._enum("CIM_StoragePool"):
            if pool in (p.get("ElementName"), p.get("PoolID")):
                return p.path
        raise EvaError(f"no disk group {pool} on {self.name}", code="EVA_NO_SUCH_OBJECT")

    def _target(self, r: ReplicaRequest, path: CIMInstanceName) -> TargetVolume:
        inst = self._call("GetInstance", path)
        return TargetVolume(
            VolumeRef(self.name, r.source),
            VolumeRef(self.name, str(inst["DeviceID"])),
            ReplicaType(r.replica_type),
            {
                "wwn": str(inst["Name"]).lower(),
                "name": str(inst.get("ElementName") or ""),
                "disk_group": str(inst.get("DiskGroupID") or ""),
                "vraid": str(inst.get("RaidType") or "").lower(),
            },
        )

    def delete_volume(self, volume: str) -> Op[None]:
        rc, out = self._invoke(
            CONFIGURATION, "ReturnToStoragePool", TheElement=self._vol_path(volume)
        )
        self._finish(rc, out)
        return self._op()

    def restore_switch(self, source: str, target: str, *, retain_source: bool = False) -> Op[str]:
        """Switch of disks = ModifyReplicaSynchronization Failover (10) **(inferred)**."""
        rc, out = self._invoke(
            REPLICATION,
            "ModifyReplicaSynchronization",
            Operation=Uint16(parse.OP_FAILOVER),
            Synchronization=self._sync_path(source, target),
            HPEVA_RetainSource=bool(retain_source),
        )
        self._finish(rc, out)
        recovered = parse.dev_of(out.get("HPEVA_RecoveredElement")) or target
        return self._op(recovered)

    def restore_copy_back(self, target: str, source: str, *, keep: bool = True) -> Op[None]:
        """Restore from Replica (15): the source reads the replica at once; the returned job
        is the background copy, reported by ``copy_state(source)``, not waited for."""
        self._invoke(
            REPLICATION,
            "ModifyReplicaSynchronization",
            Operation=Uint16(parse.OP_RESTORE),
            Synchronization=self._sync_path(source, target),
            HPEVA_KeepReplica=bool(keep),
        )
        return self._op()
