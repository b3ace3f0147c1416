"""What core needs of the IDB. ``apprm_ref.idb`` implements it over SQLAlchemy."""

from __future__ import annotations

from typing import Protocol

from apprm_ref.core.records import AppConfig, ReplicaRecord, ReplicaStatus
from apprm_ref.core.session import Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.types import VolumeRef


class Repository(Protocol):
    # sessions
    def last_session_number(self, day: str) -> int: ...

    def save_session(self, session: Session) -> None:
        """Insert or update the session with its messages and objects."""
        ...

    def get_session(self, session_id: str) -> Session: ...

    def list_sessions(
        self, *, spec: str | None = None, limit: int | None = None
    ) -> list[Session]: ...

    # specifications
    def save_spec(self, spec: BackupSpec) -> None: ...

    def get_spec(self, name: str) -> BackupSpec: ...

    def list_specs(self) -> list[BackupSpec]: ...

    def delete_spec(self, name: str) -> None: ...

    # replicas (the ZDB database)
    def add_replica(self, replica: ReplicaRecord) -> None: ...

    def update_replica(self, replica: ReplicaRecord) -> None: ...

    def get_replica(self, replica_id: str) -> ReplicaRecord: ...

    def list_replicas(
        self, *, spec: str | None = None, array: str | None = None, status: str | None = None
    ) -> list[ReplicaRecord]:
        """Ordered by (spec, sequence)."""
        ...

    def replicas_holding(
        self, source: VolumeRef, mu: int | None, *, status: str = ReplicaStatus.ACTIVE
    ) -> list[ReplicaRecord]:
        """Replicas on ``source.array`` in ``status``, made on mirror unit ``mu``, with
        ``source`` among their sources; ordered like :meth:`list_replicas`."""
        ...

    def replicas_with_details(self, spec: str, keys: tuple[str, ...]) -> list[ReplicaRecord]:
        """Replicas of ``spec`` (any status) whose ``details`` hold any of ``keys``, ordered
        like :meth:`list_replicas`: a session asks for the few with pending work by name
        instead of listing every replica the spec ever had."""
        ...

    def replicas_of_session(self, session_id: str) -> list[ReplicaRecord]:
        """Replicas made by one backup session, ordered by ID."""
        ...

    def next_replica_sequence(self, spec: str) -> int: ...

    # application configurations
    def save_config(self, config: AppConfig) -> None: ...

    def get_config(self, kind: str, name: str) -> AppConfig: ...

    def list_configs(self, kind: str | None = None) -> list[AppConfig]: ...

    def delete_config(self, kind: str, name: str) -> None: ...
