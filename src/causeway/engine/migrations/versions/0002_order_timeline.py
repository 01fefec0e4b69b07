"""The order status timeline: one row per milestone an order has reached.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "timeline",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sa.Column("milestone", sa.String(64), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.UniqueConstraint("hub_id", "milestone", name="uq_timeline_milestone"),
    )


def downgrade() -> None:
    op.drop_table("timeline")
