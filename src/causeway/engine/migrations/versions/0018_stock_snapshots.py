"""Daily stock snapshots: per day, SKU and location, what the ERP held and what each
channel showed (docs/flows/stock-snapshots.md). Unique per (day, system, location, sku,
kind), so a second run on the same day replaces that day's rows instead of adding more.

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stock_snapshots",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("taken_at", sa.Float, nullable=False),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("location", sa.String(255), nullable=False),
        sa.Column("sku", sa.String(255), nullable=False),
        sa.Column("quantity", sa.String(32), nullable=False),
        sa.Column("forecast", sa.String(32)),
        sa.UniqueConstraint(
            "day", "system", "location", "sku", "kind", name="uq_stock_snapshots_row"
        ),
    )
    op.create_index("ix_stock_snapshots_sku", "stock_snapshots", ["sku", "day"])


def downgrade() -> None:
    op.drop_index("ix_stock_snapshots_sku", "stock_snapshots")
    op.drop_table("stock_snapshots")
