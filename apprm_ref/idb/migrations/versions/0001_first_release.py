"""The IDB schema of its first release (commit ba60306): sessions with their messages and
backup objects, backup specifications, replica sets, replicas, their targets, and
application configurations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _sessions() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("spec", sa.String(64), nullable=False),
        sa.Column("started", sa.Float, nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("finished", sa.Float, nullable=True),
        sa.Column("pre_exec_failed", sa.Boolean, nullable=False),
        sa.Column("post_exec_failed", sa.Boolean, nullable=False),
        sa.Column("replica_id", sa.String(80), nullable=True),
        sa.Column("backup_mode_seconds", sa.Float, nullable=False),
        sa.Column("metrics", sa.JSON, nullable=False),
        sa.Column("restored_from", sa.String(32), nullable=True),
    )
    op.create_index("ix_sessions_day_number", "sessions", ["day", "number"])
    op.create_index("ix_sessions_spec_started", "sessions", ["spec", "started"])
    op.create_index("ix_sessions_started", "sessions", ["started"])
    op.create_index("ix_sessions_status", "sessions", ["status"])
    session_fk = sa.ForeignKey("sessions.id", ondelete="CASCADE")
    op.create_table(
        "session_messages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_id", sa.String(32), session_fk, nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("severity", sa.Integer, nullable=False),
        sa.Column("origin", sa.String(128), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("obj", sa.String(256), nullable=True),
    )
    op.create_index(
        "ix_messages_session_seq", "session_messages", ["session_id", "seq"], unique=True
    )
    op.create_index("ix_messages_session_severity", "session_messages", ["session_id", "severity"])
    op.create_table(
        "backup_objects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "session_id",
            sa.String(32),
            sa.ForeignKey("sessions.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_index("ix_objects_session_seq", "backup_objects", ["session_id", "seq"], unique=True)
    op.create_index("ix_objects_name", "backup_objects", ["name"])


def _replicas() -> None:
    op.create_table(
        "replica_sets",
        sa.Column("spec", sa.String(64), primary_key=True),
        sa.Column("last_sequence", sa.Integer, nullable=False),
    )
    op.create_table(
        "replicas",
        sa.Column("id", sa.String(80), primary_key=True),
        sa.Column("spec", sa.String(64), sa.ForeignKey("replica_sets.spec"), nullable=False),
        sa.Column("session_id", sa.String(32), nullable=False),
        sa.Column("array", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("replica_type", sa.String(16), nullable=False),
        sa.Column("tracked", sa.Boolean, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("mu", sa.Integer, nullable=True),
        sa.Column("layout", sa.JSON, nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_replicas_spec_sequence", "replicas", ["spec", "sequence"])
    op.create_index("ix_replicas_array", "replicas", ["array"])
    op.create_index("ix_replicas_status", "replicas", ["status"])
    op.create_index("ix_replicas_session", "replicas", ["session_id"])
    op.create_table(
        "replica_targets",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "replica_id",
            sa.String(80),
            sa.ForeignKey("replicas.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("source_array", sa.String(64), nullable=False),
        sa.Column("source_volume", sa.String(128), nullable=False),
        sa.Column("target_array", sa.String(64), nullable=False),
        sa.Column("target_volume", sa.String(128), nullable=False),
        sa.Column("replica_type", sa.String(16), nullable=False),
        sa.Column("details", sa.JSON, nullable=False),
    )
    op.create_index("ix_targets_replica_seq", "replica_targets", ["replica_id", "seq"], unique=True)
    op.create_index("ix_targets_target", "replica_targets", ["target_array", "target_volume"])
    op.create_index("ix_targets_source", "replica_targets", ["source_array", "source_volume"])


def upgrade() -> None:
    _sessions()
    op.create_table(
        "backup_specs",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("array", sa.String(64), nullable=False),
        sa.Column("application_system", sa.String(128), nullable=False),
        sa.Column("body", sa.JSON, nullable=False),
    )
    _replicas()
    op.create_table(
        "app_configs",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("host", sa.String(128), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    for table in ("app_configs", "replica_targets", "replicas", "replica_sets", "backup_specs",
                  "backup_objects", "session_messages", "sessions"):  # fmt: skip
        op.drop_table(table)
