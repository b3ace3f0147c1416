"""Conformance subject for the real EVA SMI-S driver (``eva-smis``): :class:`EvaSmisDriver`
over the simulator's SMI-S door (``pywbem_mock``), with the same backdoor as ``sim-eva``.

The real driver names volumes by their EVA object id (SMI-S ``DeviceID``), the simulator's
backend by its internal vdisk id; :class:`ObjectIdBackdoor` translates between the two and
otherwise is the ``sim-eva`` backdoor unchanged.
"""

from __future__ import annotations

from typing import Any

from apprm_ref.conformance.sim_backdoors import EvaBackdoor
from apprm_ref.sim.eva.models import object_id
from apprm_ref.sim.world import World


class ObjectIdBackdoor:
    """:class:`EvaBackdoor` speaking EVA object ids (what the SMI-S driver calls volumes)."""

    def __init__(self, inner: EvaBackdoor) -> None:
        self.inner = inner
        self.world, self.backend = inner.world, inner.backend

    def device_id(self, vid: str) -> str:
        return object_id(self.backend.name, vid)

    def vdisk_id(self, device_id: str) -> str:
        for vid in sorted(self.backend.vdisks):
            if self.device_id(vid) == device_id:
                return vid
        return device_id  # unknown: let the backend refuse it as it would

    def provision_source(self, size_bytes: int) -> str:
        return self.device_id(self.inner.provision_source(size_bytes))

    def destroy(self, volume: str) -> None:
        self.inner.destroy(self.vdisk_id(volume))

    def write(self, volume: str, items: dict[int, Any]) -> None:
        self.inner.write(self.vdisk_id(volume), items)

    def read(self, volume: str, extent: int) -> Any:
        return self.inner.read(self.vdisk_id(volume), extent)

    def advance(self, seconds: float) -> None:
        self.inner.advance(seconds)

    def now(self) -> float:
        return self.inner.now()

    def fingerprint(self) -> str:
        return self.inner.fingerprint()


def smis_driver(world: World, array: str) -> Any:
    """EvaSmisDriver over a fresh SMI-S door of ``array``, on the world's clock."""
    from apprm_ref.real.eva_smis import EvaSmisDriver
    from apprm_ref.sim.eva.smis import EvaSmisDoor

    door = EvaSmisDoor(world, array)
    return EvaSmisDriver(door.conn, now=world.now, poll=world.advance)


def eva_smis_subject(seed: int = 0) -> tuple[Any, ObjectIdBackdoor]:
    """The simulated EVA of ``sim_eva_subject`` driven by the real SMI-S driver."""
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.storage import TIB

    world = World(seed)
    eva = world.add_array(EvaBackend("conf-eva"))
    eva.add_disk_group("DG1", 8 * TIB)
    backdoor = ObjectIdBackdoor(EvaBackdoor(world, "conf-eva", "DG1"))
    return smis_driver(world, "conf-eva"), backdoor
