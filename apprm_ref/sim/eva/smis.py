"""SMI-S door of the EVA simulator: the same backend served through ``pywbem_mock``.

A real pywbem-based driver runs unchanged against ``EvaSmisDoor(world, name).conn`` (a
``FakedWBEMConnection``): it enumerates ``CIM_StorageVolume`` / ``CIM_StoragePool``, calls
``CreateElementReplica``, ``ModifyReplicaSynchronization``, ``ReturnToStoragePool``,
``ExposePaths`` / ``HidePaths``, follows ``CIM_StorageSynchronized`` and polls
``CIM_ConcreteJob``. The door keeps no array state: before every intrinsic operation it
rewrites the instances from the backend (reads cannot be hooked by a provider, protocols.md
1.8 option b). Only the job list (id -> what it watches) lives here.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pywbem
from pywbem import CIMDateTime, CIMInstance, CIMInstanceName, Uint16, Uint32, Uint64
from pywbem_mock import FakedWBEMConnection, MethodProvider

from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.errors import refuse, smis_rc
from apprm_ref.sim.eva.models import SNAPSHOT_LIMITS, Vdisk, VdiskKind, VdiskState, object_id
from apprm_ref.sim.eva.smis_methods import (
    HANDLERS,
    SUPPORTED_OPERATIONS,
    SYNC_CLONE,
    SYNC_SNAPSHOT,
)
from apprm_ref.sim.eva.smis_mof import CLASSES, NAMESPACE, QUALIFIERS

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.world import World

SYS_CLASS, VOL_CLASS = "HPEVA_StorageSystem", "HPEVA_StorageVolume"
BLOCK = 512
JOB_RUNNING, JOB_COMPLETED, JOB_TERMINATED = 4, 7, 8


@dataclass
class JobRecord:
    """A job watches one vdisk's background copy (unsharing or copy-back)."""

    volume: str
    kind: str  # "normalize" | "copy-back"
    done_at: float


class _Conn(FakedWBEMConnection):
    """A FakedWBEMConnection that refreshes the door's instances before each operation."""

    def __init__(self, door: EvaSmisDoor) -> None:
        super().__init__(default_namespace=NAMESPACE)
        inner = self._imethodcall

        def refreshed(methodname, namespace, *args, **kwargs):  # type: ignore[no-untyped-def]
            door.refresh()
            return inner(methodname, namespace, *args, **kwargs)

        self._imethodcall = refreshed


