"""Paused flows and the history of flow runs (engine/flow_pauses.py, engine/flow_history.py).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "flow_pauses",
        sa.Column("flow", sa.String(64), primary_key=True),
        sa.Column("paused_at", sa.Float, nullable=False),
        sa.Column("paused_by", sa.String(255), nullable=False),
    )
    op.create_table(
        "flow_run_log",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255)),
        sa.Column("started_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float),
        sa.Column("released", sa.Integer, nullable=False),
        sa.Column("queued", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("retried", sa.Integer, nullable=False),
        sa.Column("dead", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("last_error", sa.Text),
    )
    op.create_index("ix_flow_run_log_flow", "flow_run_log", ["flow", "started_at"])


def downgrade() -> None:
    op.drop_index("ix_flow_run_log_flow", "flow_run_log")
    op.drop_table("flow_run_log")
    op.drop_table("flow_pauses")
