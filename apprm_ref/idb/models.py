"""The IDB schema (SQLAlchemy 2 typed ORM).

The tables follow the product's split (``vss-and-core.md`` §8.2): sessions with their
messages and backup objects (CDB/SMBF), backup specifications, and the ZDB database
(replica sets, replicas, target volumes, as SMISDB/XPDB/VSSDB hold them). Rows never leave
``apprm_ref.idb``: the repository converts them to domain types.

Indexes are the ones some query uses: each index is one more page written to the WAL by
every commit that touches its table, and sessions and replicas are written several times
per backup session (no query looks up messages by severity, objects by name, or targets
by volume, so none of those is indexed).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class SessionRow(Base):
    __tablename__ = "sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    day: Mapped[str] = mapped_column(String(10))  # YYYY/MM/DD part of the id
    number: Mapped[int] = mapped_column(Integer)  # N part of the id
    type: Mapped[str] = mapped_column(String(16))
    spec: Mapped[str] = mapped_column(String(64))
    started: Mapped[float] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(32))
    finished: Mapped[float | None] = mapped_column(Float, nullable=True)
    pre_exec_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    post_exec_failed: Mapped[bool] = mapped_column(Boolean, default=False)
    replica_id: Mapped[str | None] = mapped_column(String(80), nullable=True)
    backup_mode_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    restored_from: Mapped[str | None] = mapped_column(String(32), nullable=True)

    messages: Mapped[list[MessageRow]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="MessageRow.seq",
    )
    objects: Mapped[list[BackupObjectRow]] = relationship(
        back_populates="session",
        cascade="all, delete-orphan",
        order_by="BackupObjectRow.seq",
    )

    __table_args__ = (
        Index("ix_sessions_day_number", "day", "number"),
        Index("ix_sessions_spec_started", "spec", "started"),
        Index("ix_sessions_started", "started"),
        Index("ix_sessions_status", "status"),
    )


class MessageRow(Base):
    __tablename__ = "session_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[float] = mapped_column(Float)
    severity: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    obj: Mapped[str | None] = mapped_column(String(256), nullable=True)

    session: Mapped[SessionRow] = relationship(back_populates="messages")

    __table_args__ = (Index("ix_messages_session_seq", "session_id", "seq", unique=True),)


class BackupObjectRow(Base):
    __tablename__ = "backup_objects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(256))
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")

    session: Mapped[SessionRow] = relationship(back_populates="objects")

    __table_args__ = (Index("ix_objects_session_seq", "session_id", "seq", unique=True),)


class SpecRow(Base):
    __tablename__ = "backup_specs"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    array: Mapped[str] = mapped_column(String(64))
    application_system: Mapped[str] = mapped_column(String(128))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # the pydantic spec, mode="json"


class ReplicaSetRow(Base):
    """One per specification: the rotation bookkeeping that outlives its replicas."""

    __tablename__ = "replica_sets"

    spec: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)

    replicas: Mapped[list[ReplicaRow]] = relationship(
        back_populates="replica_set", order_by="ReplicaRow.sequence"
    )


class ReplicaRow(Base):
    __tablename__ = "replicas"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    spec: Mapped[str] = mapped_column(ForeignKey("replica_sets.spec"))
    session_id: Mapped[str] = mapped_column(String(32))
    array: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[float] = mapped_column(Float)
    replica_type: Mapped[str] = mapped_column(String(16))
    tracked: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    mu: Mapped[int | None] = mapped_column(Integer, nullable=True)
    layout: Mapped[list[Any]] = mapped_column(JSON, default=list)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    replica_set: Mapped[ReplicaSetRow] = relationship(back_populates="replicas")
    targets: Mapped[list[TargetRow]] = relationship(
        back_populates="replica", cascade="all, delete-orphan", order_by="TargetRow.seq"
    )

    __table_args__ = (
        Index("ix_replicas_spec_sequence", "spec", "sequence"),
        Index("ix_replicas_array", "array"),
        Index("ix_replicas_status", "status"),
        Index("ix_replicas_session", "session_id"),
    )


class TargetRow(Base):
    __tablename__ = "replica_targets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    replica_id: Mapped[str] = mapped_column(ForeignKey("replicas.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    source_array: Mapped[str] = mapped_column(String(64))
    source_volume: Mapped[str] = mapped_column(String(128))
    target_array: Mapped[str] = mapped_column(String(64))
    target_volume: Mapped[str] = mapped_column(String(128))
    replica_type: Mapped[str] = mapped_column(String(16))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # what identified the target's content on the array when recorded (REL-I6): EVA WWN,
    # object id, creation instant; XP S-VOL, pair state, split time and generation
    identity: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    replica: Mapped[ReplicaRow] = relationship(back_populates="targets")

    __table_args__ = (Index("ix_targets_replica_seq", "replica_id", "seq", unique=True),)


class AppConfigRow(Base):
    __tablename__ = "app_configs"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    host: Mapped[str] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
