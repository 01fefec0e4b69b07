"""The order-changes table: each edit, cancellation and refund of an order, stored once.

A fact is written by the flow that handles the change, inside the transaction that writes
the flow's own record of it (the order's summary, its links, its timeline milestone), so
the fact exists exactly when the change was handled. Its dedupe key (the store's refund
id, the order's cancellation, the edited version) makes the insert a no-op the second
time, on SQLite and PostgreSQL alike: a redelivered webhook, a replayed or retried job
records nothing new. What goes into `before` and `after` is decided by
orders/changes.py; this module only stores and reads (docs/order-changes.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.schema import order_changes

KINDS = ("edit", "cancellation", "refund")


def record_change(
    conn: Connection,
    *,
    hub_id: str,
    system: str,
    order_id: str,
    kind: str,
    dedupe_key: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    occurred_at: float | None = None,
    amount_delta: str | None = None,
    currency: str | None = None,
    recorded_at: float | None = None,
) -> bool:
    """Store one change in the caller's transaction; False when its dedupe key is stored."""
    if kind not in KINDS:
        raise ValueError(f"unknown order change kind {kind!r}; one of {', '.join(KINDS)}")
    row = {
        "hub_id": hub_id,
        "system": system,
        "order_id": order_id,
        "kind": kind,
        "occurred_at": occurred_at,
        "recorded_at": time.time() if recorded_at is None else recorded_at,
        "dedupe_key": dedupe_key,
        "before": json.dumps(before, sort_keys=True),
        "after": json.dumps(after, sort_keys=True),
        "amount_delta": amount_delta,
        "currency": currency,
    }
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(order_changes)
        .values(row)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(order_changes.c.id)
    )
    return conn.execute(statement).first() is not None


def changes_of(conn: Connection, hub_id: str) -> list[dict[str, Any]]:
    """An order's changes, in the order they were recorded, before and after parsed."""
    rows = conn.execute(
        select(order_changes)
        .where(order_changes.c.hub_id == hub_id)
        .order_by(order_changes.c.recorded_at, order_changes.c.id)
    )
    return [
        {**row._mapping, "before": json.loads(row.before), "after": json.loads(row.after)}
        for row in rows
    ]
