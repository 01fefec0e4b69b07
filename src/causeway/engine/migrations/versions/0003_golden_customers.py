"""The golden customer record: customers, their blocking keys, and the merge log.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("merged_into", sa.String(64)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "customer_keys",
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("customer_id", sa.String(64), primary_key=True),
    )
    op.create_index("ix_customer_keys_customer", "customer_keys", ["customer_id"])
    op.create_table(
        "merge_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("survivor_id", sa.String(64), nullable=False),
        sa.Column("merged_id", sa.String(64), nullable=False),
        sa.Column("survivor_before", sa.Text, nullable=False),
        sa.Column("merged_before", sa.Text, nullable=False),
        sa.Column("moved_links", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.Float, nullable=False),
        sa.Column("undone_at", sa.Float),
    )


def downgrade() -> None:
    op.drop_table("merge_log")
    op.drop_index("ix_customer_keys_customer", "customer_keys")
    op.drop_table("customer_keys")
    op.drop_table("customers")
