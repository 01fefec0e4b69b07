"""Order facts: what each order was when the ERP got it (header and goods lines), kept for
the warehouse (docs/warehouse.md) after the inbox's payloads are pruned.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "order_facts",
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(100), nullable=False),
        sa.Column("number", sa.String(64)),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("customer_group", sa.String(255)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("ordered_at", sa.Float, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("cancelled_at", sa.Float),
        sa.Column("taxes_included", sa.Boolean, nullable=False, server_default=sa.text("false")),
        sa.Column("goods_net", sa.String(32), nullable=False),
        sa.Column("discounts", sa.String(32), nullable=False),
        sa.Column("shipping_charged", sa.String(32), nullable=False),
        sa.Column("tax", sa.String(32), nullable=False),
        sa.Column("total", sa.String(32), nullable=False),
        sa.Column("source_name", sa.String(255)),
        sa.Column("landing_site", sa.Text),
        sa.Column("referring_site", sa.Text),
        sa.Column("landing_site_ref", sa.String(255)),
        sa.Column("erp_system", sa.String(64)),
        sa.Column("erp_sale_id", sa.String(64)),
        sa.Column("changed_at", sa.Float, nullable=False),
    )
    op.create_index("ix_order_facts_changed", "order_facts", ["changed_at"])
    op.create_table(
        "order_fact_lines",
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sa.Column("line_no", sa.Integer, primary_key=True),
        sa.Column("sku", sa.String(255)),
        sa.Column("title", sa.Text),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("unit_price", sa.String(32), nullable=False),
        sa.Column("discount", sa.String(32), nullable=False),
        sa.Column("tax", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("order_fact_lines")
    op.drop_index("ix_order_facts_changed", "order_facts")
    op.drop_table("order_facts")
