"""The hub's reads behind customers-to-crm and cases: which orders reached the ERP,
an order's newest stored payload, a golden customer's orders and CRM contact.

A customer's orders are kept as links (the CRM system, `customer_order`,
"<store>:<order id>") on the golden customer that placed them: the order total in
the fingerprint, the order time in remote_updated_at. Merges move only a customer's
system links, so a customer's orders are those of the record and of every record
merged into it (undoing a merge gives the orders back with no rewrite).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection

from causeway.config.flows import RfmThresholds
from causeway.customers.crm_contact import CustomerFigures, OrderFact, figures, segment
from causeway.engine import inbox, links
from causeway.engine.golden_records import family, live_id
from causeway.engine.inbox import StoredEvent
from causeway.engine.links import Link

__all__ = [
    "CONTACT",
    "CUSTOMER_ORDER",
    "MERGED",
    "contact_links",
    "customer_of_order",
    "family",
    "live_id",
    "newest_order_event",
    "order_fact_fingerprint",
    "order_facts",
    "order_key",
    "orders_in_erp_since",
    "standing",
]

CUSTOMER_ORDER = "customer_order"
CONTACT = "contact"
# The contact-link fingerprint of a contact set aside when its customer merged into
# another whose contact was kept: "merged:<kept contact id>".
MERGED = "merged:"


def order_key(source: str, order_id: str) -> str:
    return f"{source}:{order_id}"


def orders_in_erp_since(
    conn: Connection, source: str, since: datetime | None
) -> list[tuple[str, float]]:
    """(order id, link updated_at) of the store's orders the ERP has, changed since `since`."""
    return links.changed_since(
        conn, source, "order", "in_erp", since.timestamp() if since is not None else None
    )


def newest_order_event(
    conn: Connection, source: str, order_id: str, topics: tuple[str, ...]
) -> StoredEvent | None:
    """The order's newest full payload in the inbox (webhook or polled)."""
    return inbox.newest_event(conn, source, f"order:{order_id}", topics)


def order_fact_fingerprint(total: Decimal, channel: str, currency: str) -> str:
    """What customers-to-crm keeps of an order on its count link: "total|channel|currency"."""
    return f"{total}|{channel}|{currency}"[:128]


def order_facts(conn: Connection, crm: str, customer_ids: list[str]) -> list[OrderFact]:
    facts = []
    for link in links.of_hubs_oldest_first(conn, customer_ids, crm, CUSTOMER_ORDER):
        # "total|channel" before currencies were kept: read as the one currency there was.
        total, channel, currency = [*(link.fingerprint or "").split("|"), "", ""][:3]
        try:
            amount = Decimal(total)
        except InvalidOperation:
            continue  # not written by this flow: counts for nothing
        ordered_at = datetime.fromtimestamp(link.remote_updated_at or 0, UTC)
        facts.append(OrderFact(link.external_id, amount, ordered_at, channel, currency or None))
    return facts


def contact_links(conn: Connection, crm: str, customer_ids: list[str]) -> list[Link]:
    """The customer family's CRM contacts still in use, oldest first."""
    # Oldest first: the first contact a customer got is the one a merge keeps.
    found = links.of_hubs_oldest_first(conn, customer_ids, crm, CONTACT)
    return [link for link in found if not (link.fingerprint or "").startswith(MERGED)]


def customer_of_order(conn: Connection, crm: str, source: str, order_id: str) -> str | None:
    """The golden customer (now) of a store order customers-to-crm has counted."""
    link = links.find(conn, crm, CUSTOMER_ORDER, order_key(source, order_id))
    return live_id(conn, link.hub_id) if link else None


@dataclass(frozen=True)
class Standing:
    """A customer's order figures and RFM segment, as the CRM contact is given them."""

    figures: CustomerFigures
    segment: str


def standing(
    conn: Connection,
    crm: str,
    members: list[str],
    *,
    currency: str | None,
    rfm: RfmThresholds,
    today: datetime,
) -> Standing | None:
    """The figures and segment of the customer family `members` (family()) from the
    orders customers-to-crm counted; None: no order counted. The one computation behind
    the CRM contact (customers-to-crm) and the console's customer page, so both always
    show the same segment."""
    found = figures(order_facts(conn, crm, members), currency)
    if found is None:
        return None
    return Standing(found, segment(found, today, rfm))