class EvaSmisDoor:
    def __init__(self, world: World, array_name: str) -> None:
        self.world = world
        self.backend: EvaBackend = world.array(array_name)
        self.system_name = object_id(array_name, "system")[:16]
        self.jobs: dict[str, JobRecord] = {}
        self._by_device: dict[str, str] = {}
        self.conn = _Conn(self)
        self.conn.compile_mof_string(QUALIFIERS + CLASSES, namespace=NAMESPACE)
        self.conn.register_provider(EvaServiceProvider(self.conn.cimrepository, self), [NAMESPACE])
        self.refresh()

    # --- paths ------------------------------------------------------------------------

    def vol_path(self, vid: str) -> CIMInstanceName:
        return CIMInstanceName(
            VOL_CLASS,
            {
                "SystemCreationClassName": SYS_CLASS,
                "SystemName": self.system_name,
                "CreationClassName": VOL_CLASS,
                "DeviceID": object_id(self.backend.name, vid),
            },
            namespace=NAMESPACE,
        )

    def service_path(self, cls: str) -> CIMInstanceName:
        keys = {"SystemCreationClassName": SYS_CLASS, "SystemName": self.system_name}
        keys.update(CreationClassName=cls, Name=f"{cls}:{self.backend.name}")
        return CIMInstanceName(cls, keys, namespace=NAMESPACE)

    def sync_path(self, t: Vdisk) -> CIMInstanceName:
        keys = {
            "SystemElement": self.vol_path(t.source or ""),
            "SyncedElement": self.vol_path(t.id),
        }
        return CIMInstanceName("CIM_StorageSynchronized", keys, namespace=NAMESPACE)

    def view_path(self, host: str) -> CIMInstanceName:
        """The host's presentation view (one SCSI protocol controller per host)."""
        keys = {"SystemCreationClassName": SYS_CLASS, "SystemName": self.system_name}
        keys.update(CreationClassName="CIM_SCSIProtocolController", DeviceID=f"view:{host}")
        return CIMInstanceName("CIM_SCSIProtocolController", keys, namespace=NAMESPACE)

    def job_path(self, job_id: str) -> CIMInstanceName:
        return CIMInstanceName("HPEVA_ConcreteJob", {"InstanceID": job_id}, namespace=NAMESPACE)

    def vid_of(self, path: Any) -> str:
        """Vdisk id named by a volume reference (refused as the EVA would if unknown)."""
        dev = path.keybindings.get("DeviceID") if isinstance(path, CIMInstanceName) else None
        if dev not in self._by_device:
            refuse("EVA_NO_SUCH_OBJECT", f"no volume {path}")
        return self._by_device[dev]

    def vid_or_dev(self, path: Any) -> str:
        """Like :meth:`vid_of`, but an unknown DeviceID is passed on as is, so that the
        backend refuses it in its own order among the other elements of a batch."""
        dev = path.keybindings.get("DeviceID") if isinstance(path, CIMInstanceName) else None
        if dev in self._by_device:
            return self._by_device[dev]
        return self.vid_of(path) if dev is None else str(dev)

    # --- instances --------------------------------------------------------------------

    def refresh(self) -> None:
        """Rewrite every instance from the backend's current state."""
        b = self.backend
        b.settle()
        self._by_device = {object_id(b.name, vid): vid for vid in b.vdisks}
        store = self.conn.cimrepository.get_instance_store(NAMESPACE)
        for name in list(store.iter_names()):
            store.delete(name)
        for inst in self._instances():
            store.create(inst.path, inst)

    def _instances(self) -> list[CIMInstance]:
        b, out = self.backend, []
        sys_path = CIMInstanceName(
            SYS_CLASS,
            {"CreationClassName": SYS_CLASS, "Name": self.system_name},
            namespace=NAMESPACE,
        )
        out.append(_inst(sys_path, ElementName=b.name, Model=b.model))
        for cls in (
            "HPEVA_ReplicationService",
            "HPEVA_StorageConfigurationService",
            "HPEVA_ControllerConfigurationService",
        ):
            out.append(_inst(self.service_path(cls), ElementName=cls))
        out.extend(self._capabilities())
        for name in sorted(b.disk_groups):
            g = b.disk_groups[name]
            path = CIMInstanceName(
                "HPEVA_DiskGroup", {"InstanceID": f"{b.name}:{name}"}, namespace=NAMESPACE
            )
            out.append(
                _inst(
                    path,
                    ElementName=name,
                    PoolID=name,
                    TotalManagedSpace=Uint64(g.capacity_extents * g.extent_bytes),
                    RemainingManagedSpace=Uint64(b.free_raw(name) * g.extent_bytes),
                )
            )
        for name in sorted(b.dr_groups):
            out.extend(self._dr_group_instances(name))
        hosts = sorted({h for v in b.vdisks.values() for h in v.presentations})
        out.extend(_inst(self.view_path(h), ElementName=h) for h in hosts)
        for vid in sorted(b.vdisks):
            out.extend(self._volume_instances(b.vdisks[vid]))
        for job_id in sorted(self.jobs):
            out.append(self._job_instance(job_id))
        return out

    def _capabilities(self) -> list[CIMInstance]:
        """What the replication service supports (CIM_ElementCapabilities from the service)."""
        caps = CIMInstanceName(
            "HPEVA_ReplicationServiceCapabilities",
            {"InstanceID": f"HPEVA:{self.backend.name}:replication"},
            namespace=NAMESPACE,
        )
        link = CIMInstanceName(
            "CIM_ElementCapabilities",
            {"ManagedElement": self.service_path("HPEVA_ReplicationService"), "Capabilities": caps},
            namespace=NAMESPACE,
        )
        return [
            _inst(
                caps,
                ElementName="replication",
                SupportedSynchronizationType=[Uint16(SYNC_SNAPSHOT), Uint16(SYNC_CLONE)],
                SupportedModifyOperations=[Uint16(op) for op in SUPPORTED_OPERATIONS],
                HPEVA_SnapshotTypes=["standard", "vsnap"],
                HPEVA_MaxVdisks=Uint32(self.backend.max_vdisks),
                HPEVA_MaxVdiskBytes=Uint64(self.backend.max_vdisk_bytes),
                HPEVA_MaxSnapshotsPerSource=Uint16(SNAPSHOT_LIMITS[0][1]),
                HPEVA_MinSnapshotsPerSource=Uint16(SNAPSHOT_LIMITS[-1][1]),
            ),
            _inst(link),
        ]

    def _dr_group_instances(self, name: str) -> list[CIMInstance]:
        """A CA EVA DR group and its ordered members (56-hex-digit InstanceID, 1.1)."""
        g = self.backend.dr_groups[name]
        gid = hashlib.sha256(f"{self.backend.name}/drgroup/{name}".encode()).hexdigest()[:56]
        path = CIMInstanceName("HPEVA_DRGroup", {"InstanceID": gid.upper()}, namespace=NAMESPACE)
        out = [
            _inst(
                path,
                ElementName=name,
                HPEVA_State=g.state.value,
                HPEVA_Role=g.role,
                HPEVA_RemoteArray=g.remote_array,
            )
        ]
        for i, vid in enumerate(g.members):
            link = CIMInstanceName(
                "HPEVA_OrderedMemberOfCollection",
                {"Collection": path, "Member": self.vol_path(vid)},
                namespace=NAMESPACE,
            )
            out.append(_inst(link, AssignedSequence=Uint64(i)))
        return out

    def _volume_instances(self, v: Vdisk) -> list[CIMInstance]:
        ok = v.state not in (VdiskState.FAILED, VdiskState.INVALID)
        out = [
            _inst(
                self.vol_path(v.id),
                ElementName=v.name,
                Name=v.wwn,
                NameFormat=Uint16(2),
                BlockSize=Uint64(BLOCK),
                NumberOfBlocks=Uint64(v.size_bytes // BLOCK),
                OperationalStatus=[Uint16(2 if ok else 6)],
                DiskGroupID=v.disk_group,
                VDiskType=v.kind.value,
                RaidType=v.vraid.value.upper(),
                EVAState=v.state.value,
                HPEVA_ParentDeviceID=object_id(self.backend.name, v.source) if v.source else "",
            )
        ]
        for host, lun in sorted(v.presentations.items()):
            pcfu = CIMInstanceName(
                "CIM_ProtocolControllerForUnit",
                {"Antecedent": self.view_path(host), "Dependent": self.vol_path(v.id)},
                namespace=NAMESPACE,
            )
            out.append(_inst(pcfu, DeviceNumber=f"{lun:04X}"))
        if v.source is not None and v.source in self.backend.vdisks:
            out.append(self._sync_instance(v))
        return out

    def _sync_instance(self, t: Vdisk) -> CIMInstance:
        clone = t.kind == VdiskKind.SNAPCLONE
        broken = t.state in (VdiskState.FAILED, VdiskState.INVALID)
        src = self.backend.vdisks[t.source or ""]
        back = src.copy if src.copy is not None and src.copy.peer == t.id else None
        copy = t.copy or back
        pct = 100 if copy is None else int(100 * copy.fraction(self.world.now()))
        if broken:
            sync_state, copy_state, progress = 12, 5, 0  # Broken
        elif back is not None:
            sync_state, copy_state, progress = 10, 3, 8  # Restore In Progress / Restoring
        elif clone and t.normalizing:
            sync_state, copy_state, progress = 15, 3, 6  # Copy In Progress / Unsynchronized
        elif clone:
            sync_state, copy_state, progress = 14, 4, 2  # Frozen / Synchronized / Completed
        else:
            sync_state, copy_state, progress = 11, 4, 2  # Idle / Synchronized (PIT valid)
        return _inst(
            self.sync_path(t),
            SyncType=Uint16(SYNC_CLONE if clone else SYNC_SNAPSHOT),
            Mode=Uint16(3),
            CopyType=Uint16(5 if clone else 4),
            SyncState=Uint16(sync_state),
            CopyState=Uint16(copy_state),
            ProgressStatus=Uint16(progress),
            PercentSynced=Uint16(pct),
            SyncMaintained=False,
            WhenEstablished=CIMDateTime(self.world.clock.epoch + timedelta(seconds=t.created_at)),
            HPEVA_TimeRemaining=self._remaining(copy.done_at if copy else None),
        )

    def _remaining(self, done_at: float | None) -> pywbem.CIMProperty:
        """Time left of a background copy as a CIM interval (NULL: none), rounded up plus
        one microsecond so that ``now + remaining`` is never before the copy's end."""
        value = None
        if done_at is not None:
            micros = math.ceil(max(0.0, done_at - self.world.now()) * 1e6) + 1
            value = CIMDateTime(timedelta(microseconds=micros))
        return pywbem.CIMProperty("HPEVA_TimeRemaining", value, type="datetime")

    def _job_instance(self, job_id: str) -> CIMInstance:
        rec, now = self.jobs[job_id], self.world.now()
        v = self.backend.vdisks.get(rec.volume)
        running = v is not None and v.copy is not None and v.copy.kind == rec.kind
        if running:
            state, pct, status = JOB_RUNNING, int(100 * v.copy.fraction(now)), [2]  # type: ignore[union-attr]
        elif v is None and now < rec.done_at and rec.kind == "normalize":
            state, pct, status = JOB_TERMINATED, 0, [6, 17]
        else:
            state, pct, status = JOB_COMPLETED, 100, [2, 17]
        return _inst(
            self.job_path(job_id),
            ElementName=rec.kind,
            JobState=Uint16(state),
            PercentComplete=Uint16(pct),
            OperationalStatus=[Uint16(s) for s in status],
            ErrorCode=Uint16(0),
            ErrorDescription="",
            DeleteOnCompletion=False,
        )

    def new_job(self, volume: str, kind: str, done_at: float) -> CIMInstanceName:
        job_id = f"EVAJOB:{self.backend.name}:{len(self.jobs) + 1}"
        self.jobs[job_id] = JobRecord(volume, kind, done_at)
        return self.job_path(job_id)


def _inst(path: CIMInstanceName, **props: Any) -> CIMInstance:
    inst = CIMInstance(path.classname, properties={**path.keybindings, **props}, path=path)
    return inst


class EvaServiceProvider(MethodProvider):
    """Method provider of the three HPEVA services: decode, call the backend, encode."""

    provider_classnames = [
        "HPEVA_ReplicationService",
        "HPEVA_StorageConfigurationService",
        "HPEVA_ControllerConfigurationService",
    ]

    def __init__(self, cimrepository: Any, door: EvaSmisDoor) -> None:
        super().__init__(cimrepository)
        self.door = door

    def InvokeMethod(self, methodname, localobject, params):  # type: ignore[no-untyped-def]  # noqa: N802
        handler = HANDLERS.get(methodname.lower())
        if handler is None:
            raise pywbem.CIMError(pywbem.CIM_ERR_METHOD_NOT_AVAILABLE, methodname)
        self.door.refresh()
        args = {k: p.value for k, p in params.items()}
        try:
            rc, out = handler(self.door, args)
        except EvaError as err:
            return Uint32(smis_rc(err)), {"HPEVA_ErrorCode": err.code or ""}
        return Uint32(rc), out
