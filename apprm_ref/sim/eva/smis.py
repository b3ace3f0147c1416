"""SMI-S door of the EVA simulator: the same backend served through ``pywbem_mock``.

A client that knows only SNIA SMI-S runs unchanged against ``EvaSmisDoor(world, name).conn``
(a ``FakedWBEMConnection``; or any one passed in, e.g. the connection ``pywbemcli
--mock-server`` builds): it finds the Interop namespace (``smis_interop``), follows the
Array profile to the array, the services, pools and volumes by the standard associations
(``smis_instances``), asks the capabilities (``smis_config``), creates and modifies
replicas (``smis_methods``) and polls ``CIM_ConcreteJob`` (``smis_jobs``). The door keeps
no array state: before every intrinsic operation it rewrites the instances from the
backend when the backend changed (reads cannot be hooked by a provider, protocols.md 1.8
option b). Only the job list (id -> what it watches) lives here.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import pywbem
from pywbem import CIMInstanceName, Uint16, Uint32
from pywbem_mock import FakedWBEMConnection, InMemoryObjectStore, MethodProvider

from apprm_ref.errors import EvaError
from apprm_ref.sim.eva.errors import refuse, smis_rc
from apprm_ref.sim.eva.models import Vdisk, object_id
from apprm_ref.sim.eva.smis_config import CONFIG_HANDLERS, capability_instances
from apprm_ref.sim.eva.smis_instances import (
    dr_group_instances,
    inst,
    pool_instances,
    system_instances,
    volume_instances,
)
from apprm_ref.sim.eva.smis_interop import INTEROP, INTEROP_MOF, conformance, interop_instances
from apprm_ref.sim.eva.smis_jobs import KEEP_FINISHED_S, JobRecord, finished_at, job_instances
from apprm_ref.sim.eva.smis_methods import REPLICATION_HANDLERS, Refused
from apprm_ref.sim.eva.smis_mof import CLASSES, NAMESPACE, QUALIFIERS

if TYPE_CHECKING:
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.world import World

SYS_CLASS, VOL_CLASS = "HPEVA_StorageSystem", "HPEVA_StorageVolume"
HANDLERS = {**REPLICATION_HANDLERS, **CONFIG_HANDLERS}


class EvaSmisDoor:
    def __init__(self, world: World, array_name: str, conn: FakedWBEMConnection | None = None):
        self.world = world
        self.backend: EvaBackend = world.array(array_name)
        self.namespace = NAMESPACE
        self.system_name = object_id(array_name, "system")[:16]
        self.jobs: dict[str, JobRecord] = {}
        self.job_count = 0
        self._by_device: dict[str, str] = {}
        self._seen: Any = None
        self.conn = conn if conn is not None else FakedWBEMConnection(default_namespace=NAMESPACE)
        for ns in (NAMESPACE, INTEROP):
            if ns not in self.conn.cimrepository.namespaces:
                self.conn.add_namespace(ns)
        _share_scanned_instances(self.conn, NAMESPACE)
        self.conn.compile_mof_string(QUALIFIERS + CLASSES, namespace=NAMESPACE)
        self.conn.compile_mof_string(INTEROP_MOF, namespace=INTEROP)
        _mark_embedded(self.conn, NAMESPACE)
        store = self.conn.cimrepository.get_instance_store(INTEROP)
        for i in interop_instances(self.backend.name, self.system_name, self.system_path()):
            store.create(i.path, i)
        provider = EvaServiceProvider(self.conn.cimrepository, self)
        self.conn.register_provider(provider, [NAMESPACE])
        self._hook()
        self.refresh()

    def _hook(self) -> None:
        """Refresh the instances before every intrinsic operation of the connection."""
        inner = self.conn._imethodcall

        def refreshed(methodname, namespace, *args, **kwargs):  # type: ignore[no-untyped-def]
            self.refresh()
            return inner(methodname, namespace, *args, **kwargs)

        self.conn._imethodcall = refreshed  # type: ignore[method-assign]

    # --- paths ------------------------------------------------------------------------

    def system_path(self) -> CIMInstanceName:
        keys = {"CreationClassName": SYS_CLASS, "Name": self.system_name}
        return CIMInstanceName(SYS_CLASS, keys, namespace=NAMESPACE)

    def vol_path(self, vid: str) -> CIMInstanceName:
        keys = {"SystemCreationClassName": SYS_CLASS, "SystemName": self.system_name}
        keys.update(CreationClassName=VOL_CLASS, DeviceID=object_id(self.backend.name, vid))
        return CIMInstanceName(VOL_CLASS, keys, namespace=NAMESPACE)

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

    # --- jobs ---------------------------------------------------------------------------

    def new_job(self, method: str, **fields: Any) -> CIMInstanceName:
        self.job_count += 1
        job_id = f"HPEVA:{self.backend.name}:job{self.job_count}"
        self.jobs[job_id] = JobRecord(method, self.world.now(), **fields)
        self._seen = None
        return self.job_path(job_id)

    def dump_jobs(self) -> dict[str, Any]:
        """The job list as plain data (a CIMOM keeps its jobs across requests)."""
        return {"count": self.job_count, "jobs": {k: asdict(r) for k, r in self.jobs.items()}}

    def load_jobs(self, doc: dict[str, Any]) -> None:
        self.job_count = int(doc["count"])
        self.jobs = {}
        for k, r in doc["jobs"].items():
            error = r.pop("error", None)
            error = tuple(error) if error else None
            affected = [tuple(a) for a in r.pop("affected")]
            self.jobs[k] = JobRecord(**r, error=error, affected=affected)  # type: ignore[arg-type]
        self._seen = None

    # --- instances --------------------------------------------------------------------

    def _signature(self) -> Any:
        b = self.backend
        vols = tuple(
            (
                k,
                v.name,
                v.state,
                v.kind,
                v.source,
                v.vraid,
                v.disk_group,
                tuple(sorted(v.presentations.items())),
                v.copy,
                len(v.cow),
            )
            for k, v in sorted(b.vdisks.items())
        )
        groups = tuple((k, b.free_raw(k)) for k in sorted(b.disk_groups))
        drs = tuple((k, g.state, tuple(g.members)) for k, g in sorted(b.dr_groups.items()))
        return (self.world.now(), vols, groups, drs, len(self.jobs))

    def refresh(self) -> None:
        """Rewrite every instance from the backend's current state (when it changed)."""
        b = self.backend
        b.settle()
        now = self.world.now()
        for job_id in [
            j for j, r in self.jobs.items() if finished_at(self, r) + KEEP_FINISHED_S < now
        ]:
            del self.jobs[job_id]
        sig = self._signature()
        if sig == self._seen:
            return
        self._seen = sig
        self._by_device = {object_id(b.name, vid): vid for vid in b.vdisks}
        store = self.conn.cimrepository.get_instance_store(NAMESPACE)
        for name in list(store.iter_names()):
            store.delete(name)
        for i in self._instances():
            store.create(i.path, i)

    def _instances(self) -> list[Any]:
        b = self.backend
        out = system_instances(self)
        out.extend(conformance(b.name, self.system_path(), NAMESPACE))
        out.extend(capability_instances(self))
        for name in sorted(b.disk_groups):
            out.extend(pool_instances(self, name))
        for name in sorted(b.dr_groups):
            gid = hashlib.sha256(f"{b.name}/drgroup/{name}".encode()).hexdigest()[:56].upper()
            out.extend(dr_group_instances(self, name, gid))
        hosts = sorted({h for v in b.vdisks.values() for h in v.presentations})
        out.extend(inst(self.view_path(h), ElementName=h, EnabledState=Uint16(2)) for h in hosts)
        for vid in sorted(b.vdisks):
            out.extend(volume_instances(self, b.vdisks[vid]))
        for job_id in sorted(self.jobs):
            out.extend(job_instances(self, job_id, self.jobs[job_id]))
        return out


