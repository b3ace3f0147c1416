"""Each replica target records what identified its content on the array (commit 7d39ef0,
REL-I6); targets recorded before have none (``{}``): they cannot be verified, so
``replicas check`` reports them and instant recovery refuses them, as for any unverifiable
target.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("replica_targets") as batch:
        batch.add_column(
            sa.Column("identity", sa.JSON, nullable=False, server_default=sa.text("'{}'"))
        )


def downgrade() -> None:
    with op.batch_alter_table("replica_targets") as batch:
        batch.drop_column("identity")
