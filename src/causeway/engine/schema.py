"""The hub's tables, as SQLAlchemy Core metadata.

Alembic migrations (engine/migrations) create these; this module is what the code
queries against. Times are epoch seconds (float) so that SQLite and PostgreSQL
compare them the same way and leases are plain arithmetic.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    text,
)

metadata = MetaData()

# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT.
Id = BigInteger().with_variant(Integer(), "sqlite")

links = Table(
    "links",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hub_id", String(64), nullable=False),
    Column("system", String(64), nullable=False),
    Column("entity_type", String(64), nullable=False),
    Column("external_id", String(255), nullable=False),
    Column("fingerprint", String(128)),
    Column("remote_updated_at", Float),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    UniqueConstraint("system", "entity_type", "external_id", name="uq_links_external"),
    Index("ix_links_hub", "hub_id"),
    # all_of_type(..., fingerprint=...): the links in one state, read per stock publish.
    Index("ix_links_state", "system", "entity_type", "fingerprint"),
)

inbox = Table(
    "inbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("source", String(64), nullable=False),
    Column("event_id", String(255), nullable=False),
    Column("topic", String(128), nullable=False),
    Column("entity_key", String(255), nullable=False),
    Column("headers", Text, nullable=False, default="{}"),
    Column("body", LargeBinary, nullable=False),
    Column("received_at", Float, nullable=False),
    # When retention (engine/retention.py) dropped the body and headers; the row stays
    # as the record that this delivery was received (the dedupe key) and when.
    Column("pruned_at", Float),
    UniqueConstraint("source", "event_id", name="uq_inbox_event"),
    Index("ix_inbox_source_received", "source", "received_at"),
    # What one system sent about one entity (the order page's events): without it, a
    # read of every record of that source (bench/console.py: 260 ms with a million).
    Index("ix_inbox_entity", "source", "entity_key"),
    Index(
        "ix_inbox_unpruned",
        "received_at",
        "id",
        sqlite_where=text("pruned_at IS NULL"),
        postgresql_where=text("pruned_at IS NULL"),
    ),
)

jobs = Table(
    "jobs",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow", String(64), nullable=False),
    Column("ordering_key", String(255), nullable=False),
    Column("dedupe_key", String(255)),
    Column("payload", Text, nullable=False, default="{}"),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("max_attempts", Integer, nullable=False),
    Column("run_at", Float, nullable=False),
    Column("lease_owner", String(64)),
    Column("lease_until", Float),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("finished_at", Float),
    # The Problems page (engine/problems.py): the class of the error a job was parked
    # with (engine/error_classes.py) and its detail as JSON ({"skus": [...]}); every
    # parking as a JSON list of {at, error, class}, so a replayed job that fails again
    # shows both errors; who works on it; and the note it was resolved with.
    Column("error_class", String(32)),
    Column("error_detail", Text),
    Column("error_history", Text),
    Column("assignee", String(255)),
    Column("resolution", Text),
    UniqueConstraint("dedupe_key", name="uq_jobs_dedupe"),
    # Claim order within a state and flow: a claim scans it and stops at its limit.
    Index("ix_jobs_claim", "state", "flow", "run_at", "id"),
    Index("ix_jobs_ordering", "ordering_key", "state", "id"),
    # Retention finds done and dead jobs by when they finished.
    Index("ix_jobs_finished", "state", "finished_at"),
    # The Problems page's counts per class and its filters by class and assignee.
    Index("ix_jobs_problem_class", "state", "error_class", "finished_at"),
    Index("ix_jobs_assignee", "state", "assignee"),
)

cursors = Table(
    "cursors",
    metadata,
    Column("system", String(64), primary_key=True),
    Column("stream", String(64), primary_key=True),
    Column("value", String(64)),
    # When the watermark last moved (or the row was created).
    Column("updated_at", Float, nullable=False),
    # The flow whose poll reads this cursor, and when that poll last completed
    # (observability/alerts.py: a cursor that stops advancing).
    Column("flow", String(64)),
    Column("polled_at", Float),
)

entities = Table(
    "entities",
    metadata,
    Column("hub_id", String(64), primary_key=True),
    Column("entity_type", String(64), nullable=False),
    Column("state", String(32), nullable=False),
    Column("summary", Text, nullable=False, default="{}"),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

flow_runs = Table(
    "flow_runs",
    metadata,
    Column("flow", String(64), primary_key=True),
    Column("last_started_at", Float),
    Column("last_success_at", Float),
    Column("last_error", Text),
    Column("next_run_at", Float),
)

# When the hub started watching a subject ("hub", "webhooks:<system>"), so that
# silence is measured from then and a brand-new hub does not alert at once.
monitoring = Table(
    "monitoring",
    metadata,
    Column("subject", String(128), primary_key=True),
    Column("since", Float, nullable=False),
)

# The order status timeline (engine/timeline.py): each milestone at most once per order.
timeline = Table(
    "timeline",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hub_id", String(64), nullable=False),
    Column("milestone", String(64), nullable=False),
    Column("at", Float, nullable=False),
    Column("detail", Text, nullable=False, default="{}"),
    UniqueConstraint("hub_id", "milestone", name="uq_timeline_milestone"),
    # Monitoring's question: which orders carry a finding (an amount mismatch)?
    Index("ix_timeline_milestone", "milestone", "hub_id"),
)

# The golden customer record (customers/): one row per person; `record` is the JSON
# of customers.record.GoldenRecord, `version` guards concurrent updates, and a record
# merged into another keeps its row (merged_into) so that the merge can be undone.
# Which system's customer is which golden record lives in `links` (entity "customer").
customers = Table(
    "customers",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("record", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("merged_into", String(64)),
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
)

# Blocking keys (customers/matching.py) -> the customers filed under them.
customer_keys = Table(
    "customer_keys",
    metadata,
    Column("key", String(255), primary_key=True),
    Column("customer_id", String(64), primary_key=True),
    Index("ix_customer_keys_customer", "customer_id"),
)

# Every merge, with both records and the moved links as they were, for undo.
merge_log = Table(
    "merge_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("survivor_id", String(64), nullable=False),
    Column("merged_id", String(64), nullable=False),
    Column("survivor_before", Text, nullable=False),
    Column("merged_before", Text, nullable=False),
    Column("moved_links", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("at", Float, nullable=False),
    Column("undone_at", Float),
)

# API keys (engine/api_keys.py): a key is `cw_<public id>_<secret>`; `prefix` is
# `cw_<public id>`, what lists show and lookups use; only the secret's SHA-256 is kept.
api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("prefix", String(32), nullable=False),
    Column("secret_sha256", String(64), nullable=False),
    Column("scope", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_used_at", Float),
    Column("revoked_at", Float),
    UniqueConstraint("name", name="uq_api_keys_name"),
    UniqueConstraint("prefix", name="uq_api_keys_prefix"),
)

# Named locks (engine/locks.py): a row while its lock is held, until `lease_until` unless
# its holder renews it; a holder that died leaves a row the next taker overwrites.
locks = Table(
    "locks",
    metadata,
    Column("name", String(128), primary_key=True),
    Column("holder", String(64), nullable=False),
    Column("lease_until", Float, nullable=False),
    Column("acquired_at", Float, nullable=False),
)

# Rate buckets shared by every worker process (engine/shared_rate.py): one row per bucket
# (an Amazon operation of one selling account), its tokens as of `stamp`, its size and
# refill rate (the rate a remote's header stated), and until when a Retry-After stops it.
rate_buckets = Table(
    "rate_buckets",
    metadata,
    Column("name", String(255), primary_key=True),
    Column("tokens", Float, nullable=False),
    Column("capacity", Float, nullable=False),
    Column("refill_per_second", Float, nullable=False),
    Column("stamp", Float, nullable=False),
    Column("paused_until", Float, nullable=False, server_default=text("0")),
)

# The audit log (engine/audit.py): one row per operator action, never changed afterwards.
# `before` and `after` are JSON of what the action changed (null: nothing there).
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("actor", String(255), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(255), nullable=False),
    Column("before", Text),
    Column("after", Text),
    Column("note", Text),
    Index("ix_audit_log_at", "at"),
    Index("ix_audit_log_subject", "subject", "at"),
    Index("ix_audit_log_actor", "actor", "at"),
)

# The search box (engine/search.py): normalised terms (engine/search_terms.py) -> what
# they find. Prefix search is a range on `term` (term > 'abc' AND term < 'abd'), which
# the primary key serves only if it orders by code point: PostgreSQL's "C" collation
# (a database's default is often a linguistic one, under which a range is not a prefix),
# SQLite's default BINARY. Without a rowid on SQLite: the primary key is the table.
SearchTerm = String(128).with_variant(String(128, collation="C"), "postgresql")
search_terms = Table(
    "search_terms",
    metadata,
    Column("term", SearchTerm, primary_key=True),
    Column("kind", String(16), primary_key=True),  # order, customer, product, document
    Column("key", String(255), primary_key=True),  # hub id, golden customer id or SKU
    Column("field", String(32), primary_key=True),  # which value matched: email, tracking...
    Column("shown", String(255), nullable=False),  # that value as the system wrote it
    Index("ix_search_terms_target", "kind", "key"),
    sqlite_with_rowid=False,
)

# What a search result shows and opens, one row per order, customer or product: its
# label and, for an order, the system and id of its page (/console/orders/{system}/{id}).
search_entries = Table(
    "search_entries",
    metadata,
    Column("kind", String(16), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("label", String(255), nullable=False),
    Column("system", String(64)),
    Column("external_id", String(255)),
    Column("updated_at", Float, nullable=False),
)

# People who log in to the console (engine/users.py): the e-mail, lower-cased, is the
# login; the password is kept only as an argon2id hash; a disabled user stays listed
# (who did what in the audit log still names them) but cannot log in.
users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("last_login_at", Float),
    UniqueConstraint("email", name="uq_users_email"),
)

# Console sessions (engine/console_sessions.py): one row per logged-in browser, found by
# the SHA-256 of the random token its cookie carries (never the token itself), with the
# CSRF token its forms must send back.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
    Index("ix_console_sessions_user", "user_id"),
)

# Failed console logins (engine/login_throttle.py), one row each, keyed by what they
# count against ("email:<e-mail>" or "address:<client address>"), so that the limit
# holds across every hub process sharing the store. Rows older than the window go.
login_failures = Table(
    "login_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("key", String(320), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_login_failures_key_at", "key", "at"),
)

# Paused flows (engine/flow_pauses.py): a row while the flow is paused. Every process
# reads it: the job queue holds the flow's new jobs and claims none of its jobs, the
# scheduler fires none of its runs.
flow_pauses = Table(
    "flow_pauses",
    metadata,
    Column("flow", String(64), primary_key=True),
    Column("paused_at", Float, nullable=False),
    Column("paused_by", String(255), nullable=False),
)

# Each scheduled or on-demand run of a flow (engine/flow_history.py): when it started
# and ended, what it released and queued, and what the workers then did with the
# flow's jobs until it had nothing left due. `flow_runs` keeps only the latest outcome.
flow_run_log = Table(
    "flow_run_log",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("flow", String(64), nullable=False),
    # "schedule" (the scheduler fired it) or "on demand" (CLI, API, console).
    Column("trigger", String(16), nullable=False),
    Column("actor", String(255)),
    Column("started_at", Float, nullable=False),
    Column("finished_at", Float),
    Column("released", Integer, nullable=False, default=0),
    Column("queued", Integer, nullable=False, default=0),
    Column("done", Integer, nullable=False, default=0),
    Column("retried", Integer, nullable=False, default=0),
    Column("dead", Integer, nullable=False, default=0),
    # Counts the flow reports about its work, as JSON ({"pushed": 12, ...}).
    Column("counts", Text, nullable=False, default="{}"),
    Column("last_error", Text),
    Index("ix_flow_run_log_flow", "flow", "started_at"),
)

# -- the B2B portal (docs/portal.md) ---------------------------------------------------
# A business customer: one ERP party, and the warehouses its orders may ship from
# (JSON list of warehouse codes; NULL: every warehouse). engine/portal_accounts.py.
portal_companies = Table(
    "portal_companies",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_id", BigInteger, nullable=False),
    Column("name", String(255), nullable=False),
    Column("warehouses", Text),
    Column("created_at", Float, nullable=False),
    Column("created_by", String(255), nullable=False),
    Column("disabled_at", Float),
    UniqueConstraint("party_id", name="uq_portal_companies_party"),
)

# People who log in to the portal: apart from the console's `users`, so that a portal
# login can never open the console. No password until they accept an invitation or
# use a magic link; argon2id hashes only (engine/portal_accounts.py).
portal_users = Table(
    "portal_users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("email", String(254), nullable=False),
    Column("name", String(255), nullable=False, default=""),
    Column("password_hash", String(255)),
    Column("language", String(16)),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),
    Column("last_login_at", Float),
    UniqueConstraint("email", name="uq_portal_users_email"),
)

# Who belongs to which company, with which role (buyer, approver, admin) and the most a
# buyer may order without approval (a Decimal as text, in the company's currency; NULL:
# no limit of their own).
portal_members = Table(
    "portal_members",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, nullable=False),
    Column("company_id", Id, nullable=False),
    Column("role", String(16), nullable=False),
    Column("order_limit", String(32)),
    Column("created_at", Float, nullable=False),
    UniqueConstraint("user_id", "company_id", name="uq_portal_members_user_company"),
    Index("ix_portal_members_company", "company_id"),
)

# Portal sessions, as console_sessions, plus the company the person is acting for now.
portal_sessions = Table(
    "portal_sessions",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("company_id", Id, nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("last_seen_at", Float, nullable=False),
    Index("ix_portal_sessions_user", "user_id"),
)

# One-time tokens sent by e-mail: an invitation, a password reset, a magic link. Only
# their SHA-256 is kept; each works once and until it expires.
portal_tokens = Table(
    "portal_tokens",
    metadata,
    Column("token_sha256", String(64), primary_key=True),
    Column("user_id", Id, nullable=False),
    Column("purpose", String(16), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float, nullable=False),
    Column("used_at", Float),
    Index("ix_portal_tokens_user", "user_id"),
)

# A person's cart for one company: a line per SKU (quantity as a Decimal in text).
portal_cart_lines = Table(
    "portal_cart_lines",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("company_id", Id, nullable=False),
    Column("user_id", Id, nullable=False),
    Column("sku", String(255), nullable=False),
    Column("quantity", String(32), nullable=False),
    Column("added_at", Float, nullable=False),
    UniqueConstraint("company_id", "user_id", "sku", name="uq_portal_cart_lines"),
)

# A checkout: what was ordered (JSON lines with the prices shown), its idempotency key
# (one per checkout form: a double click or a retried request finds the same row), and
# where it stands: awaiting_approval, approved, placing, placed, rejected, failed.
portal_checkouts = Table(
    "portal_checkouts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("company_id", Id, nullable=False),
    Column("user_id", Id, nullable=False),
    Column("idempotency_key", String(64), nullable=False),
    Column("reference", String(64), nullable=False),
    Column("state", String(24), nullable=False),
    Column("lines", Text, nullable=False),
    Column("shipment_address_id", BigInteger),
    Column("po_number", String(64)),
    Column("currency", String(3), nullable=False),
    Column("total", String(32), nullable=False),
    Column("hold_reason", Text),
    Column("created_at", Float, nullable=False),
    Column("decided_by", String(255)),
    Column("decided_at", Float),
    Column("decision_note", Text),
    Column("sale_id", BigInteger),
    Column("erp_number", String(64)),
    Column("error", Text),
    UniqueConstraint("idempotency_key", name="uq_portal_checkouts_key"),
    UniqueConstraint("reference", name="uq_portal_checkouts_reference"),
    Index("ix_portal_checkouts_company", "company_id", "created_at"),
)

# -- order-status e-mails (docs/notifications.md) -----------------------------------------
# Every e-mail to send, written in the transaction of the event it tells of, sent once:
# `dedupe_key` is (order, event, shipment), so a replayed event queues nothing new.
mail_outbox = Table(
    "mail_outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("dedupe_key", String(255), nullable=False),
    Column("channel", String(64)),
    Column("order_key", String(255)),
    Column("event", String(32), nullable=False),
    Column("recipient", String(254), nullable=False),
    Column("language", String(16)),
    Column("subject", Text, nullable=False),
    Column("text_body", Text, nullable=False),
    Column("html_body", Text),
    # pending, sent, failed (gave up after its attempts), suppressed (address bounced)
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("next_attempt_at", Float, nullable=False),
    Column("last_error", Text),
    Column("created_at", Float, nullable=False),
    Column("sent_at", Float),
    UniqueConstraint("dedupe_key", name="uq_mail_outbox_dedupe"),
    Index("ix_mail_outbox_due", "state", "next_attempt_at"),
)

# Addresses never written to again: a hard bounce, a complaint, or a person's request.
mail_suppressions = Table(
    "mail_suppressions",
    metadata,
    Column("address", String(254), primary_key=True),
    Column("reason", String(16), nullable=False),
    Column("detail", Text),
    Column("created_at", Float, nullable=False),
)

# -- shoppers' checkouts (docs/carts.md) ---------------------------------------------------
# One row per store checkout, keyed by the store's checkout id: what it held when last
# seen (an older update never replaces a newer `updated_at`) and what became of it.
# Placeholder rows (an order that arrived before its checkout) have no currency yet.
carts = Table(
    "carts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("system", String(64), nullable=False),
    Column("checkout_id", String(100), nullable=False),
    Column("checkout_token", String(100)),
    Column("cart_token", String(100)),
    Column("email", String(254)),
    Column("customer_id", String(64)),  # the golden customer, once resolved
    Column("currency", String(3)),
    Column("total", String(32)),
    Column("line_count", Integer, nullable=False, server_default="0"),
    Column("lines", Text, nullable=False, server_default="[]"),
    Column("recovery_url", Text),
    Column("created_at", Float),
    Column("updated_at", Float),
    Column("completed_at", Float),
    Column("order_id", String(100)),
    # open, abandoned, recovered, completed (flows/carts/abandonment.py)
    Column("state", String(16), nullable=False),
    Column("abandoned_at", Float),
    Column("recovered_at", Float),
    Column("received_at", Float, nullable=False),
    UniqueConstraint("system", "checkout_id", name="uq_carts_system_checkout"),
    Index("ix_carts_state_updated", "state", "updated_at"),
    Index("ix_carts_token", "system", "checkout_token"),
)

# -- clickstream (docs/clickstream.md) ------------------------------------------------------
# Storefront events from POST /collect/{system}: apart from the inbox (they start no job
# and are not under the inbox's nothing-lost guarantee), one row per (system, event id)
# so that a resent event is stored once. Money is Decimal text with its currency.
# `customer_id` is the golden customer the client turns out to be (stitched later; NULL).
web_events = Table(
    "web_events",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("system", String(64), nullable=False),
    Column("event_id", String(128), nullable=False),
    Column("name", String(64), nullable=False),
    Column("client_id", String(128), nullable=False),
    Column("occurred_at", Float, nullable=False),
    Column("received_at", Float, nullable=False),
    Column("page_url", Text),
    Column("referrer", Text),
    Column("product_sku", String(255)),
    Column("variant_id", String(255)),
    Column("quantity", Integer),
    Column("value", String(32)),
    Column("currency", String(3)),
    Column("data", Text),
    Column("customer_id", String(64)),
    UniqueConstraint("system", "event_id", name="uq_web_events_event"),
    Index("ix_web_events_occurred", "system", "occurred_at"),
    Index("ix_web_events_client", "client_id"),
)

# -- stock snapshots (docs/flows/stock-snapshots.md) ----------------------------------------
# One row per day, system, location, SKU and kind: `erp` rows are the ERP's on hand
# (`quantity`) and forecast per warehouse, `channel` rows what a store showed at its
# location (`quantity`; no forecast). `day` is the hub's local date as 'YYYY-MM-DD';
# a second run on one day replaces that day's rows of the system (the unique key).
# Quantities are Decimal text. Out of stock is `quantity <= 0`.
stock_snapshots = Table(
    "stock_snapshots",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("day", String(10), nullable=False),
    Column("taken_at", Float, nullable=False),
    Column("system", String(64), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("location", String(255), nullable=False),
    Column("sku", String(255), nullable=False),
    Column("quantity", String(32), nullable=False),
    Column("forecast", String(32)),
    UniqueConstraint("day", "system", "location", "sku", "kind", name="uq_stock_snapshots_row"),
    Index("ix_stock_snapshots_sku", "sku", "day"),
)

# -- order changes (docs/order-changes.md) ---------------------------------------------------
# Every edit, cancellation and refund of an order as a fact: what the hub knew of the order
# before it and after it (JSON), written in the same transaction as the flow's own record of
# the change. One row per dedupe key, so a redelivered webhook or a retried job adds nothing.
# Money is Decimal text with its currency; `occurred_at` is the store's time, when it says.
order_changes = Table(
    "order_changes",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("hub_id", String(64), nullable=False),
    Column("system", String(64), nullable=False),
    Column("order_id", String(100), nullable=False),  # the order's id in `system`
    Column("kind", String(16), nullable=False),  # edit, cancellation, refund
    Column("occurred_at", Float),
    Column("recorded_at", Float, nullable=False),
    Column("dedupe_key", String(255), nullable=False),
    Column("before", Text, nullable=False),
    Column("after", Text, nullable=False),
    Column("amount_delta", String(32)),
    Column("currency", String(3)),
    UniqueConstraint("dedupe_key", name="uq_order_changes_dedupe"),
    Index("ix_order_changes_hub", "hub_id"),
    Index("ix_order_changes_occurred", "system", "occurred_at"),
)

# -- order facts (docs/warehouse.md) ---------------------------------------------------------
# What each order was when the ERP got it, kept for the warehouse: the inbox's payloads are
# pruned by retention and the ERP keeps no attribution, discounts or channel, so the hub
# keeps one header row per order and one row per goods line, written in the transaction
# that records the sale (orders/record.py: record_placed) and rewritten on an edit or a
# cancellation. No personal data: the customer is the golden record's id. Money is Decimal
# text in `currency`; `changed_at` is the warehouse's incremental watermark.
order_facts = Table(
    "order_facts",
    metadata,
    Column("hub_id", String(64), primary_key=True),
    Column("system", String(64), nullable=False),
    Column("order_id", String(100), nullable=False),
    Column("number", String(64)),
    Column("customer_id", String(64)),
    Column("customer_group", String(255)),
    Column("currency", String(3), nullable=False),
    Column("ordered_at", Float, nullable=False),
    Column("state", String(16), nullable=False),  # placed, cancelled
    Column("cancelled_at", Float),
    Column("taxes_included", Boolean, nullable=False, server_default=text("false")),
    Column("goods_net", String(32), nullable=False),
    Column("discounts", String(32), nullable=False),
    Column("shipping_charged", String(32), nullable=False),
    Column("tax", String(32), nullable=False),
    Column("total", String(32), nullable=False),
    Column("source_name", String(255)),
    Column("landing_site", Text),
    Column("referring_site", Text),
    Column("landing_site_ref", String(255)),
    Column("erp_system", String(64)),
    Column("erp_sale_id", String(64)),
    Column("changed_at", Float, nullable=False),
    Index("ix_order_facts_changed", "changed_at"),
)

order_fact_lines = Table(
    "order_fact_lines",
    metadata,
    # A primary key, as every table has: privacy requests find and rewrite rows by it.
    Column("hub_id", String(64), primary_key=True),
    Column("line_no", Integer, primary_key=True),
    Column("sku", String(255)),
    Column("title", Text),
    Column("quantity", Integer, nullable=False),
    Column("unit_price", String(32), nullable=False),
    Column("discount", String(32), nullable=False),
    Column("tax", String(32), nullable=False),
)
