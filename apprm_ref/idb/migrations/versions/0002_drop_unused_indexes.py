"""Drop the four indexes no query uses (commit df94548): each was one more page written by
every commit touching its table.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

DROPPED = (
    ("ix_messages_session_severity", "session_messages", ["session_id", "severity"]),
    ("ix_objects_name", "backup_objects", ["name"]),
    ("ix_targets_target", "replica_targets", ["target_array", "target_volume"]),
    ("ix_targets_source", "replica_targets", ["source_array", "source_volume"]),
)


def upgrade() -> None:
    for name, table, _columns in DROPPED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in DROPPED:
        op.create_index(name, table, columns)
