"""Protocol door of the Exchange simulator (``drivers/exchange.py``): translates, keeps no
state of its own."""

from __future__ import annotations

from typing import Any

from apprm_ref.drivers.capabilities import Capabilities
from apprm_ref.drivers.exchange import CopyInfo, EseutilRun, StorageGroupInfo
from apprm_ref.sim.exchange import copies, eseutil
from apprm_ref.sim.exchange.models import CopyLayout, StorageGroup
from apprm_ref.sim.exchange.store import ExchangeServer


def _copy(sg: StorageGroup, copy: CopyLayout) -> CopyInfo:
    files = tuple((db.name, tuple(copy.files_of(db))) for db in sg.databases)
    return CopyInfo(copy.host, copy.log_path, copy.system_path, files)


class ExchangeSimDriver:
    def __init__(self, world: Any, name: str) -> None:
        self.world = world
        self.name = name

    def capabilities(self) -> Capabilities:
        return Capabilities("exchange", vendor="sim", model=f"exchange-{self.srv.version}")

    @property
    def srv(self) -> ExchangeServer:
        return self.world.app(self.name)  # type: ignore[no-any-return]

    def version(self) -> int:
        return self.srv.version

    def server_name(self) -> str:
        return self.srv.server

    def storage_groups(self) -> list[StorageGroupInfo]:
        srv = self.srv
        srv.alive()
        return [
            StorageGroupInfo(
                sg.name,
                sg.prefix,
                sg.replication,
                tuple(db.name for db in sg.databases),
                _copy(sg, sg.active),
                _copy(sg, sg.passive) if sg.passive else None,
                recovery=sg.recovery,
                mounted=tuple(db.name for db in srv.mounted_dbs(sg)),
                suspended=sg.suspended,  # Suspend-StorageGroupCopy
            )
            for sg in srv.storage_groups
        ]

    def eseutil(self, host: str, argv: list[str]) -> EseutilRun:
        res = eseutil.run(self.world, host, argv)
        return EseutilRun(res.rc, tuple(res.lines), res.seconds)

    def mount(self, sg: str, db: str) -> None:
        self.srv.mount(sg, db)

    def dismount(self, sg: str, db: str) -> None:
        self.srv.dismount(sg, db)

    def suspend_copy(self, sg: str) -> None:
        copies.suspend(self.srv, sg)

    def resume_copy(self, sg: str) -> None:
        copies.resume(self.srv, sg)

    def reseed(self, sg: str) -> None:
        copies.reseed(self.srv, sg)

    def move_server(self, sg: str) -> None:
        copies.move_server(self.srv, sg)

    def restore_file(self, src_host: str, src: str, dst_host: str, dst: str) -> None:
        copies.copy_across(self.world, src_host, src, dst_host, dst)

    def add_to_recovery_group(self, rsg: str, sg: str, db: str) -> tuple[str, ...]:
        return copies.add_to_recovery_group(self.srv, rsg, sg, db)

    def data(self) -> dict[str, Any]:
        return self.srv.data()


def exchange_in_backup_mode(backend: ExchangeServer) -> bool:
    """A storage group is held by a backup (frozen, or between Freeze and BackupComplete)."""
    return bool(backend.backups) or any(sg.frozen for sg in backend.storage_groups)
