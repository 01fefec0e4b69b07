"""Clickstream: storefront events from POST /collect/{system}, kept apart from the inbox
(docs/clickstream.md). A resent event is stored once (unique per system and event id);
the golden customer column is filled by stitching, later.

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "web_events",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("client_id", sa.String(128), nullable=False),
        sa.Column("occurred_at", sa.Float, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.Column("page_url", sa.Text),
        sa.Column("referrer", sa.Text),
        sa.Column("product_sku", sa.String(255)),
        sa.Column("variant_id", sa.String(255)),
        sa.Column("quantity", sa.Integer),
        sa.Column("value", sa.String(32)),
        sa.Column("currency", sa.String(3)),
        sa.Column("data", sa.Text),
        sa.Column("customer_id", sa.String(64)),
        sa.UniqueConstraint("system", "event_id", name="uq_web_events_event"),
    )
    op.create_index("ix_web_events_occurred", "web_events", ["system", "occurred_at"])
    op.create_index("ix_web_events_client", "web_events", ["client_id"])


def downgrade() -> None:
    op.drop_index("ix_web_events_client", "web_events")
    op.drop_index("ix_web_events_occurred", "web_events")
    op.drop_table("web_events")
