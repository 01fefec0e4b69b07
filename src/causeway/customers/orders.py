"""The hub's reads behind customers-to-crm and cases: which orders reached the ERP,
an order's newest stored payload, a golden customer's orders and CRM contact.

A customer's orders are kept as links (the CRM system, `customer_order`,
"<store>:<order id>") on the golden customer that placed them: the order total in
the fingerprint, the order time in remote_updated_at. Merges move only a customer's
system links, so a customer's orders are those of the record and of every record
merged into it (undoing a merge gives the orders back with no rewrite).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import Connection, select

from causeway.customers.crm_contact import OrderFact
from causeway.engine import links
from causeway.engine.inbox import StoredEvent
from causeway.engine.links import Link
from causeway.engine.schema import customers, inbox
from causeway.engine.schema import links as links_table

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
    query = select(links_table.c.external_id, links_table.c.updated_at).where(
        links_table.c.system == source,
        links_table.c.entity_type == "order",
        links_table.c.fingerprint == "in_erp",
    )
    if since is not None:
        query = query.where(links_table.c.updated_at >= since.timestamp())
    return [(r.external_id, r.updated_at) for r in conn.execute(query.order_by(links_table.c.id))]


def newest_order_event(
    conn: Connection, source: str, order_id: str, topics: tuple[str, ...]
) -> StoredEvent | None:
    """The order's newest full payload in the inbox (webhook or polled)."""
    row = conn.execute(
        select(inbox)
        .where(
            inbox.c.source == source,
            inbox.c.entity_key == f"order:{order_id}",
            inbox.c.topic.in_(topics),
        )
        .order_by(inbox.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return StoredEvent(
        row.id,
        row.source,
        row.event_id,
        row.topic,
        row.entity_key,
        bytes(row.body),
        {},
        row.received_at,
    )


def live_id(conn: Connection, customer_id: str) -> str:
    """The record a customer id stands for now, following merges."""
    seen = {customer_id}
    while True:
        merged_into = conn.execute(
            select(customers.c.merged_into).where(customers.c.id == customer_id)
        ).scalar()
        if not merged_into or merged_into in seen:
            return customer_id
        seen.add(merged_into)
        customer_id = merged_into


def family(conn: Connection, customer_id: str) -> list[str]:
    """The record and every record merged into it (directly or through another)."""
    found = [customer_id]
    frontier = [customer_id]
    while frontier:
        rows = conn.execute(select(customers.c.id).where(customers.c.merged_into.in_(frontier)))
        frontier = [r.id for r in rows if r.id not in found]
        found.extend(frontier)
    return found


def _links_of(conn: Connection, hub_ids: list[str], system: str, entity_type: str) -> list[Link]:
    """Oldest first: the first contact a customer got is the one a merge keeps."""
    rows = conn.execute(
        select(links_table)
        .where(
            links_table.c.hub_id.in_(hub_ids),
            links_table.c.system == system,
            links_table.c.entity_type == entity_type,
        )
        .order_by(links_table.c.created_at, links_table.c.id)
    )
    return [
        Link(r.hub_id, r.system, r.entity_type, r.external_id, r.fingerprint, r.remote_updated_at)
        for r in rows
    ]


def order_facts(conn: Connection, crm: str, customer_ids: list[str]) -> list[OrderFact]:
    facts = []
    for link in _links_of(conn, customer_ids, crm, CUSTOMER_ORDER):
        total, _, channel = (link.fingerprint or "").partition("|")
        try:
            amount = Decimal(total)
        except InvalidOperation:
            continue  # not written by this flow: counts for nothing
        ordered_at = datetime.fromtimestamp(link.remote_updated_at or 0, UTC)
        facts.append(OrderFact(link.external_id, amount, ordered_at, channel))
    return facts


def contact_links(conn: Connection, crm: str, customer_ids: list[str]) -> list[Link]:
    """The customer family's CRM contacts still in use, oldest first."""
    found = _links_of(conn, customer_ids, crm, CONTACT)
    return [link for link in found if not (link.fingerprint or "").startswith(MERGED)]


def customer_of_order(conn: Connection, crm: str, source: str, order_id: str) -> str | None:
    """The golden customer (now) of a store order customers-to-crm has counted."""
    link = links.find(conn, crm, CUSTOMER_ORDER, order_key(source, order_id))
    return live_id(conn, link.hub_id) if link else None
