"""The search box's index (engine/search.py): normalised terms -> the order, customer,
product or document they find, and what each result shows and opens; filled from what the
store already holds. And an index for the order page's "what did this system send about
this order" (engine/inbox.py `deliveries`), which read every record of the system.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# Code point order on PostgreSQL, so that a range on the key is a prefix (engine/schema.py).
SearchTerm = sa.String(128).with_variant(sa.String(128, collation="C"), "postgresql")


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", SearchTerm, primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("shown", sa.String(255), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_search_terms_target", "search_terms", ["kind", "key"])
    op.create_table(
        "search_entries",
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("key", sa.String(255), primary_key=True),
        sa.Column("label", sa.String(255), nullable=False),
        sa.Column("system", sa.String(64)),
        sa.Column("external_id", sa.String(255)),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_index("ix_inbox_entity", "inbox", ["source", "entity_key"])
    # The orders, customers and products the hub already knows: written by the engine's
    # own indexing code, the same that keeps the index from now on.
    from causeway.engine import search

    search.backfill(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_inbox_entity", "inbox")
    op.drop_table("search_entries")
    op.drop_index("ix_search_terms_target", "search_terms")
    op.drop_table("search_terms")
