"""What a service case shows of its order: the order's state in four ticket properties,
read from the hub's order record (summary) and timeline. Also how a ticket's order
reference ("#1001", "1001" or the store's order id) is found among the hub's orders."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from causeway.engine import entities, links, timeline
from causeway.orders.record import ORDER, read_summary

TICKET = "ticket"  # link: (crm, ticket, ticket id) -> the order's hub id


def find_orders(
    conn: Connection, prefixes: Mapping[str, str], reference: str
) -> list[tuple[str, str]]:
    """Every (store, hub id) of an order of one of the stores a ticket's reference may
    name: the store's order id, its number (#1001 or 1001), or the ERP sale reference
    orders-to-erp gave it (`prefixes`: store -> its sale.reference prefix, as in EU-1001),
    which names the store too. Several when stores share a number and the ticket gives
    no prefix."""
    wanted = reference.strip()
    if not wanted:
        return []
    # The longest prefix first: "EU-B2B-" is not "EU-".
    for store, prefix in sorted(prefixes.items(), key=lambda item: -len(item[1])):
        if prefix and wanted.startswith(prefix) and len(wanted) > len(prefix):
            return _orders_numbered(conn, [store], wanted[len(prefix) :])
    return _orders_numbered(conn, list(prefixes), wanted)


def _orders_numbered(conn: Connection, stores: list[str], wanted: str) -> list[tuple[str, str]]:
    found = [
        (store, link.hub_id) for store in stores if (link := links.find(conn, store, ORDER, wanted))
    ]
    if found:
        return found
    number = wanted if wanted.startswith("#") else f"#{wanted}"
    # The number lives in the order's JSON summary: narrow by text, then check exactly.
    for hub_id, summary in entities.containing(conn, ORDER, json.dumps(number)):
        if summary.get("number") not in (number, wanted):
            continue
        found += [(s, hub_id) for s in stores if order_external_id(conn, s, hub_id) is not None]
    return found


def link_ticket(
    conn: Connection, crm: str, ticket_id: str, order_hub_id: str, fingerprint: str
) -> None:
    """Link the ticket to the order it names now; a ticket whose order number was
    corrected moves to the new order, so the refresh follows the right one."""
    links.save(
        conn,
        hub_id=order_hub_id,
        system=crm,
        entity_type=TICKET,
        external_id=ticket_id,
        fingerprint=fingerprint,
    )
    links.relink(conn, crm, TICKET, ticket_id, order_hub_id)


def order_external_id(conn: Connection, store: str, hub_id: str) -> str | None:
    for link in links.for_hub(conn, hub_id):
        if link.system == store and link.entity_type == ORDER:
            return link.external_id
    return None


def ticket_properties(conn: Connection, hub_id: str) -> dict[str, str]:
    """The order's state as the ticket shows it."""
    summary = read_summary(conn, hub_id)
    milestones = {m.milestone: m.detail for m in timeline.read(conn, hub_id)}
    return describe(summary, milestones)


def describe(summary: dict[str, Any], milestones: dict[str, dict[str, Any]]) -> dict[str, str]:
    status = timeline.status(
        [timeline.Milestone(name, 0.0, detail) for name, detail in milestones.items()]
    )
    erp = summary.get("erp_number")
    shipped = milestones.get("shipped") or milestones.get("partially_shipped")
    if shipped is None:
        shipment = "not shipped"
    else:
        parts = [shipped.get("carrier"), shipped.get("tracking_number") or shipped.get("shipment")]
        partly = "partially shipped: " if "shipped" not in milestones else ""
        shipment = partly + (" ".join(str(p) for p in parts if p) or "shipped")
    invoice = summary.get("invoice_state")
    if invoice:
        number = summary.get("invoice_number")
        invoice = f"{invoice} ({number})" if number else str(invoice)
    if "returned" in milestones:
        returns = "returned"
    elif "refunded" in milestones:
        returns = "refunded"
    else:
        returns = "none"
    return {
        "causeway_order_status": f"{status or 'received'}" + (f" (ERP {erp})" if erp else ""),
        "causeway_shipment": shipment,
        "causeway_invoice_state": invoice or "not invoiced",
        "causeway_return_state": returns,
    }
