"""The clickstream's table: storefront events, each stored once, and read back.

Apart from the inbox on purpose: a page view starts no job and is worth no fsync of
its own, so events are written in batches by WebEventWriter (engine/web_event_writer.py)
and are best effort (docs/clickstream.md); retention prunes them (engine/retention.py).
A resent event (the same system and event id) is skipped by the insert itself, so two
batches racing on it store it once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.schema import web_events
from causeway.engine.store import Store


@dataclass(frozen=True)
class WebEvent:
    """One storefront event as stored: what reports read, flattened from the event."""

    system: str
    event_id: str
    name: str
    client_id: str
    occurred_at: float
    received_at: float
    page_url: str | None = None
    referrer: str | None = None
    product_sku: str | None = None
    variant_id: str | None = None
    quantity: int | None = None
    value: str | None = None  # Decimal as text, with its currency
    currency: str | None = None
    data: str | None = None  # the event's `data`, as JSON, trimmed


def store_web_events(store: Store, events: Sequence[WebEvent]) -> int:
    """Insert events in one transaction, skipping those already stored; returns how many
    were new."""
    if not events:
        return 0
    unique = list({(e.system, e.event_id): e for e in reversed(events)}.values())
    insert = pg_insert(web_events) if store.is_postgres else sqlite_insert(web_events)
    statement = insert.on_conflict_do_nothing(index_elements=["system", "event_id"])
    with store.transaction() as conn:
        if store.is_postgres:
            # A slow store drops events (the writer's queue is bounded) rather than hold
            # this transaction: it gives up after a few seconds.
            conn.exec_driver_sql("SET LOCAL statement_timeout = 5000")
        result = conn.execute(statement.returning(web_events.c.id), [asdict(e) for e in unique])
        return len(result.all())


def web_events_of(store: Store, system: str, *, limit: int = 1000) -> list[dict[str, Any]]:
    """A system's stored events, oldest first (reports and tests read them)."""
    with store.read() as conn:
        rows = conn.execute(
            select(web_events)
            .where(web_events.c.system == system)
            .order_by(web_events.c.occurred_at, web_events.c.id)
            .limit(limit)
        )
        return [dict(row._mapping) for row in rows]
