"""Monitoring facts: when each cursor's poll last completed and which flow polls it,
the `monitoring` table (when the hub started watching something), and an index to
find each system's latest webhook without scanning the inbox.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cursors") as batch:
        batch.add_column(sa.Column("flow", sa.String(64)))
        batch.add_column(sa.Column("polled_at", sa.Float))
    op.create_table(
        "monitoring",
        sa.Column("subject", sa.String(128), primary_key=True),
        sa.Column("since", sa.Float, nullable=False),
    )
    op.create_index("ix_inbox_source_received", "inbox", ["source", "received_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_source_received", "inbox")
    op.drop_table("monitoring")
    with op.batch_alter_table("cursors") as batch:
        batch.drop_column("polled_at")
        batch.drop_column("flow")
