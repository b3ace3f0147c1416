"""Real EVA driver (``eva-smis``): the :class:`~apprm_ref.drivers.array.SnapshotArray`
Protocol spoken over SMI-S / WBEM with pywbem (protocols.md section 1).

Everything goes through the ``pywbem.WBEMConnection`` client API: ``EnumerateInstances``,
``GetInstance``, ``References`` / ``Associators`` over ``CIM_StorageSynchronized``,
``CIM_ProtocolControllerForUnit`` and ``CIM_ElementCapabilities``, and ``InvokeMethod`` on
the replication, storage configuration and controller configuration services, all found
from the SNIA Array profile (eva_smis_wbem). Standard names only: replicas by
CreateElementReplica / CreateListReplica with SyncType, Mode and an embedded
CIM_ReplicationSettingData (ThinProvisioningPolicy 4 makes a vsnap), Vraid by a predefined
CIM_StorageSetting as TargetSettingGoal, IR by ModifyReplicaSynchronization Failover /
Restore from Replica (RSD AutoDelete: drop what is left behind). Array refusals come
back as failed jobs whose CIM_Error MessageID is the array's code, raised as
:class:`~apprm_ref.errors.EvaError`; other refusals by their SMI-S return value.

Volume ids are the EVA object ids (``DeviceID``, 40 hex digits). In tests the connection
is the simulator's ``pywbem_mock`` door, so the calls and parsing here are what runs.
Background copies (snapclone unsharing, copy-back) are not waited for: the target is
usable at once and ``copy_state`` reports the copy from standard properties (copying and
progress, no end: SMI-S has no completion time, so the caller polls); only a method whose
result is known when its job ends is awaited, polling ``CIM_ConcreteJob`` with
``poll(seconds)``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pywbem import CIMInstanceName, Uint16, Uint64

from apprm_ref.drivers.array import CopyState, PoolInfo, ReplicaRequest, VolumeInfo
from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.errors import EvaError
from apprm_ref.real import eva_smis_parse as parse
from apprm_ref.real.eva_smis_wbem import (
    ACCESS_READ_WRITE,
    ALLOC,
    CONFIGURATION,
    CONTROLLER,
    DR_GROUP,
    PCFU,
    REPLICATION,
    SYNC,
    WbemClient,
    pool_name,
)
from apprm_ref.types import Op, ReplicaType, TargetVolume, VolumeRef


class EvaSmisDriver(WbemClient):
    """``EvaSmisDriver(conn, now=clock)``; ``system_name`` picks the array (its ``Name`` or
    ``ElementName``) when the provider manages several; ``poll(seconds)`` waits between
    job polls (``time.sleep`` for a real CIMOM)."""

    # --- inventory -----------------------------------------------------------------------

    def capabilities(self) -> Capabilities:
        service = self._service(REPLICATION)
        caps = self._call(
            "Associators",
            service,
            AssocClass="CIM_ElementCapabilities",
            ResultClass="CIM_ReplicationServiceCapabilities",
        )
        clone_ops: set[int] = set()
        if caps:
            rc, out = self._ask(
                "GetSupportedOperations",
                caps[0].path,
                ReplicationType=Uint16(parse.REPLICATION_CLONE),
            )
            if rc == 0:
                clone_ops = {int(v) for v in out.get("SupportedOperations") or []}
        try:
            masking = self._service(CONTROLLER) is not None
        except EvaError:
            masking = False
        packages = self._call("Associators", self.system.path, AssocClass="CIM_SystemPackaging")
        model = str(packages[0].get("Model") or "") if packages else ""
        return parse.capabilities(
            model,
            caps[0] if caps else None,
            clone_ops,
            masking=masking,
            max_vdisk_bytes=self._max_size(),
            dr_groups=self._has_class(DR_GROUP),
        )

    def list_volumes(self) -> list[VolumeInfo]:
        vols = [v for v in self._enum("CIM_StorageVolume") if self._mine(v.path)]
        syncs = {parse.dev_of(s["SyncedElement"]): s for s in self._enum(SYNC)}
        pools = {str(p.path.keybindings["InstanceID"]): pool_name(p) for p in self._pools()}
        alloc = {
            parse.dev_of(a["Dependent"]): pools.get(
                str(a["Antecedent"].keybindings["InstanceID"]), ""
            )
            for a in self._enum(ALLOC)
        }
        views = {
            str(v["DeviceID"]): str(v["ElementName"])
            for v in self._enum("CIM_SCSIProtocolController")
        }
        luns = parse.presentations(self._enum(PCFU), views)
        infos = []
        for v in vols:
            dev = str(v["DeviceID"])
            infos.append(
                parse.volume_info(
                    self.name, v, syncs.get(dev), alloc.get(dev, ""), luns.get(dev, {})
                )
            )
        return sorted(infos, key=lambda i: i.ref)

    def volume_info(self, volume: str) -> VolumeInfo:
        inst = self._volume(volume)
        syncs = self._call("References", inst.path, ResultClass=SYNC, Role="SyncedElement")
        pools = self._call("Associators", inst.path, AssocClass=ALLOC, ResultRole="Antecedent")
        pool = pool_name(pools[0]) if pools else ""
        return parse.volume_info(
            self.name, inst, syncs[0] if syncs else None, pool, self._luns(inst.path)
        )

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
        jobs = self._call("Associators", inst.path, AssocClass="CIM_AffectedJobElement")
        running = [j for j in jobs if int(j.get("JobState") or 0) not in parse.JOB_DONE_STATES]
        return parse.copy_state(target, syncs, running[-1] if running else None)

    def pools(self) -> list[PoolInfo]:
        out = [
            PoolInfo(
                pool_name(p),
                int(p["TotalManagedSpace"] or 0),
                int(p["RemainingManagedSpace"] or 0),
            )
            for p in self._pools()
        ]
        return sorted(out, key=lambda p: p.name)

    def snapshot_limit(self, source: str) -> int:
        v = self._volume(source)
        return parse.snapshot_limit(int(v["BlockSize"]) * int(v["NumberOfBlocks"]))

    def dr_group_state(self, volume: str) -> str | None:
        """State of the CA EVA DR group holding ``volume`` (HPEVA_OrderedMemberOfCollection
        to HP's HPEVA_ConsistencySet, state from its OperationalStatus), None if it is in none
        or the provider has no DR groups."""
        inst = self._volume(volume)
        if not self._has_class(DR_GROUP):
            return None
        groups = self._call(
            "Associators", inst.path, AssocClass="CIM_MemberOfCollection", ResultClass=DR_GROUP
        )
        return parse.dr_group_state(groups[0]) if groups else None

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
        several of one kind, Vraid and pool (all or nothing). Snapclones return 4096 with
        the unsharing job, which is not waited for: the target exists at once."""
        if not requests:
            return self._op([])
        sync, mode, thin = _uniform(requests)
        first = requests[0]
        params = dict(
            SyncType=Uint16(sync),
            Mode=Uint16(mode),
            ReplicationSettingData=parse.replication_settings(thin),
            TargetPool=self._pool_path(first.pool) if first.pool else None,
            TargetSettingGoal=self._setting(first) if first.raid else None,
        )
        if len(requests) == 1:
            rc, out = self._invoke(
                REPLICATION,
                "CreateElementReplica",
                ElementName=first.name or None,
                SourceElement=self._vol_path(first.source),
                **params,
            )
            paths = [self._created(rc, out, "TargetElement")]
        else:
            rc, out = self._invoke(
                REPLICATION,
                "CreateListReplica",
                ElementNames=[r.name for r in requests],
                SourceElements=[self._vol_path(r.source) for r in requests],
                **params,
            )
            paths = self._created(rc, out, "TargetElements")
        return self._op([self._target(r, p) for r, p in zip(requests, paths, strict=True)])

    def _created(self, rc: int, out: Any, name: str) -> Any:
        """The created target(s); a failed job raises, a provider that names them only when
        its job ends is waited for."""
        self._started(rc, out)
        if out.get(name) is None:
            self._finish(rc, out)
            raise EvaError(f"the provider did not name the created {name}", code="SMIS_FAILED")
        return out[name]

    def _setting(self, r: ReplicaRequest) -> CIMInstanceName:
        """The predefined CIM_StorageSetting of ``r.raid`` in the target's pool."""
        pool = self._pool_path(r.pool) if r.pool else self._source_pool(r.source)
        return self._setting_in(pool, str(r.raid))

    def _target(self, r: ReplicaRequest, path: CIMInstanceName) -> TargetVolume:
        inst = self._call("GetInstance", path)
        return TargetVolume(
            VolumeRef(self.name, r.source),
            VolumeRef(self.name, str(inst["DeviceID"])),
            ReplicaType(r.replica_type),
            {
                "wwn": str(inst["Name"]).lower(),
                "name": str(inst.get("ElementName") or ""),
                "disk_group": self.volume_info(str(inst["DeviceID"])).pool,
                "vraid": parse.raid(inst),
            },
        )

    def delete_volume(self, volume: str) -> Op[None]:
        rc, out = self._invoke(
            CONFIGURATION, "ReturnToStoragePool", TheElement=self._vol_path(volume)
        )
        self._finish(rc, out)
        return self._op()

    def restore_switch(self, source: str, target: str, *, retain_source: bool = False) -> Op[str]:
        """Switch of disks = ModifyReplicaSynchronization Failover (10); the old source is
        dropped when the settings say AutoDelete **(inferred mapping)**."""
        rc, out = self._invoke(
            REPLICATION,
            "ModifyReplicaSynchronization",
            Operation=Uint16(parse.OP_FAILOVER),
            Synchronization=self._sync_path(source, target),
            ReplicationSettingData=parse.replication_settings(auto_delete=not retain_source),
        )
        self._finish(rc, out)
        return self._op(target)

    def restore_copy_back(self, target: str, source: str, *, keep: bool = True) -> Op[None]:
        """Restore from Replica (15): the source reads the replica at once; the returned job
        is the background copy, reported by ``copy_state(source)``, not waited for; without
        ``keep`` the replica is returned to the pool when it ends (AutoDelete)."""
        rc, out = self._invoke(
            REPLICATION,
            "ModifyReplicaSynchronization",
            Operation=Uint16(parse.OP_RESTORE),
            Synchronization=self._sync_path(source, target),
            ReplicationSettingData=parse.replication_settings(auto_delete=not keep),
        )
        self._started(rc, out)
        return self._op()

    # --- SMI-S operations beyond the SnapshotArray protocol ------------------------------

    def detach(self, source: str, target: str) -> Op[None]:
        """ModifyReplicaSynchronization Detach (8): a normalized snapclone leaves its
        source's lineage and stays an independent vdisk."""
        rc, out = self._invoke(
            REPLICATION,
            "ModifyReplicaSynchronization",
            Operation=Uint16(parse.OP_DETACH),
            Synchronization=self._sync_path(source, target),
        )
        self._finish(rc, out)
        return self._op()

    def create_volume(
        self, name: str, size_bytes: int, pool: str, raid: str | None = None
    ) -> Op[str]:
        """CreateOrModifyElementFromStoragePool (ElementType 2 StorageVolume) in ``pool``,
        with the pool's setting of ``raid`` as Goal; returns the new volume's DeviceID."""
        pool_path = self._pool_path(pool)
        rc, out = self._invoke(
            CONFIGURATION,
            "CreateOrModifyElementFromStoragePool",
            ElementName=name,
            ElementType=Uint16(2),
            Size=Uint64(size_bytes),
            InPool=pool_path,
            Goal=self._setting_in(pool_path, raid) if raid else None,
        )
        self._finish(rc, out)
        return self._op(str(out["TheElement"].keybindings["DeviceID"]))


def _uniform(requests: Sequence[ReplicaRequest]) -> tuple[int, int, int]:
    """(SyncType, Mode, ThinProvisioningPolicy) of a batch; SMI-S has no single call for a
    batch that mixes kinds, Vraids or pools, so such a batch is refused whole."""
    kinds = []
    for r in requests:
        kind = parse.SYNC_OF_TYPE.get(ReplicaType(r.replica_type))
        if kind is None:
            raise EvaError(
                f"an EVA cannot make {r.replica_type} replicas", code="EVA_INVALID_PARAMETER"
            )
        kinds.append((kind, r.raid, r.pool))
    if len(set(kinds)) > 1:
        raise EvaError(
            "replicas of different kinds, Vraids or pools cannot be made at one instant over SMI-S",
            code="EVA_INVALID_PARAMETER",
        )
    return kinds[0][0]
