"""The initial hub schema: links, inbox, jobs, cursors, entities, flow runs.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "links",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("hub_id", sa.String(64), nullable=False),
        sa.Column("system", sa.String(64), nullable=False),
        sa.Column("entity_type", sa.String(64), nullable=False),
        sa.Column("external_id", sa.String(255), nullable=False),
        sa.Column("fingerprint", sa.String(128)),
        sa.Column("remote_updated_at", sa.Float),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.UniqueConstraint("system", "entity_type", "external_id", name="uq_links_external"),
    )
    op.create_index("ix_links_hub", "links", ["hub_id"])
    op.create_table(
        "inbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(128), nullable=False),
        sa.Column("entity_key", sa.String(255), nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("received_at", sa.Float, nullable=False),
        sa.UniqueConstraint("source", "event_id", name="uq_inbox_event"),
    )
    op.create_table(
        "jobs",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("flow", sa.String(64), nullable=False),
        sa.Column("ordering_key", sa.String(255), nullable=False),
        sa.Column("dedupe_key", sa.String(255)),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("max_attempts", sa.Integer, nullable=False),
        sa.Column("run_at", sa.Float, nullable=False),
        sa.Column("lease_owner", sa.String(64)),
        sa.Column("lease_until", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.Column("finished_at", sa.Float),
        sa.UniqueConstraint("dedupe_key", name="uq_jobs_dedupe"),
    )
    op.create_index("ix_jobs_claim", "jobs", ["state", "flow", "run_at"])
    op.create_index("ix_jobs_ordering", "jobs", ["ordering_key", "state", "id"])
    op.create_table(
        "cursors",
        sa.Column("system", sa.String(64), primary_key=True),
        sa.Column("stream", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(64)),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "entities",
        sa.Column("hub_id", sa.String(64), primary_key=True),
        sa.Column("entity_type", sa.String(64), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "flow_runs",
        sa.Column("flow", sa.String(64), primary_key=True),
        sa.Column("last_started_at", sa.Float),
        sa.Column("last_success_at", sa.Float),
        sa.Column("last_error", sa.Text),
        sa.Column("next_run_at", sa.Float),
    )


def downgrade() -> None:
    for table in ("flow_runs", "entities", "cursors", "jobs", "inbox", "links"):
        op.drop_table(table)
