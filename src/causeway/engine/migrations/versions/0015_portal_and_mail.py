"""The B2B portal (companies, their people, sessions, one-time tokens, carts,
checkouts) and the order-status e-mails' outbox and suppressions (docs/portal.md,
docs/notifications.md).

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "portal_companies",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("party_id", sa.BigInteger, nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("warehouses", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("created_by", sa.String(255), nullable=False),
        sa.Column("disabled_at", sa.Float),
        sa.UniqueConstraint("party_id", name="uq_portal_companies_party"),
    )
    op.create_table(
        "portal_users",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("name", sa.String(255), nullable=False, server_default=""),
        sa.Column("password_hash", sa.String(255)),
        sa.Column("language", sa.String(16)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("disabled_at", sa.Float),
        sa.Column("last_login_at", sa.Float),
        sa.UniqueConstraint("email", name="uq_portal_users_email"),
    )
    op.create_table(
        "portal_members",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("company_id", Id, nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("order_limit", sa.String(32)),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.UniqueConstraint("user_id", "company_id", name="uq_portal_members_user_company"),
    )
    op.create_index("ix_portal_members_company", "portal_members", ["company_id"])
    op.create_table(
        "portal_sessions",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("company_id", Id, nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("last_seen_at", sa.Float, nullable=False),
    )
    op.create_index("ix_portal_sessions_user", "portal_sessions", ["user_id"])
    op.create_table(
        "portal_tokens",
        sa.Column("token_sha256", sa.String(64), primary_key=True),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.Column("used_at", sa.Float),
    )
    op.create_index("ix_portal_tokens_user", "portal_tokens", ["user_id"])
    op.create_table(
        "portal_cart_lines",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("company_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("sku", sa.String(255), nullable=False),
        sa.Column("quantity", sa.String(32), nullable=False),
        sa.Column("added_at", sa.Float, nullable=False),
        sa.UniqueConstraint("company_id", "user_id", "sku", name="uq_portal_cart_lines"),
    )
    op.create_table(
        "portal_checkouts",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("company_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("idempotency_key", sa.String(64), nullable=False),
        sa.Column("reference", sa.String(64), nullable=False),
        sa.Column("state", sa.String(24), nullable=False),
        sa.Column("lines", sa.Text, nullable=False),
        sa.Column("shipment_address_id", sa.BigInteger),
        sa.Column("po_number", sa.String(64)),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("total", sa.String(32), nullable=False),
        sa.Column("hold_reason", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("decided_by", sa.String(255)),
        sa.Column("decided_at", sa.Float),
        sa.Column("decision_note", sa.Text),
        sa.Column("sale_id", sa.BigInteger),
        sa.Column("erp_number", sa.String(64)),
        sa.Column("error", sa.Text),
        sa.UniqueConstraint("idempotency_key", name="uq_portal_checkouts_key"),
        sa.UniqueConstraint("reference", name="uq_portal_checkouts_reference"),
    )
    op.create_index("ix_portal_checkouts_company", "portal_checkouts", ["company_id", "created_at"])
    op.create_table(
        "mail_outbox",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("dedupe_key", sa.String(255), nullable=False),
        sa.Column("channel", sa.String(64)),
        sa.Column("order_key", sa.String(255)),
        sa.Column("event", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("language", sa.String(16)),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("text_body", sa.Text, nullable=False),
        sa.Column("html_body", sa.Text),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.Float, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("sent_at", sa.Float),
        sa.UniqueConstraint("dedupe_key", name="uq_mail_outbox_dedupe"),
    )
    op.create_index("ix_mail_outbox_due", "mail_outbox", ["state", "next_attempt_at"])
    op.create_table(
        "mail_suppressions",
        sa.Column("address", sa.String(254), primary_key=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("created_at", sa.Float, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("mail_suppressions")
    op.drop_table("mail_outbox")
    op.drop_table("portal_checkouts")
    op.drop_table("portal_cart_lines")
    op.drop_table("portal_tokens")
    op.drop_table("portal_sessions")
    op.drop_table("portal_members")
    op.drop_table("portal_users")
    op.drop_table("portal_companies")
