"""``OrmRepository``: the :class:`apprm_ref.core.repository.Repository` over the ORM.

The generic path, for any SQLAlchemy dialect (``APPRM_IDB_URL`` may name PostgreSQL);
:class:`apprm_ref.idb.repository.SqlRepository` takes a faster path on SQLite. Every
method opens its own short transaction and returns domain values, never rows, so a caller
can keep what it got after the database moved on. Orderings are total (ties broken
by the primary key) so two runs of the same drill read identical lists.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from sqlalchemy import CursorResult, Engine, delete, func, insert, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm import selectinload, sessionmaker

from apprm_ref.core.records import AppConfig, ReplicaRecord, ReplicaStatus
from apprm_ref.core.session import RUNNING_STATUSES, Message, Session
from apprm_ref.core.specs import BackupSpec
from apprm_ref.errors import ApprmError, IdbError, NotFoundError
from apprm_ref.idb import convert
from apprm_ref.idb.models import (
    AppConfigRow,
    BackupObjectRow,
    MessageRow,
    ReplicaRow,
    ReplicaSetRow,
    SessionRow,
    SpecRow,
    TargetRow,
)
from apprm_ref.types import Severity, VolumeRef


class OrmRepository:
    """The IDB through ORM sessions; ``engine`` from :func:`apprm_ref.idb.engine.make_engine`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._factory = sessionmaker(engine, expire_on_commit=False)

    @contextmanager
    def _tx(self) -> Iterator[DbSession]:
        db = self._factory()
        try:
            yield db
            db.commit()
        except ApprmError:
            db.rollback()
            raise
        except SQLAlchemyError as exc:
            db.rollback()
            raise IdbError(f"IDB operation failed: {exc.__class__.__name__}: {exc}") from None
        finally:
            db.close()

    # --- sessions -------------------------------------------------------------------

    def last_session_number(self, day: str) -> int:
        """Highest N used on ``day`` (``YYYY/MM/DD``) by any session, 0 if none (VC-P13)."""
        with self._tx() as db:
            n = db.scalar(select(func.max(SessionRow.number)).where(SessionRow.day == day))
        return int(n or 0)

    def save_session(self, session: Session) -> None:
        """Upsert the session row; its messages and objects are replaced in bulk (two
        DELETEs and two multi-row INSERTs), not loaded and diffed row by row by the ORM:
        a session is saved at its start and at its end, so this is on every session's path."""
        with self._tx() as db:
            row = db.get(SessionRow, session.id)
            if row is None:
                row = SessionRow(id=session.id)
                db.add(row)
            else:
                db.execute(delete(MessageRow).where(MessageRow.session_id == session.id))
                db.execute(delete(BackupObjectRow).where(BackupObjectRow.session_id == session.id))
            convert.fill_session_scalars(row, session)
            db.flush()
            msgs, objs = convert.session_children(session)
            if msgs:
                db.execute(insert(MessageRow), msgs)
            if objs:
                db.execute(insert(BackupObjectRow), objs)

    def get_session(self, session_id: str) -> Session:
        with self._tx() as db:
            row = db.scalar(_session_query().where(SessionRow.id == session_id.strip()))
            if row is None:
                raise NotFoundError(f"session {session_id!r} not found")
            return convert.to_session(row)

    def list_sessions(
        self,
        *,
        spec: str | None = None,
        limit: int | None = None,
        running: bool | None = None,
        type: str | None = None,
    ) -> list[Session]:
        """Oldest first; ``limit`` keeps the newest ``limit`` of them (still oldest first)."""
        q = _session_query()
        if spec is not None:
            q = q.where(SessionRow.spec == spec)
        if type is not None:
            q = q.where(SessionRow.type == type)
        if running is not None:
            states = [s.value for s in RUNNING_STATUSES]
            q = q.where(
                SessionRow.status.in_(states) if running else SessionRow.status.not_in(states)
            )
        newest = (
            SessionRow.started.desc(),
            SessionRow.day.desc(),
            SessionRow.number.desc(),
            SessionRow.id.desc(),
        )
        q = q.order_by(*newest)
        if limit is not None:
            q = q.limit(max(0, limit))
        with self._tx() as db:
            rows = list(db.scalars(q))
            return [convert.to_session(r) for r in reversed(rows)]

    def session_messages(
        self, session_id: str, *, at_least: Severity = Severity.NORMAL
    ) -> list[Message]:
        """Messages of one session at or above a severity, in logging order (VC-I22)."""
        with self._tx() as db:
            if db.get(SessionRow, session_id) is None:
                raise NotFoundError(f"session {session_id!r} not found")
            rows = db.scalars(
                select(MessageRow)
                .where(MessageRow.session_id == session_id, MessageRow.severity >= int(at_least))
                .order_by(MessageRow.seq)
            )
            return [convert.to_message(r) for r in rows]

    # --- specifications -------------------------------------------------------------

    def save_spec(self, spec: BackupSpec) -> None:
        with self._tx() as db:
            row = db.get(SpecRow, spec.name)
            if row is None:
                row = SpecRow(name=spec.name)
                db.add(row)
            convert.fill_spec_row(row, spec)

    def get_spec(self, name: str) -> BackupSpec:
        with self._tx() as db:
            row = db.get(SpecRow, name)
            if row is None:
                raise NotFoundError(f"spec {name!r} not found")
            return convert.to_spec(row)

    def list_specs(self) -> list[BackupSpec]:
        with self._tx() as db:
            return [convert.to_spec(r) for r in db.scalars(select(SpecRow).order_by(SpecRow.name))]

    def delete_spec(self, name: str) -> None:
        with self._tx() as db:
            row = db.get(SpecRow, name)
            if row is None:
                raise NotFoundError(f"spec {name!r} not found")
            db.delete(row)

    # --- replicas -------------------------------------------------------------------

    def add_replica(self, replica: ReplicaRecord) -> None:
        with self._tx() as db:
            if db.get(ReplicaRow, replica.id) is not None:
                raise IdbError(f"replica {replica.id!r} is already recorded")
            rset = db.get(ReplicaSetRow, replica.spec)
            if rset is None:
                rset = ReplicaSetRow(spec=replica.spec, last_sequence=0)
                db.add(rset)
            rset.last_sequence = max(rset.last_sequence or 0, replica.sequence)
            row = ReplicaRow(id=replica.id)
            convert.fill_replica_scalars(row, replica)
            db.add(row)
            db.flush()
            _insert_targets(db, replica)

    def update_replica(self, replica: ReplicaRecord) -> None:
        with self._tx() as db:
            row = db.get(ReplicaRow, replica.id)
            if row is None:
                raise NotFoundError(f"replica {replica.id!r} not found")
            # targets replaced in bulk, not loaded and diffed by the ORM (rotation and IR
            # update replicas on every session's path)
            db.execute(delete(TargetRow).where(TargetRow.replica_id == replica.id))
            convert.fill_replica_scalars(row, replica)
            db.flush()
            _insert_targets(db, replica)

    def get_replica(self, replica_id: str) -> ReplicaRecord:
        with self._tx() as db:
            row = db.scalar(_replica_query().where(ReplicaRow.id == replica_id))
            if row is None:
                raise NotFoundError(f"replica {replica_id!r} not found")
            return convert.to_replica(row)

    def list_replicas(
        self, *, spec: str | None = None, array: str | None = None, status: str | None = None
    ) -> list[ReplicaRecord]:
        """Ordered by (spec, sequence, id)."""
        rt = ReplicaRow.__table__
        conds = [
            c == v
            for c, v in ((rt.c.spec, spec), (rt.c.array, array), (rt.c.status, status))
            if v is not None
        ]
        with self._tx() as db:
            return _read_replicas(db, conds, (rt.c.spec, rt.c.sequence, rt.c.id))

    def replicas_holding(
        self, source: VolumeRef, mu: int | None, *, status: str = ReplicaStatus.ACTIVE
    ) -> list[ReplicaRecord]:
        """Replicas on ``source.array`` in ``status`` made on mirror unit ``mu`` with
        ``source`` among their sources, ordered like :meth:`list_replicas` (the XP check
        that an MU holds no other specification's replica needs only these)."""
        return [
            r
            for r in self.list_replicas(array=source.array, status=status)
            if r.mu == mu and source in r.sources
        ]

    def replicas_with_details(self, spec: str, keys: tuple[str, ...]) -> list[ReplicaRecord]:
        """Replicas of ``spec`` whose details hold any of ``keys``, ordered like
        :meth:`list_replicas` (a JSON column: filtered here, the same on every dialect)."""
        return [r for r in self.list_replicas(spec=spec) if any(k in r.details for k in keys)]

    def replicas_of_session(self, session_id: str) -> list[ReplicaRecord]:
        rt = ReplicaRow.__table__
        with self._tx() as db:
            return _read_replicas(db, [rt.c.session_id == session_id], (rt.c.id,))

    def next_replica_sequence(self, spec: str) -> int:
        """1 + the highest sequence ever recorded for ``spec`` (does not reserve it)."""
        with self._tx() as db:
            rset = db.get(ReplicaSetRow, spec)
            high = db.scalar(select(func.max(ReplicaRow.sequence)).where(ReplicaRow.spec == spec))
            return max(rset.last_sequence if rset else 0, int(high or 0)) + 1

    # --- application configurations -------------------------------------------------

    def save_config(self, config: AppConfig) -> None:
        with self._tx() as db:
            row = db.get(AppConfigRow, (config.kind, config.name))
            if row is None:
                row = AppConfigRow(kind=config.kind, name=config.name)
                db.add(row)
            row.host = config.host
            row.data = {k: config.data[k] for k in sorted(config.data)}

    def get_config(self, kind: str, name: str) -> AppConfig:
        with self._tx() as db:
            row = db.get(AppConfigRow, (kind, name))
            if row is None:
                raise NotFoundError(f"{kind} configuration {name!r} not found")
            return convert.to_config(row)

    def list_configs(self, kind: str | None = None) -> list[AppConfig]:
        q = select(AppConfigRow).order_by(AppConfigRow.kind, AppConfigRow.name)
        if kind is not None:
            q = q.where(AppConfigRow.kind == kind)
        with self._tx() as db:
            return [convert.to_config(r) for r in db.scalars(q)]

    def delete_config(self, kind: str, name: str) -> None:
        with self._tx() as db:
            result = db.execute(
                delete(AppConfigRow).where(AppConfigRow.kind == kind, AppConfigRow.name == name)
            )
            n = cast("CursorResult[Any]", result).rowcount
            if not n:
                raise NotFoundError(f"{kind} configuration {name!r} not found")