class _ScannedInstanceStore(InMemoryObjectStore):  # type: ignore[misc]
    """The door's instance store: a scan yields the stored instances themselves.

    pywbem_mock deep-copies every instance of the namespace on each scan, only to filter
    on path and class name, then copies again (``get``) each instance it returns to the
    client; that first copy was 90 % of a conformance run's time. The door builds fresh
    instances on every refresh and never changes a stored one, so storing them uncopied
    is safe too. What the client receives is still a deep copy."""

    def create(self, name: Any, cim_object: Any) -> None:
        if name in self._data:
            raise ValueError(f"Name {name!r} already in the instance store")
        self._data[name] = cim_object

    def iter_values(self, copy: bool = True) -> Any:
        return iter(list(self._data.values()))

    def get(self, name: Any, copy: bool = True) -> Any:
        if name not in self._data:
            raise KeyError(f"Name {name} not in the instance store")
        return _cim_copy(self._data[name]) if copy else self._data[name]


def _cim_copy(value: Any) -> Any:
    """A copy of a CIM value that shares nothing mutable with it: instances, properties,
    paths and lists are copied, the immutable scalars are shared (what ``deepcopy`` gives,
    at a tenth of its cost)."""
    if isinstance(value, pywbem.CIMInstance):
        out = value.copy()
        for prop in out.properties.values():
            prop.value = _cim_copy(prop.value)
        return out
    if isinstance(value, pywbem.CIMInstanceName):
        return value.copy()
    if isinstance(value, list):
        return [_cim_copy(v) for v in value]
    return value


