"""An index to find the orders that carry a timeline finding (an amount mismatch) without
scanning every order's timeline: monitoring asks at each `causeway status` and scrape.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_milestone", "timeline", ["milestone", "hub_id"])


def downgrade() -> None:
    op.drop_index("ix_timeline_milestone", "timeline")
