"""Order changes: every edit, cancellation and refund of an order as a fact with what the
hub knew before and after it (docs/order-changes.md), for reports and the warehouse.
A redelivered webhook or a retried job records its fact once: unique per dedupe key.

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "order_changes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("occurred_at", sa.Float),
        sa.Column("recorded_at", sa.Float, nullable=False),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
        sa.Column("amount_delta", sa.String(32)),
        sa.Column("currency", sa.String(3)),
        sa.UniqueConstraint("dedupe_key", name="uq_order_changes_dedupe"),
    )
    op.create_index("ix_order_changes_hub", "order_changes", ["hub_id"])
    op.create_index("ix_order_changes_occurred", "order_changes", ["system", "occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_order_changes_occurred", "order_changes")
    op.drop_index("ix_order_changes_hub", "order_changes")
    op.drop_table("order_changes")
