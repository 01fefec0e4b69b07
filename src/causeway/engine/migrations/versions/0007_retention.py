"""Retention: inbox records remember when their body was pruned, and indexes that let
pruning find old rows without scanning the whole inbox or job table.

`ix_inbox_unpruned` is partial (only records that still have their body), so each
pruning batch starts at the oldest body still kept, however many were pruned before.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UNPRUNED = sa.text("pruned_at IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("pruned_at", sa.Float))
    op.create_index(
        "ix_inbox_unpruned",
        "inbox",
        ["received_at", "id"],
        sqlite_where=UNPRUNED,
        postgresql_where=UNPRUNED,
    )
    op.create_index("ix_jobs_finished", "jobs", ["state", "finished_at"])


def downgrade() -> None:
    op.drop_index("ix_jobs_finished", "jobs")
    op.drop_index("ix_inbox_unpruned", "inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("pruned_at")
