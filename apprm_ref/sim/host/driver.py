"""Protocol door of the host simulator: translates, keeps no state of its own."""

from __future__ import annotations

from typing import TYPE_CHECKING

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.host import HostDevice, HostStorageStack, MountInfo
from apprm_ref.sim.host.stacks import stack_for
from apprm_ref.types import VolumeRef

if TYPE_CHECKING:
    from apprm_ref.sim.world import World


class SimHostDriver:
    def __init__(self, world: World) -> None:
        self.world = world
        self.backend = world.hosts

    def capabilities(self) -> Capabilities:
        return Capabilities(
            "host", vendor="sim", model="lvm", features=frozenset({"lvm", "freeze", "import"})
        )

    def stack(self, host: str) -> HostStorageStack:
        return stack_for(self.backend, self.backend.host(host).storage)

    def rescan(self, host: str) -> list[HostDevice]:
        return [
            HostDevice(d.name, VolumeRef(d.array, d.volume), d.lun, d.wwn)
            for d in self.backend.rescan(host)
        ]

    def mounts(self, host: str) -> list[MountInfo]:
        return [self._info(m) for m in self.backend.host(host).mounts.values()]

    @staticmethod
    def _info(m) -> MountInfo:  # type: ignore[no-untyped-def]
        return MountInfo(m.mount_point, m.vg, m.lv, m.read_only, m.frozen, m.holders > 0)

    def volumes_under(self, host: str, path: str) -> list[VolumeRef]:
        return [VolumeRef(a, v) for a, v in self.backend.volumes_under(host, path)]

    def mount_of(self, host: str, path: str) -> MountInfo:
        return self._info(self.backend.mount_of(host, path)[0])

    def freeze(self, host: str, mount_point: str) -> None:
        self.backend.freeze(host, mount_point)

    def thaw(self, host: str, mount_point: str) -> None:
        self.backend.thaw(host, mount_point)

    def run_script(self, host: str, name: str) -> tuple[int, tuple[str, ...]]:
        return self.backend.run_script(host, name)

    def list_files(self, host: str, mount_point: str) -> list[str]:
        return self.backend.list_files(host, mount_point)

    def read_file(self, host: str, path: str) -> tuple[object, ...]:
        return self.backend.read_file(host, path)

    def copy_file(self, host: str, src: str, dst: str) -> None:
        blocks = self.backend.read_file(host, src)
        if self.backend.file_exists(host, dst):
            mnt, rel = self.backend.mount_of(host, dst)
            if mnt.files[rel].length < len(blocks):
                from apprm_ref.errors import HostError

                raise HostError(f"{dst} exists and is smaller than {src}", code="ENOSPC")
        else:
            self.backend.create_file(host, dst, len(blocks))
        self.backend.write_file(host, dst, dict(enumerate(blocks)))
