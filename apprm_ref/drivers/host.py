"""Host Protocol: what core needs of an application or backup system."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.types import VolumeRef


@dataclass(frozen=True)
class HostDevice:
    name: str
    volume: VolumeRef
    lun: int
    wwn: str


@dataclass(frozen=True)
class MountInfo:
    mount_point: str
    vg: str
    lv: str
    read_only: bool
    frozen: bool
    busy: bool


@runtime_checkable
class HostDriver(Protocol):
    def capabilities(self) -> Capabilities: ...

    def rescan(self, host: str) -> list[HostDevice]: ...

    def mounts(self, host: str) -> list[MountInfo]: ...

    def volumes_under(self, host: str, path: str) -> list[VolumeRef]:
        """Every array volume of the volume group holding ``path`` (whole VG is replicated)."""
        ...

    def mount_of(self, host: str, path: str) -> MountInfo: ...

    def vg_uuid(self, host: str, vg: str) -> str: ...

    def import_vg(self, host: str, vg_uuid: str, as_name: str) -> None: ...

    def export_vg(self, host: str, vg: str) -> None: ...

    def activate_vg(self, host: str, vg: str) -> None: ...

    def deactivate_vg(self, host: str, vg: str) -> None: ...

    def mount(
        self, host: str, vg: str, lv: str, mount_point: str, *, read_only: bool = False
    ) -> None: ...

    def unmount(self, host: str, mount_point: str) -> None: ...

    def freeze(self, host: str, mount_point: str) -> None: ...

    def thaw(self, host: str, mount_point: str) -> None: ...

    def run_script(self, host: str, name: str) -> tuple[int, tuple[str, ...]]: ...

    def list_files(self, host: str, mount_point: str) -> list[str]: ...

    def read_file(self, host: str, path: str) -> tuple[object, ...]: ...

    def copy_file(self, host: str, src: str, dst: str) -> None:
        """``cp src dst`` on the host (dst created, or overwritten if big enough). Added for
        the Oracle "keep current control files and redo logs" copies (OS-I15)."""
        ...
