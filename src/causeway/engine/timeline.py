"""The order status timeline: the milestones one order has reached, across systems.

A milestone is recorded once per order (the first time wins: a redelivered webhook
or a second poll of the same shipment changes nothing), with when it happened and a
small detail (the ERP sale number, the tracking number, the credit note...). The
order's status is its furthest milestone in the lifecycle below; `cancelled`,
`refunded` and `returned` stand above the rest once they happen.

Beside the lifecycle, the timeline keeps findings about the order and a person's answer
to them: `amount_mismatch` (the ERP sale's amounts differ from what the channel charged,
flows/orders_to_erp/amount_check.py) and `amounts_accepted`. A finding nobody has answered
is the order's status, above every milestone, until someone does.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, exists, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from causeway.engine import search
from causeway.engine.schema import links, timeline
from causeway.engine.store import Store, now

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
# Findings and their answers (not lifecycle steps): finding -> the answer that settles it.
AMOUNT_MISMATCH, AMOUNTS_ACCEPTED = "amount_mismatch", "amounts_accepted"
FINDINGS = {AMOUNT_MISMATCH: AMOUNTS_ACCEPTED}
ENTRIES = (*MILESTONES, *FINDINGS, *FINDINGS.values())


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
    if milestone not in ENTRIES:
        raise ValueError(f"unknown milestone {milestone!r}; known: {', '.join(ENTRIES)}")
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
    first = bool(conn.execute(statement).rowcount)
    if first:  # its tracking and invoice numbers find the order from now on
        search.note_milestone(conn, hub_id, milestone, detail or {})
    return first


def read(conn: Connection, hub_id: str) -> list[Milestone]:
    """The order's milestones in the order they happened."""
    rows = conn.execute(
        select(timeline.c.milestone, timeline.c.at, timeline.c.detail)
        .where(timeline.c.hub_id == hub_id)
        .order_by(timeline.c.at, timeline.c.id)
    )
    return [Milestone(r.milestone, r.at, json.loads(r.detail)) for r in rows]


def read_many(conn: Connection, hub_ids: list[str]) -> dict[str, list[Milestone]]:
    """Each order's milestones in the order they happened, in one query for all."""
    found: dict[str, list[Milestone]] = {}
    if not hub_ids:
        return found
    rows = conn.execute(
        select(timeline.c.hub_id, timeline.c.milestone, timeline.c.at)
        .add_columns(timeline.c.detail)
        .where(timeline.c.hub_id.in_(hub_ids))
        .order_by(timeline.c.at, timeline.c.id)
    )
    for r in rows:
        found.setdefault(r.hub_id, []).append(Milestone(r.milestone, r.at, json.loads(r.detail)))
    return found


def status(milestones: list[Milestone]) -> str | None:
    """A finding nobody has answered, else the furthest milestone reached, by lifecycle
    order (None: nothing yet)."""
    reached = {m.milestone for m in milestones}
    unanswered = [f for f, answer in FINDINGS.items() if f in reached and answer not in reached]
    if unanswered:
        return unanswered[0]
    return next((m for m in reversed(MILESTONES) if m in reached), None)


def statuses(store: Store, hub_ids: list[str]) -> dict[str, str]:
    """Where each of these orders stands (status() of its milestones), in one query: a
    list of search results says it beside each order. An order with no milestone yet
    is left out."""
    with store.read() as conn:
        reached = read_many(conn, sorted(set(hub_ids)))
    return {hub_id: found for hub_id, m in reached.items() if (found := status(m))}


@dataclass(frozen=True)
class OpenFindings:
    """The orders of one system that carry a finding nobody has answered yet."""

    system: str
    count: int
    oldest_at: float
    # (the order's id in `system`, the finding), oldest first; a few, not all.
    oldest: tuple[tuple[str, Milestone], ...]


def open_findings(
    conn: Connection, finding: str, *, entity_type: str = "order", examples: int = 3
) -> list[OpenFindings]:
    """Per system, the orders (links of `entity_type`) whose `finding` is not answered.

    Two indexed lookups per system whatever the number of orders (ix_timeline_milestone
    finds the findings, uq_timeline_milestone the answers), so monitoring can ask often.
    """
    found, answered = timeline.alias("found"), timeline.alias("answered")
    unanswered = and_(
        found.c.milestone == finding,
        ~exists().where(
            answered.c.hub_id == found.c.hub_id, answered.c.milestone == FINDINGS[finding]
        ),
    )
    joined = found.join(
        links, and_(links.c.hub_id == found.c.hub_id, links.c.entity_type == entity_type)
    )
    groups = conn.execute(
        select(links.c.system, func.count().label("n"), func.min(found.c.at).label("oldest"))
        .select_from(joined)
        .where(unanswered)
        .group_by(links.c.system)
        .order_by(links.c.system)
    ).all()
    result = []
    for group in groups:
        rows = conn.execute(
            select(links.c.external_id, found.c.at, found.c.detail)
            .select_from(joined)
            .where(unanswered, links.c.system == group.system)
            .order_by(found.c.at, found.c.id)
            .limit(examples)
        )
        oldest = tuple(
            (r.external_id, Milestone(finding, r.at, json.loads(r.detail))) for r in rows
        )
        result.append(OpenFindings(group.system, group.n, group.oldest, oldest))
    return result
