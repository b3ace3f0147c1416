"""Host Protocol: what core needs of an application or backup system.

Core reaches a host's volumes through the host's **storage stack** (:class:`HostStorageStack`):
LVM volume groups, or Windows basic disks with NTFS volumes. The stack says which array
volumes hold a set of paths (the whole replication unit: a volume group, a disk), surfaces
a replica's copy of that unit on a host, and lets go of / takes back the source around an
instant recovery.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.frozen_init import fast_init
from apprm_ref.types import VolumeRef


@dataclass(frozen=True)
class HostDevice:
    name: str
    volume: VolumeRef
    lun: int
    wwn: str


@fast_init
@dataclass(frozen=True)
class MountInfo:
    mount_point: str
    vg: str
    lv: str
    read_only: bool
    frozen: bool
    busy: bool


@fast_init
@dataclass(frozen=True)
class StackLayout:
    """One filesystem of a replication unit, in its stack's own names.

    LVM: ``group`` the volume group, ``group_id`` its UUID, ``volume`` the logical volume.
    Windows: ``group`` the disk ("Disk 1"), ``group_id`` its MBR signature or GPT disk GUID,
    ``volume`` the partition ("Partition 1"); the volume GUID is host-local and not kept.
    """

    group: str
    group_id: str
    volume: str
    mount_point: str
    volumes: tuple[VolumeRef, ...]  # every array volume of the unit (all are replicated)


@runtime_checkable
class HostStorageStack(Protocol):
    """What core does to a host's storage: resolve, expose a replica, release/reattach."""

    name: str  # "lvm" | "windows"
    export_verb: str  # how undo labels say "let go of an imported unit" ("export", "offline")
    reattach_verb: str  # ... and "take the source back" ("activate", "online")

    def resolve(self, host: str, paths: Sequence[str]) -> list[StackLayout]:
        """Every filesystem of every unit holding one of ``paths``, by unit then mount point."""
        ...

    def replica_mount_point(self, host: str, prefix: str, dirs: str, lay: StackLayout) -> str:
        """Where a replica's copy of ``lay`` is mounted on backup system ``host``: under
        ``prefix`` and the added directories ``dirs`` (host name, session ID; may be "")."""
        ...

    def import_group(
        self,
        host: str,
        lay: StackLayout,
        targets: tuple[VolumeRef, ...],
        tag: str,
        *,
        read_only: bool,
    ) -> str:
        """Surface the replica (array volumes ``targets``) of ``lay``'s unit on ``host``
        after a rescan; returns the unit's name there."""
        ...

    def export_group(self, host: str, name: str) -> None: ...

    def mount_imported(
        self, host: str, name: str, lay: StackLayout, mount_point: str, *, read_only: bool
    ) -> None: ...

    def unmount(self, host: str, mount_point: str) -> None: ...

    def release(self, host: str, lay: StackLayout) -> None:
        """Let go of the source unit (deactivate the VG, offline the disk) before an IR."""
        ...

    def reattach(self, host: str, lay: StackLayout) -> None: ...

    def remount(self, host: str, lay: StackLayout) -> None:
        """Mount ``lay`` of the source unit at its original mount point."""
        ...


@runtime_checkable
class HostDriver(Protocol):
    def capabilities(self) -> Capabilities: ...

    def stack(self, host: str) -> HostStorageStack:
        """The storage stack ``host`` is configured with."""
        ...

    def rescan(self, host: str) -> list[HostDevice]: ...

    def mounts(self, host: str) -> list[MountInfo]: ...

    def volumes_under(self, host: str, path: str) -> list[VolumeRef]:
        """Every array volume of the unit holding ``path`` (a whole VG or disk is replicated)."""
        ...

    def mount_of(self, host: str, path: str) -> MountInfo: ...

    def freeze(self, host: str, mount_point: str) -> None: ...

    def thaw(self, host: str, mount_point: str) -> None: ...

    def run_script(self, host: str, name: str) -> tuple[int, tuple[str, ...]]: ...

    def list_files(self, host: str, mount_point: str) -> list[str]: ...

    def read_file(self, host: str, path: str) -> tuple[object, ...]: ...

    def copy_file(self, host: str, src: str, dst: str) -> None:
        """``cp src dst`` on the host (dst created, or overwritten if big enough). Added for
        the Oracle "keep current control files and redo logs" copies (OS-I15)."""
        ...
