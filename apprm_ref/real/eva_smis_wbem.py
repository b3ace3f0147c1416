"""WBEM plumbing of the EVA SMI-S driver: discovery of the array and its services through
the Interop namespace (SNIA Array profile -> CIM_ElementConformsToProfile -> the system ->
CIM_HostedService), object paths, intrinsic calls and ``InvokeMethod`` with CIM errors and
return values turned into :class:`~apprm_ref.errors.EvaError`, and ``CIM_ConcreteJob``
polling with ``GetError`` (protocols.md 1.1, 1.6-1.7; SMI-S Profile Registration). Standard
class, association, property and method names only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pywbem
from pywbem import CIMInstanceName, Uint16

from apprm_ref.errors import EvaError
from apprm_ref.real import eva_smis_parse as parse
from apprm_ref.types import Op

INTEROP_NAMESPACES = ("interop", "root/interop", "root/PG_Interop")
SNIA, ARRAY_PROFILE = 11, "Array"
REPLICATION, CONFIGURATION, CONTROLLER = (
    "CIM_ReplicationService",
    "CIM_StorageConfigurationService",
    "CIM_ControllerConfigurationService",
)
SYNC, PCFU = "CIM_StorageSynchronized", "CIM_ProtocolControllerForUnit"
ALLOC = "CIM_AllocatedFromStoragePool"
DR_GROUP = "HPEVA_ConsistencySet"  # HP CIMOM class (Zenoss HPEVAMon ZenPack, docs/eva.md)
ACCESS_READ_WRITE = 2


class WbemClient:
    """The connection to one array's provider; :class:`EvaSmisDriver` builds on it."""

    def __init__(
        self,
        conn: pywbem.WBEMConnection,
        *,
        now: Callable[[], float],
        namespace: str = "root/eva",
        system_name: str | None = None,
        name: str | None = None,
        poll: Callable[[float], None] | None = None,
        poll_interval: float = 1.0,
        max_polls: int = 3600,
    ) -> None:
        self.conn, self.namespace = conn, namespace
        self._now, self._poll = now, poll
        self.poll_interval, self.max_polls = poll_interval, max_polls
        self.system = self._find_system(system_name)
        self.namespace = self.system.path.namespace or namespace
        self.name = name or str(self.system.get("ElementName") or self.system["Name"])
        self._services: dict[str, CIMInstanceName] = {}
        self._vol_class: str | None = None

    @classmethod
    def connect(
        cls,
        url: str,
        *,
        user: str,
        password: str,
        now: Callable[[], float],
        namespace: str = "root/eva",
        ca_certs: str | None = None,
        no_verification: bool = False,
        timeout: float = 30,
        **kwargs: Any,
    ) -> Any:
        """A driver over a new ``pywbem.WBEMConnection`` to the CIMOM at ``url`` (e.g.
        ``https://cv-server:5989``); resolved at call time so a harness can substitute it."""
        conn = pywbem.WBEMConnection(
            url,
            creds=(user, password),
            default_namespace=namespace,
            ca_certs=ca_certs,
            no_verification=no_verification,
            timeout=timeout,
        )
        return cls(conn, now=now, namespace=namespace, **kwargs)

    # --- WBEM plumbing -------------------------------------------------------------------

    def _call(self, op: str, *args: Any, missing: str | None = None, **kwargs: Any) -> Any:
        """One intrinsic operation; CIM and transport errors become EvaError."""
        try:
            return getattr(self.conn, op)(*args, **kwargs)
        except pywbem.Error as exc:
            raise parse.cim_error(exc, op, missing=missing) from None

    def _enum(self, cls: str) -> list[pywbem.CIMInstance]:
        return self._call("EnumerateInstances", cls, namespace=self.namespace)

    def _interop(self) -> str:
        for ns in INTEROP_NAMESPACES:
            try:
                self.conn.EnumerateInstanceNames("CIM_RegisteredProfile", namespace=ns)
            except pywbem.CIMError as exc:
                if exc.status_code == pywbem.CIM_ERR_INVALID_NAMESPACE:
                    continue
                raise parse.cim_error(exc, "EnumerateInstanceNames") from None
            except pywbem.Error as exc:
                raise parse.cim_error(exc, "EnumerateInstanceNames") from None
            return ns
        raise EvaError("the CIMOM has no Interop namespace", code="SMIS_NOT_SUPPORTED")

    def _find_system(self, wanted: str | None) -> pywbem.CIMInstance:
        """The arrays conforming to the SNIA Array profile (Interop namespace)."""
        interop = self._interop()
        profiles = [
            p
            for p in self._call("EnumerateInstances", "CIM_RegisteredProfile", namespace=interop)
            if p.get("RegisteredName") == ARRAY_PROFILE and p.get("RegisteredOrganization") == SNIA
        ]
        paths = []
        for p in profiles:
            paths += self._call(
                "AssociatorNames",
                p.path,
                AssocClass="CIM_ElementConformsToProfile",
                ResultRole="ManagedElement",
            )
        systems = [self._call("GetInstance", path) for path in paths]
        if wanted is not None:
            systems = [s for s in systems if wanted in (s.get("Name"), s.get("ElementName"))]
        if len(systems) != 1:
            raise EvaError(
                f"{len(systems)} storage systems match {wanted!r} in {self.namespace}",
                code="EVA_NO_SUCH_OBJECT",
            )
        return systems[0]

    def _mine(self, path: CIMInstanceName) -> bool:
        return path.keybindings.get("SystemName") == self.system["Name"]

    def _service(self, cls: str) -> CIMInstanceName:
        if cls not in self._services:
            found = self._call(
                "AssociatorNames", self.system.path, AssocClass="CIM_HostedService", ResultClass=cls
            )
            if not found:
                raise EvaError(f"the provider has no {cls}", code="SMIS_NOT_SUPPORTED")
            self._services[cls] = found[0]
        return self._services[cls]

    def _invoke(self, cls: str, method: str, **params: Any) -> tuple[int, Any]:
        """InvokeMethod on a service; a refusal raises (0 and 4096 return)."""
        params = {k: v for k, v in params.items() if v is not None}
        try:
            rc, out = self.conn.InvokeMethod(method, self._service(cls), **params)
        except pywbem.Error as exc:
            raise parse.cim_error(exc, method) from None
        parse.raise_for(method, rc, out)
        return int(rc), out

    def _finish(self, rc: int, out: Any) -> None:
        """Wait for the job of a method whose effect is only done when its job ends."""
        if rc == parse.RC_JOB and out.get("Job") is not None:
            self.wait_job(out["Job"])

    def _started(self, rc: int, out: Any) -> None:
        """A started job is not waited for, but one that already failed raises."""
        if rc == parse.RC_JOB and out.get("Job") is not None:
            inst = self._call("GetInstance", out["Job"])
            if int(inst["JobState"] or 0) in parse.JOB_DONE_STATES:
                self._raise_failed(inst)

    def _raise_failed(self, inst: pywbem.CIMInstance) -> None:
        """Raise what a finished job reports: CIM_Error from GetError, else ErrorCode."""
        err = parse.job_error(inst)
        if err is None:
            return
        try:
            _, out = self.conn.InvokeMethod("GetError", inst.path)
        except pywbem.Error:
            out = {}
        raise parse.job_error(inst, out.get("Error")) or err

    def wait_job(self, job: CIMInstanceName) -> None:
        """Poll a CIM_ConcreteJob until it finishes; raise what a failed job reports."""
        for _ in range(self.max_polls):
            inst = self._call("GetInstance", job)
            if int(inst["JobState"] or 0) in parse.JOB_DONE_STATES:
                self._raise_failed(inst)
                return
            if self._poll is None:
                break
            self._poll(self.poll_interval)
        raise EvaError(
            f"job {job.keybindings.get('InstanceID')} did not finish", code="SMIS_TIMEOUT"
        )

    def _op(self, result: Any = None) -> Op[Any]:
        return Op(result, self._now())

    def _max_size(self) -> int | None:
        pools = self._pools()
        if not pools:
            return None
        rc, out = self._ask("GetSupportedSizeRange", pools[0].path, ElementType=Uint16(2))
        return int(out["MaximumVolumeSize"]) if rc == 0 else None

    def _ask(self, method: str, target: CIMInstanceName, **params: Any) -> tuple[int, Any]:
        """A query method a provider may lack: (1 Not Supported, {}) when it does."""
        try:
            rc, out = self.conn.InvokeMethod(method, target, **params)
        except pywbem.CIMError:
            return 1, {}
        except pywbem.Error as exc:
            raise parse.cim_error(exc, method) from None
        return int(rc), out

    def _pools(self) -> list[Any]:
        return self._call(
            "Associators",
            self.system.path,
            AssocClass="CIM_HostedStoragePool",
            ResultClass="CIM_StoragePool",
        )

    def _setting_in(self, pool: CIMInstanceName, raid: str) -> CIMInstanceName:
        """A pool's predefined setting of ``raid`` (the pool's StorageCapabilities ->
        CIM_StorageSettingsAssociatedToCapabilities, matched on the redundancy goals)."""
        wanted = parse.REDUNDANCY_OF.get(raid.lower())
        if wanted is None:
            raise EvaError(f"unknown Vraid {raid!r}", code="EVA_INVALID_PARAMETER")
        for caps in self._call("AssociatorNames", pool, AssocClass="CIM_ElementCapabilities"):
            for s in self._call(
                "Associators", caps, AssocClass="CIM_StorageSettingsAssociatedToCapabilities"
            ):
                if (s.get("DataRedundancyGoal"), s.get("PackageRedundancyGoal")) == wanted:
                    return s.path
        raise EvaError(f"no {raid} setting in the target pool", code="EVA_INVALID_PARAMETER")

    def _source_pool(self, source: str) -> CIMInstanceName:
        found = self._call(
            "AssociatorNames", self._vol_path(source), AssocClass=ALLOC, ResultRole="Antecedent"
        )
        if not found:
            raise EvaError(f"no vdisk {source} on {self.name}", code="EVA_NO_SUCH_OBJECT")
        return found[0]

    def _pool_path(self, pool: str) -> CIMInstanceName:
        for p in self._pools():
            if pool in (p.get("ElementName"), p.get("PoolID")):
                return p.path
        raise EvaError(f"no disk group {pool} on {self.name}", code="EVA_NO_SUCH_OBJECT")

    # --- paths ---------------------------------------------------------------------------

    def _volume_class(self) -> str:
        """The provider's volume class, learned from CIM_SystemDevice (keys of a path)."""
        if self._vol_class is None:
            found = self._call(
                "AssociatorNames",
                self.system.path,
                AssocClass="CIM_SystemDevice",
                ResultClass="CIM_StorageVolume",
            )
            if not found:
                return "CIM_StorageVolume"
            self._vol_class = found[0].classname
        return self._vol_class

    def _vol_path(self, volume: str) -> CIMInstanceName:
        cls = self._volume_class()
        keys = {
            "SystemCreationClassName": self.system.classname,
            "SystemName": self.system["Name"],
            "CreationClassName": cls,
            "DeviceID": volume,
        }
        return CIMInstanceName(cls, keys, namespace=self.namespace)

    def _sync_path(self, source: str, target: str) -> CIMInstanceName:
        keys = {"SystemElement": self._vol_path(source), "SyncedElement": self._vol_path(target)}
        return CIMInstanceName(SYNC, keys, namespace=self.namespace)

    def _volume(self, volume: str) -> pywbem.CIMInstance:
        return self._call("GetInstance", self._vol_path(volume), missing="EVA_NO_SUCH_OBJECT")

    def _has_class(self, cls: str) -> bool:
        try:
            self.conn.GetClass(cls, namespace=self.namespace, LocalOnly=True)
        except pywbem.CIMError as exc:
            if exc.status_code in (pywbem.CIM_ERR_NOT_FOUND, pywbem.CIM_ERR_INVALID_CLASS):
                return False
            raise parse.cim_error(exc, "GetClass") from None
        except pywbem.Error as exc:
            raise parse.cim_error(exc, "GetClass") from None
        return True


def pool_name(pool: Any) -> str:
    return str(pool.get("ElementName") or pool.get("PoolID") or "")
