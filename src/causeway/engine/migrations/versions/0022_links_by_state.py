"""Links found by their state (fingerprint) within a system and type, without reading
every link of that type: the orders awaiting payment held back from the stock each
publish (stock/held.py), the CRM deals placed (quotes-to-erp).

Revision ID: 0022
Revises: 0021
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_links_state", "links", ["system", "entity_type", "fingerprint"])


def downgrade() -> None:
    op.drop_index("ix_links_state", table_name="links")
