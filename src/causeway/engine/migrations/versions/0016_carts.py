"""Shoppers' checkouts and what became of them: open, abandoned, recovered, completed
(docs/carts.md).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "carts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("checkout_id", sa.String(100), nullable=False),
        sa.Column("checkout_token", sa.String(100)),
        sa.Column("cart_token", sa.String(100)),
        sa.Column("email", sa.String(254)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("currency", sa.String(3)),
        sa.Column("total", sa.String(32)),
        sa.Column("line_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("lines", sa.Text, nullable=False, server_default="[]"),
        sa.Column("recovery_url", sa.Text),
        sa.Column("created_at", sa.Float),
        sa.Column("updated_at", sa.Float),
        sa.Column("completed_at", sa.Float),
        sa.Column("order_id", sa.String(100)),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("abandoned_at", sa.Float),
        sa.Column("recovered_at", sa.Float),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.UniqueConstraint("system", "checkout_id", name="uq_carts_system_checkout"),
    )
    op.create_index("ix_carts_state_updated", "carts", ["state", "updated_at"])
    op.create_index("ix_carts_token", "carts", ["system", "checkout_token"])


def downgrade() -> None:
    op.drop_index("ix_carts_token", table_name="carts")
    op.drop_index("ix_carts_state_updated", table_name="carts")
    op.drop_table("carts")
