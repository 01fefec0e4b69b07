"""The Problems page (engine/problems.py): a parked job's error class and detail, its
earlier errors, who works on it, and the note it was resolved with; indexes for the
page's counts per class and its filters by class and assignee (by flow and by age,
ix_jobs_claim and ix_jobs_finished serve already).

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = (
    ("error_class", sa.String(32)),
    ("error_detail", sa.Text),
    ("error_history", sa.Text),
    ("assignee", sa.String(255)),
    ("resolution", sa.Text),
)


def upgrade() -> None:
    with op.batch_alter_table("jobs") as batch:
        for name, kind in COLUMNS:
            batch.add_column(sa.Column(name, kind))
    op.create_index("ix_jobs_problem_class", "jobs", ["state", "error_class", "finished_at"])
    op.create_index("ix_jobs_assignee", "jobs", ["state", "assignee"])


def downgrade() -> None:
    op.drop_index("ix_jobs_assignee", "jobs")
    op.drop_index("ix_jobs_problem_class", "jobs")
    with op.batch_alter_table("jobs") as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
