"""Protocol door of the Exchange simulator: translates, keeps no state of its own.

What the product's Exchange integration asks of a server: its storage groups and their
files (to map components to volumes), mount and dismount (instant recovery), the writers'
backup hooks (``writer.py``) and the consistency check of a replica (``check.py``).
"""

from __future__ import annotations

from typing import Any

from apprm_ref.sim.exchange.models import StorageGroup
from apprm_ref.sim.exchange.store import ExchangeServer


class ExchangeSimDriver:
    def __init__(self, world: Any, name: str) -> None:
        self.world = world
        self.name = name

    @property
    def server(self) -> ExchangeServer:
        return self.world.app(self.name)  # type: ignore[no-any-return]

    def storage_groups(self) -> list[StorageGroup]:
        return list(self.server.storage_groups)

    def mount(self, sg: str, db: str) -> None:
        self.server.mount(sg, db)

    def dismount(self, sg: str, db: str) -> None:
        self.server.dismount(sg, db)

    def data(self) -> dict[str, Any]:
        return self.server.data()


def exchange_in_backup_mode(backend: ExchangeServer) -> bool:
    """A storage group is held by a backup (frozen, or between Freeze and BackupComplete)."""
    return bool(backend.backups) or any(sg.frozen for sg in backend.storage_groups)
