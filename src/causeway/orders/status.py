"""Where each order a source sent stands, read from the hub's own tables.

For a channel that cannot be told (a drop folder), the hub writes this down
instead: received, in the ERP (with its sale number), shipped (with tracking),
or failed (with the reason an operator reads in `causeway status`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from sqlalchemy import Connection, func, select

from causeway.connectors.files.exports import OrderStatus
from causeway.engine import links, timeline
from causeway.engine.jobs import DEAD
from causeway.engine.schema import entities, inbox, jobs
from causeway.engine.schema import timeline as timeline_table
from causeway.engine.timeline import Milestone

ORDER = "order"
ORDERS_FLOW = "orders-to-erp"
RECEIVED, FAILED = "received", "failed"
SHIPPING_MILESTONES = ("shipped", "partially_shipped")


def tracking_of(milestones: Iterable[Milestone]) -> str | None:
    """Tracking numbers noted on the order's shipping milestones, if any."""
    found: list[str] = []
    for m in milestones:
        if m.milestone not in SHIPPING_MILESTONES:
            continue
        numbers = m.detail.get("tracking_numbers") or [
            m.detail.get("tracking_number") or m.detail.get("tracking")
        ]
        found += [str(n) for n in numbers if n and str(n) not in found]
    return " ".join(found) or None


def order_statuses(conn: Connection, source: str) -> list[OrderStatus]:
    """One row per order `source` put in the inbox, newest knowledge first."""
    received = {
        row.entity_key.removeprefix(f"{ORDER}:"): row.at
        for row in conn.execute(
            select(inbox.c.entity_key, func.max(inbox.c.received_at).label("at"))
            .where(inbox.c.source == source, inbox.c.entity_key.like(f"{ORDER}:%"))
            .group_by(inbox.c.entity_key)
        )
    }
    if not received:
        return []
    linked = links.find_many(conn, source, ORDER, list(received))
    hub_ids = {link.hub_id: number for number, link in linked.items()}
    known = {
        row.hub_id: row
        for row in conn.execute(select(entities).where(entities.c.hub_id.in_(list(hub_ids))))
    }
    reached = _milestones(conn, list(known))
    failures = _dead_jobs(conn, [f"{source}:{ORDER}:{n}" for n in received if n not in linked])
    rows = []
    for number, at in received.items():
        link = linked.get(number)
        entity = known.get(link.hub_id) if link else None
        if entity is None:
            problem = failures.get(f"{source}:{ORDER}:{number}")
            rows.append(
                OrderStatus(number, FAILED if problem else RECEIVED, updated_at=at, problem=problem)
            )
            continue
        milestones = reached.get(entity.hub_id, [])
        summary = json.loads(entity.summary or "{}")
        stamps = [at, entity.updated_at, *(m.at for m in milestones)]
        state = timeline.status(milestones) or entity.state
        rows.append(
            OrderStatus(
                number,
                state,
                erp_sale_number=summary.get("erp_number"),
                tracking=tracking_of(milestones),
                updated_at=max(stamps),
                problem=_mismatch(milestones) if state == timeline.AMOUNT_MISMATCH else None,
            )
        )
    return rows


def _mismatch(milestones: Iterable[Milestone]) -> str | None:
    """The amount mismatch the order carries, as an operator reads it."""
    found = next((m for m in milestones if m.milestone == timeline.AMOUNT_MISMATCH), None)
    return str(found.detail.get("reason")) if found else None


def _milestones(conn: Connection, hub_ids: list[str]) -> dict[str, list[Milestone]]:
    """Each order's milestones in the order they happened, in one query for all."""
    found: dict[str, list[Milestone]] = {}
    if not hub_ids:
        return found
    rows = conn.execute(
        select(timeline_table.c.hub_id, timeline_table.c.milestone, timeline_table.c.at)
        .add_columns(timeline_table.c.detail)
        .where(timeline_table.c.hub_id.in_(hub_ids))
        .order_by(timeline_table.c.at, timeline_table.c.id)
    )
    for r in rows:
        found.setdefault(r.hub_id, []).append(Milestone(r.milestone, r.at, json.loads(r.detail)))
    return found


def _dead_jobs(conn: Connection, ordering_keys: list[str]) -> dict[str, str]:
    """Ordering key -> the reason its latest orders-to-erp job died (only dead ones)."""
    if not ordering_keys:
        return {}
    latest = (
        select(jobs.c.ordering_key, func.max(jobs.c.id).label("id"))
        .where(jobs.c.flow == ORDERS_FLOW, jobs.c.ordering_key.in_(ordering_keys))
        .group_by(jobs.c.ordering_key)
        .subquery()
    )
    rows = conn.execute(
        select(jobs.c.ordering_key, jobs.c.state, jobs.c.last_error).join(
            latest, jobs.c.id == latest.c.id
        )
    )
    return {r.ordering_key: r.last_error or "failed" for r in rows if r.state == DEAD}
