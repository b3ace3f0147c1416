"""Layout of an Exchange server's storage groups: where each copy keeps its files.

The layout is the creation recipe (what the Exchange System Manager / Management Shell
configured); everything the store knows about the data is read back from the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from apprm_ref.errors import DriverError
from apprm_ref.persist import persistable

VERSIONS = (2003, 2007)
REPLICATION = ("none", "lcr", "ccr")  # LCR: passive copy on the same server; CCR: other node


class ExchangeError(DriverError):
    """An Exchange or ESE refusal; ``code`` is the JET error name, ``jet`` its number."""

    def __init__(self, message: str, *, jet: int = -1022, code: str | None = None) -> None:
        from apprm_ref.sim.exchange.formats import JET_ERRORS

        super().__init__(message, code=code or JET_ERRORS.get(jet, ("JET_errUnknown",))[0])
        self.jet = jet


def join(directory: str, name: str) -> str:
    return directory.rstrip("\\") + "\\" + name


@persistable("exchange.Database")
@dataclass
class DatabaseDef:
    """A mailbox store: ``edb`` (and ``stm`` on 2003) file names in the copy's data path."""

    name: str
    guid: str
    edb: str  # file name, e.g. "Mailbox Database.edb"
    stm: str | None = None
    pages: int = 16


@persistable("exchange.Copy")
@dataclass
class CopyLayout:
    """One copy of a storage group's files: its host, log directory, system path (.chk) and
    data directory (.edb/.stm)."""

    host: str
    log_path: str
    system_path: str
    data_path: str

    def edb(self, db: DatabaseDef) -> str:
        return join(self.data_path, db.edb)

    def stm(self, db: DatabaseDef) -> str | None:
        return join(self.data_path, db.stm) if db.stm else None

    def files_of(self, db: DatabaseDef) -> list[str]:
        stm = self.stm(db)
        return [self.edb(db), *([stm] if stm else [])]


@persistable("exchange.StorageGroup")
@dataclass
class StorageGroup:
    """A storage group: one log stream (``prefix``), its databases, its copies and, while
    the store runs, the stream's position and its passive copy's replay point."""

    name: str
    guid: str
    prefix: str  # E00 .. E03 (E0n), R00 for the recovery storage group
    databases: list[DatabaseDef]
    active: CopyLayout
    replication: str = "none"
    passive: CopyLayout | None = None
    records_per_log: int = 8
    recovery: bool = False  # the recovery storage group (restore target only)
    # --- running state of the stream and its replica (not on disk) ---
    replay_suspended: bool = False  # a passive-copy backup holds the copy still
    suspended: bool = False  # Suspend-StorageGroupCopy
    pending: list[int] = field(default_factory=list)  # closed generations not yet shipped
    frozen: bool = False

    def database(self, name: str) -> DatabaseDef:
        for db in self.databases:
            if db.name == name:
                return db
        raise ExchangeError(f"storage group {self.name} has no database {name}", jet=-1811)

    def copy(self, which: str) -> CopyLayout:
        if which == "active":
            return self.active
        if self.passive is None:
            raise ExchangeError(
                f"storage group {self.name} has no passive copy (replication {self.replication})",
                jet=-1811,
            )
        return self.passive


@persistable("exchange.Backup")
@dataclass
class BackupInProgress:
    """A VSS backup of one storage group (one at a time: VC-I19)."""

    sg: str
    copy: str  # active | passive
    backup_type: str  # FULL | COPY | INCREMENTAL | DIFFERENTIAL
    lo: int = 0  # the lowest generation the shadow copy needs (its checkpoint)
    hi: int = 0  # the current generation at Freeze
    frozen_at: float = 0.0
