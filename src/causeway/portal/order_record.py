"""A portal checkout as one of the hub's orders (orders/record.py), so that the console's
order page, its timeline and the search box know portal orders like every other.

The order's hub id is linked to (portal, order, <checkout reference>) when the checkout
is made; the ERP sale is linked to it when the flow places it. Each function takes the
caller's transaction: a state change, its e-mail and its record are written together.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection

from causeway.config.notifications import NotificationsSettings
from causeway.engine import golden_records, links, order_facts, search, timeline
from causeway.engine.inbox import Inbox, InboxRecord
from causeway.engine.portal_accounts import Company
from causeway.engine.portal_checkouts import Checkout
from causeway.model.ports.portal import PlacedPortalSale
from causeway.notifications.events import PORTAL_CHANNEL, OrderEvent, notify
from causeway.orders.facts import portal_order_fact
from causeway.orders.record import ORDER, SALE, order_hub_id, update_order

# The inbox topic of a checkout to place (written by the hub, never a webhook); its
# record's source is the ERP the flow places it in, its event id the checkout.
PLACE_TOPIC = "portal/checkout.place"


def entity_key(checkout_id: int) -> str:
    return f"checkout:{checkout_id}"


def hub_id_of(conn: Connection, checkout: Checkout) -> str:
    return order_hub_id(conn, PORTAL_CHANNEL, checkout.reference)


def received(conn: Connection, checkout: Checkout, *, company: Company, email: str) -> str:
    """The order exists for the hub: its link, summary, received milestone; its hub id."""
    hub_id = hub_id_of(conn, checkout)
    links.save(
        conn,
        hub_id=hub_id,
        system=PORTAL_CHANNEL,
        entity_type=ORDER,
        external_id=checkout.reference,
        fingerprint=checkout.state,
        remote_updated_at=checkout.created_at,
    )
    update_order(
        conn,
        hub_id,
        state=checkout.state,
        number=checkout.reference,
        reference=checkout.reference,
        total=str(checkout.total),
        currency=checkout.currency,
        email=email,
        channel=PORTAL_CHANNEL,
        company=company.name,
        po_number=checkout.po_number,
        portal_checkout=checkout.id,
        hold_reason=checkout.hold_reason,
    )
    timeline.record(conn, hub_id, "received", at=checkout.created_at)
    search.note_products(conn, [line.sku for line in checkout.lines])
    return hub_id


def decided(conn: Connection, checkout: Checkout) -> None:
    hub_id = hub_id_of(conn, checkout)
    update_order(
        conn,
        hub_id,
        state=checkout.state,
        decided_by=checkout.decided_by,
        decision_note=checkout.decision_note,
    )


def placed(
    conn: Connection,
    checkout: Checkout,
    sale: PlacedPortalSale,
    erp_system: str,
    *,
    party_id: int | None = None,
) -> str:
    """The ERP has the order: the sale's link, the summary, the in_erp milestone, and
    its facts for the warehouse (docs/order-facts.md), the customer the golden record of
    the company's ERP party (`party_id`) when the hub has resolved it."""
    hub_id = hub_id_of(conn, checkout)
    links.save(
        conn,
        hub_id=hub_id,
        system=erp_system,
        entity_type=SALE,
        external_id=str(sale.sale_id),
        fingerprint=sale.state,
    )
    update_order(
        conn,
        hub_id,
        state=checkout.state,
        erp_number=sale.number,
        erp_state=sale.state,
        erp_total=str(sale.total_amount),
        error=None,
    )
    timeline.record(conn, hub_id, "in_erp", detail={"erp_number": sale.number})
    customer = None
    if party_id is not None:
        link = links.find(conn, erp_system, golden_records.CUSTOMER, str(party_id))
        customer = golden_records.live_id(conn, link.hub_id) if link else None
    fact = portal_order_fact(checkout, sale, customer_id=customer, erp_system=erp_system)
    order_facts.store(conn, hub_id, fact)
    return hub_id


def failed(conn: Connection, checkout: Checkout) -> None:
    update_order(conn, hub_id_of(conn, checkout), state=checkout.state, error=checkout.error)


def notify_event(
    conn: Connection,
    settings: NotificationsSettings,
    checkout: Checkout,
    event: str,
    recipient: str,
    **facts: Any,
) -> bool:
    """The event's e-mail to the buyer, queued in the caller's transaction."""
    return notify(
        conn,
        settings,
        OrderEvent(
            event=event,
            order_key=hub_id_of(conn, checkout),
            channel=PORTAL_CHANNEL,
            recipient=recipient,
            order_number=checkout.reference,
            facts={
                "amount": str(checkout.total),
                "currency": checkout.currency,
                "lines": [
                    {"sku": line.sku, "name": line.name, "quantity": str(line.quantity)}
                    for line in checkout.lines
                ],
                "po_number": checkout.po_number,
                "reason": checkout.hold_reason if event == "awaiting_approval" else None,
                "note": checkout.decision_note,
                **facts,
            },
        ),
    )


def hand_to_flow(conn: Connection, inbox: Inbox, erp_system: str, checkout: Checkout) -> bool:
    """Queue the approved checkout for the portal-orders flow, once (the inbox's dedupe
    key is the checkout): False if it was queued before."""
    (accepted,) = inbox.accept_in(
        conn,
        [
            InboxRecord(
                source=erp_system,
                event_id=entity_key(checkout.id),
                topic=PLACE_TOPIC,
                entity_key=entity_key(checkout.id),
                body=json.dumps(
                    {"checkout_id": checkout.id, "reference": checkout.reference}
                ).encode(),
            )
        ],
    )
    return accepted
