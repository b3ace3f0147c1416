"""Backdoors over the simulators (ground truth for the conformance suite)."""

from __future__ import annotations

from typing import Any

from apprm_ref.sim.world import World


class SimBackdoor:
    """Block I/O, time and fingerprint straight from a simulated array (shared by all arrays)."""

    world: World
    backend: Any

    def write(self, volume: str, items: dict[int, Any]) -> None:
        self.backend.block_write(volume, items, host="conformance")

    def read(self, volume: str, extent: int) -> Any:
        return self.backend.block_read(volume, extent)

    def advance(self, seconds: float) -> None:
        self.world.clock.run_until(seconds)

    def now(self) -> float:
        return self.world.now()

    def fingerprint(self) -> str:
        return self.world.digest()


class EvaBackdoor(SimBackdoor):
    def __init__(self, world: World, array: str, disk_group: str) -> None:
        self.world, self.backend, self.disk_group = world, world.array(array), disk_group
        self._n = 0

    def provision_source(self, size_bytes: int) -> str:
        self._n += 1
        vol = self.backend.create_vdisk(f"conf-src-{self._n}", size_bytes, self.disk_group).id
        self.backend.present(vol, "conformance")  # host I/O needs a presentation
        return vol

    def destroy(self, volume: str) -> None:
        self.backend.unpresent(volume, "conformance")
        self.backend.delete_vdisk(volume)


def sim_eva_subject(seed: int = 0) -> tuple[Any, EvaBackdoor]:
    """A fresh simulated EVA with one disk group, its driver and backdoor."""
    from apprm_ref.sim.eva.backend import EvaBackend
    from apprm_ref.sim.eva.driver import EvaDriver
    from apprm_ref.sim.storage import TIB

    world = World(seed)
    eva = world.add_array(EvaBackend("conf-eva"))
    eva.add_disk_group("DG1", 8 * TIB)
    return EvaDriver(world, "conf-eva"), EvaBackdoor(world, "conf-eva", "DG1")


def sim_xp_subject(seed: int = 0) -> tuple[Any, Any]:
    """A fresh simulated XP (see :mod:`apprm_ref.conformance.xp_subjects`)."""
    from apprm_ref.conformance.xp_subjects import sim_xp_subject as make

    return make(seed)


def eva_smis_subject(seed: int = 0) -> tuple[Any, Any]:
    """The real EVA SMI-S driver over the simulator's SMI-S door (see
    :mod:`apprm_ref.conformance.eva_subjects`)."""
    from apprm_ref.conformance.eva_subjects import eva_smis_subject as make

    return make(seed)
