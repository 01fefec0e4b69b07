"""An index to find the orders that carry a timeline finding (an amount mismatch) without
scanning every order's timeline: monitoring asks at each `causeway status` and scrape.

Revision ID: 0008
Revises: 0006
"""

from alembic import op

revision = "0008"
# 0007 (retention) comes before this one once it exists; until then 0006 -> 0008.
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_timeline_milestone", "timeline", ["milestone", "hub_id"])


def downgrade() -> None:
    op.drop_index("ix_timeline_milestone", "timeline")