def _share_scanned_instances(conn: FakedWBEMConnection, namespace: str) -> None:
    """Put :class:`_ScannedInstanceStore` under ``namespace`` (an empty store only; a
    pywbem_mock without that layout keeps its own store, only slower)."""
    stores = getattr(conn.cimrepository, "_repository", {}).get(namespace)
    if isinstance(stores, dict) and not stores["instances"].len():
        stores["instances"] = _ScannedInstanceStore(pywbem.CIMInstance)


def _mark_embedded(conn: FakedWBEMConnection, namespace: str) -> None:
    """Set ``embedded_object`` on parameters qualified ``EmbeddedInstance``: the MOF
    compiler keeps only the qualifier, and the mock's type check needs the attribute, so
    without it an embedded ``CIM_ReplicationSettingData`` would be refused."""
    store = conn.cimrepository.get_class_store(namespace)
    for name in list(store.iter_names()):
        cls = store.get(name)
        changed = False
        for method in cls.methods.values():
            for param in method.parameters.values():
                if "EmbeddedInstance" in param.qualifiers and param.embedded_object is None:
                    param.embedded_object, changed = "instance", True
        if changed:
            store.update(name, cls)


class EvaServiceProvider(MethodProvider):
    """Method provider of the services, capabilities, pools and jobs: decode, call the
    backend, encode. An array refusal after the parameters were checked becomes a job in
    state Exception with the refusal's SMI-S code and a CIM_Error (4096, WIRE-I2)."""

    provider_classnames = [
        "HPEVA_ReplicationService",
        "HPEVA_StorageConfigurationService",
        "HPEVA_ControllerConfigurationService",
        "HPEVA_ReplicationServiceCapabilities",
        "HPEVA_StoragePool",
        "HPEVA_ConcreteJob",
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
        args["__target__"] = localobject
        try:
            rc, out = handler(self.door, args)
        except Refused as r:
            return Uint32(r.rc), {}
        except EvaError as err:
            error = (smis_rc(err), err.code or "", err.message)
            return Uint32(4096), {"Job": self.door.new_job(methodname, error=error)}
        self.door.refresh()
        return Uint32(rc), out
