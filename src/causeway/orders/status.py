"""Where each order a source sent stands, read from the hub's own tables.

For a channel that cannot be told (a drop folder), the hub writes this down
instead: received, in the ERP (with its sale number), shipped (with tracking),
or failed (with the reason an operator reads in `causeway status`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection

from causeway.engine import entities, inbox, jobs, links, timeline
from causeway.engine.jobs import ordering_key
from causeway.engine.timeline import Milestone
from causeway.model.ports.files import OrderStatus
from causeway.orders.tracking import tracking_url

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


@dataclass(frozen=True)
class ShipmentView:
    """An order's latest shipment as fulfillments-to-channels recorded it."""

    complete: bool  # False: partly shipped, the rest to follow
    at: float
    carrier: str | None
    tracking_number: str | None
    tracking_url: str | None  # the one the channel was given, else a known carrier's page


def latest_shipment(milestones: Iterable[Milestone]) -> ShipmentView | None:
    """The order's last shipment, from its shipping milestones (None: nothing shipped)."""
    shipped = [m for m in milestones if m.milestone in SHIPPING_MILESTONES]
    if not shipped:
        return None
    last = max(shipped, key=lambda m: m.at)
    carrier, number = last.detail.get("carrier"), last.detail.get("tracking_number")
    return ShipmentView(
        complete=any(m.milestone == "shipped" for m in shipped),
        at=last.at,
        carrier=carrier,
        tracking_number=number,
        tracking_url=tracking_url(carrier, number, given=last.detail.get("tracking_url")),
    )


def order_statuses(conn: Connection, source: str) -> list[OrderStatus]:
    """One row per order `source` put in the inbox, newest knowledge first."""
    received = inbox.last_received(conn, source, ORDER)
    if not received:
        return []
    linked = links.find_many(conn, source, ORDER, list(received))
    hub_ids = {link.hub_id: number for number, link in linked.items()}
    known = entities.get_many(conn, hub_ids)
    reached = timeline.read_many(conn, list(known))
    failures = jobs.last_dead_errors(
        conn, ORDERS_FLOW, [ordering_key(source, ORDER, n) for n in received if n not in linked]
    )
    rows = []
    for number, at in received.items():
        link = linked.get(number)
        entity = known.get(link.hub_id) if link else None
        if entity is None:
            problem = failures.get(ordering_key(source, ORDER, number))
            rows.append(
                OrderStatus(number, FAILED if problem else RECEIVED, updated_at=at, problem=problem)
            )
            continue
        milestones = reached.get(entity.hub_id, [])
        summary = entity.summary
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