def _read_replicas(db: DbSession, conds: list[Any], order: tuple[Any, ...]) -> list[ReplicaRecord]:
    """Replicas and their targets read as plain rows (two SELECTs, no ORM identity map):
    rotation and the XP MU checks list replicas on every session's path."""
    rt, tt = ReplicaRow.__table__, TargetRow.__table__
    rows = db.execute(select(rt).where(*conds).order_by(*order)).all()
    if not rows:
        return []
    ids = select(rt.c.id).where(*conds)
    targets: dict[str, list[Any]] = {}
    for t in db.execute(
        select(tt).where(tt.c.replica_id.in_(ids)).order_by(tt.c.replica_id, tt.c.seq)
    ):
        targets.setdefault(t.replica_id, []).append(t)
    return [convert.replica_from(r, targets.get(r.id, [])) for r in rows]


def _insert_targets(db: DbSession, replica: ReplicaRecord) -> None:
    rows = convert.target_params(replica)
    if rows:
        db.execute(insert(TargetRow), rows)


def _session_query():  # type: ignore[no-untyped-def]
    return select(SessionRow).options(
        selectinload(SessionRow.messages), selectinload(SessionRow.objects)
    )


def _replica_query():  # type: ignore[no-untyped-def]
    return select(ReplicaRow).options(selectinload(ReplicaRow.targets))
