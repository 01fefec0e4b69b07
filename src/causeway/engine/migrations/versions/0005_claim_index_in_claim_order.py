"""Jobs claim index in claim order (state, flow, run_at, id).

Claims order by (run_at, id), and jobs enqueued together share run_at, so without
`id` a claim sorted every due job before taking a few.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_jobs_claim", "jobs")
    op.create_index("ix_jobs_claim", "jobs", ["state", "flow", "run_at", "id"])


def downgrade() -> None:
    op.drop_index("ix_jobs_claim", "jobs")
    op.create_index("ix_jobs_claim", "jobs", ["state", "flow", "run_at"])
