"""``SqlRepository``: the :class:`apprm_ref.core.repository.Repository` over SQLAlchemy.

On SQLite (the lab's IDB, a file or ``sqlite://``) the methods a backup session calls take
the fast path of :mod:`apprm_ref.idb.sqlite_ops`: one connection per engine, statements
prepared once, a read cache validated against other connections' commits. Every other
dialect, and the reads only the CLI makes (sessions, listings), take the ORM path of
:class:`apprm_ref.idb.orm.OrmRepository`. Both return the same values in the same order
and raise the same errors; every method commits before it returns, unless the repository
is :meth:`~SqlRepository.hold`-ing a caller's transaction (a lab command): then each
method's commit is a savepoint's release inside it and only the caller commits.
"""

from __future__ import annotations

from threading import get_ident
from typing import Any

from sqlalchemy import Connection, Engine, event
from sqlalchemy.orm import sessionmaker

from apprm_ref import crashpoint
from apprm_ref.core.records import AppConfig, ReplicaRecord, ReplicaStatus
from apprm_ref.core.session import Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import IdbError
from apprm_ref.idb.orm import OrmRepository
from apprm_ref.idb.sqlite_ops import SqliteOps
from apprm_ref.idb.sqlite_store import HeldSqliteStore, store_for
from apprm_ref.types import VolumeRef


class SqlRepository(OrmRepository):
    """The IDB. ``engine`` comes from :func:`apprm_ref.idb.engine.make_engine`."""

    faults: Any = None  # a simulated world's fault sites (``world.faults``), or None

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self._fast_ops = SqliteOps(store_for(engine)) if engine.dialect.name == "sqlite" else None

    def hold(self, conn: Connection) -> None:
        """Run every later call inside ``conn``'s open transaction, which the caller commits
        or rolls back: ORM calls join it through a savepoint each, and on SQLite the fast
        path runs on the same DB-API connection (one snapshot, one writer, one commit)."""
        self._factory = sessionmaker(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )
        event.listen(self._factory, "after_commit", _count_commit)
        if self._fast_ops is not None:
            db = conn.connection.driver_connection
            self._fast_ops = SqliteOps(HeldSqliteStore(self.engine, db))  # type: ignore[arg-type]

    @property
    def _fast(self) -> SqliteOps | None:
        """The fast path, for the thread that made the engine's store (the simulation runs
        on one); any other thread takes the ORM path, whose writes the store notices."""
        ops = self._fast_ops
        return ops if ops is not None and ops.st.owner == get_ident() else None

    # --- sessions -------------------------------------------------------------------

    def last_session_number(self, day: str) -> int:
        """Highest N used on ``day`` (``YYYY/MM/DD``) by any session, 0 if none (VC-P13)."""
        if (fast := self._fast) is None:
            return super().last_session_number(day)
        return fast.last_session_number(day)

    def save_session(self, session: Session) -> None:
        if (fast := self._fast) is None:
            return super().save_session(session)
        return fast.save_session(session)

    # --- specifications -------------------------------------------------------------

    def save_spec(self, spec: BackupSpec) -> None:
        if (fast := self._fast) is None:
            return super().save_spec(spec)
        return fast.save_spec(spec)

    def get_spec(self, name: str) -> BackupSpec:
        if (fast := self._fast) is None:
            return super().get_spec(name)
        return fast.get_spec(name)

    def delete_spec(self, name: str) -> None:
        if (fast := self._fast) is None:
            return super().delete_spec(name)
        return fast.delete_spec(name)

    # --- replicas -------------------------------------------------------------------

    def _commit_faults(self, replica: str) -> None:
        """A replica write that never commits (the write fails before anything changes)."""
        if self.faults is not None:
            self.faults.check("idb.commit", IdbError, replica=replica)
            self.faults.check("idb.disk_full", IdbError, replica=replica)

    def add_replica(self, replica: ReplicaRecord) -> None:
        self._commit_faults(replica.id)
        if (fast := self._fast) is None:
            return super().add_replica(replica)
        return fast.add_replica(replica)

    def update_replica(self, replica: ReplicaRecord) -> None:
        self._commit_faults(replica.id)
        if (fast := self._fast) is None:
            return super().update_replica(replica)
        return fast.update_replica(replica)

    def get_replica(self, replica_id: str) -> ReplicaRecord:
        if (fast := self._fast) is None:
            return super().get_replica(replica_id)
        return fast.get_replica(replica_id)

    def list_replicas(
        self, *, spec: str | None = None, array: str | None = None, status: str | None = None
    ) -> list[ReplicaRecord]:
        """Ordered by (spec, sequence, id)."""
        if (fast := self._fast) is None:
            return super().list_replicas(spec=spec, array=array, status=status)
        return fast.list_replicas(spec, array, status)

    def replicas_holding(
        self, source: VolumeRef, mu: int | None, *, status: str = ReplicaStatus.ACTIVE
    ) -> list[ReplicaRecord]:
        """Replicas on ``source.array`` in ``status`` made on mirror unit ``mu`` with
        ``source`` among their sources, ordered like :meth:`list_replicas`. Not in the
        Protocol yet: the XP MU check would call it instead of listing the whole array."""
        if (fast := self._fast) is None:
            return super().replicas_holding(source, mu, status=status)
        return fast.replicas_holding(source, mu, status)

    def replicas_with_details(self, spec: str, keys: tuple[str, ...]) -> list[ReplicaRecord]:
        if (fast := self._fast) is None:
            return super().replicas_with_details(spec, keys)
        return fast.replicas_with_details(spec, keys)

    def replicas_of_session(self, session_id: str) -> list[ReplicaRecord]:
        if (fast := self._fast) is None:
            return super().replicas_of_session(session_id)
        return fast.replicas_of_session(session_id)

    def next_replica_sequence(self, spec: str) -> int:
        """1 + the highest sequence ever recorded for ``spec`` (does not reserve it)."""
        if (fast := self._fast) is None:
            return super().next_replica_sequence(spec)
        return fast.next_replica_sequence(spec)

    # --- application configurations -------------------------------------------------

    def save_config(self, config: AppConfig) -> None:
        if (fast := self._fast) is None:
            return super().save_config(config)
        return fast.save_config(config)

    def get_config(self, kind: str, name: str) -> AppConfig:
        if (fast := self._fast) is None:
            return super().get_config(kind, name)
        return fast.get_config(kind, name)

    def delete_config(self, kind: str, name: str) -> None:
        if (fast := self._fast) is None:
            return super().delete_config(kind, name)
        return fast.delete_config(kind, name)


def _count_commit(_session: object) -> None:
    crashpoint.hit("idb")
