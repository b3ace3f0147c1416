"""Exchange Protocol: what the product's Exchange integration needs of a server beyond its
VSS writers (``drivers/vss.py``): the storage groups and their copies, ``eseutil`` on any
host (the consistency check runs on the backup system), the database mount state, the
copy management of LCR/CCR (``Suspend-``/``Resume-``/``Update-StorageGroupCopy``,
``Move-ClusteredMailboxServer``) and the recovery storage group.

Implemented in-process by ``apprm_ref.sim.exchange.driver.ExchangeSimDriver``. Refusals are
``DriverError`` subclasses whose ``code`` is the JET error name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol, runtime_checkable


def log_name(prefix: str, gen: int, version: int) -> str:
    """``E00`` + the generation in hex: 5 digits on Exchange 2003, 8 on 2007."""
    return f"{prefix}{gen:0{5 if version == 2003 else 8}X}.log"


LOG_REQUIRED = re.compile(r"^\s+Log Required: (\d+)-(\d+) \(0x[0-9a-f]+-0x[0-9a-f]+\)$")
STATE = re.compile(r"^\s+State: (.+)$")


@dataclass(frozen=True)
class CopyInfo:
    host: str
    log_path: str
    system_path: str
    files: tuple[tuple[str, tuple[str, ...]], ...]  # (database, its .edb [.stm] paths)


@dataclass(frozen=True)
class StorageGroupInfo:
    name: str
    prefix: str
    replication: str  # none | lcr | ccr
    databases: tuple[str, ...]
    active: CopyInfo
    passive: CopyInfo | None
    recovery: bool = False
    mounted: tuple[str, ...] = ()
    suspended: bool = False


@dataclass(frozen=True)
class EseutilRun:
    """One eseutil command: its exit status (the JET error, 0 on success), its output lines
    and the (simulated) seconds it took."""

    rc: int
    lines: tuple[str, ...]
    seconds: float


@runtime_checkable
class ExchangeDriver(Protocol):
    name: str

    def version(self) -> int: ...

    def server_name(self) -> str: ...

    def storage_groups(self) -> list[StorageGroupInfo]: ...

    def eseutil(self, host: str, argv: list[str]) -> EseutilRun: ...

    def mount(self, sg: str, db: str) -> None: ...

    def dismount(self, sg: str, db: str) -> None: ...

    def suspend_copy(self, sg: str) -> None: ...

    def resume_copy(self, sg: str) -> None: ...

    def reseed(self, sg: str) -> None:
        """``Update-StorageGroupCopy``: the passive copy starts again from the active one."""
        ...

    def move_server(self, sg: str) -> None:
        """CCR: the clustered mailbox server moves to the node holding the passive copy,
        which becomes the active copy (``Move-ClusteredMailboxServer``)."""
        ...

    def restore_file(self, src_host: str, src: str, dst_host: str, dst: str) -> None:
        """A file of a mounted replica restored to another location (the requester's
        alternate-location restore; the data moves through the product's agents)."""
        ...

    def add_to_recovery_group(self, rsg: str, sg: str, db: str) -> tuple[str, ...]:
        """Link a database to the recovery storage group; returns the RSG's paths for it
        (``.edb`` [``.stm``], then the log path and the system path)."""
        ...
