"""The order status timeline: the milestones one order has reached, across systems.

A milestone is recorded once per order (the first time wins: a redelivered webhook
or a second poll of the same shipment changes nothing), with when it happened and a
small detail (the ERP sale number, the tracking number, the credit note...). The
order's status is its furthest milestone in the lifecycle below; `cancelled`,
`refunded` and `returned` stand above the rest once they happen.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine.schema import timeline
from causeway.engine.store import now

# In lifecycle order: an order's status is the last of these it has reached.
MILESTONES = (
    "received",
    "in_erp",
    "allocated",
    "partially_shipped",
    "shipped",
    "invoiced",
    "paid",
    "refunded",
    "returned",
    "cancelled",
)


@dataclass(frozen=True)
class Milestone:
    milestone: str
    at: float
    detail: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {"milestone": self.milestone, "at": self.at, "detail": self.detail}


def record(
    conn: Connection,
    hub_id: str,
    milestone: str,
    *,
    at: float | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Note that the order reached `milestone`; True if this is the first time."""
    if milestone not in MILESTONES:
        raise ValueError(f"unknown milestone {milestone!r}; known: {', '.join(MILESTONES)}")
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(timeline)
        .values(
            hub_id=hub_id,
            milestone=milestone,
            at=at if at is not None else now(),
            detail=json.dumps(detail or {}, default=str),
        )
        .on_conflict_do_nothing(index_elements=["hub_id", "milestone"])
    )
    return bool(conn.execute(statement).rowcount)


def read(conn: Connection, hub_id: str) -> list[Milestone]:
    """The order's milestones in the order they happened."""
    rows = conn.execute(
        select(timeline.c.milestone, timeline.c.at, timeline.c.detail)
        .where(timeline.c.hub_id == hub_id)
        .order_by(timeline.c.at, timeline.c.id)
    )
    return [Milestone(r.milestone, r.at, json.loads(r.detail)) for r in rows]


def status(milestones: list[Milestone]) -> str | None:
    """The furthest milestone reached, by lifecycle order (None: nothing yet)."""
    reached = {m.milestone for m in milestones}
    return next((m for m in reversed(MILESTONES) if m in reached), None)
