"""The hub's record of one order: its summary, updated by several flows.

orders-to-erp writes the summary when the sale is placed; later flows add their
own keys (the invoice's number and state, the amended total) without dropping
anyone else's. Callers run this in the transaction of their link writes.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from causeway.engine.schema import entities
from causeway.engine.store import now


def read_summary(conn: Connection, hub_id: str) -> dict[str, Any]:
    row = conn.execute(select(entities.c.summary).where(entities.c.hub_id == hub_id)).first()
    return json.loads(row.summary) if row else {}


def merge_summary(conn: Connection, hub_id: str, changes: dict[str, Any]) -> bool:
    """Add or replace these keys of the order's summary; False if the hub has no record."""
    summary = read_summary(conn, hub_id) | changes
    updated = conn.execute(
        entities.update()
        .where(entities.c.hub_id == hub_id)
        .values(summary=json.dumps(summary, default=str), updated_at=now())
    ).rowcount
    return bool(updated)
