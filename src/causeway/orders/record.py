"""The hub's record of one store order: its hub id, state and summary, kept by every flow.

orders-to-erp creates it when the sale is placed; later flows add their own keys (the
invoice's number and state, the amended total, refunds, a cancellation) without dropping
anyone else's. Each helper takes the caller's open transaction, so a state change, its
links and its timeline milestone are written together or not at all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from causeway.engine import entities, golden_records, links, search, timeline
from causeway.engine import order_facts as fact_store
from causeway.model import Order
from causeway.orders.facts import order_fact

ORDER = "order"
SALE = "sale"  # the ERP sale's link on the order's hub id
# The order-link fingerprint of an order cancelled before it reached the ERP: the
# ERP must never get it (orders-to-erp treats it as done).
CANCELLED = "cancelled"
# The order-link fingerprint (and the order's state) of an order taken but not paid yet
# (Amazon's Pending): its units are held (stock/held.py), the ERP gets it once it is paid.
AWAITING_PAYMENT = "awaiting_payment"


def timestamp(value: datetime) -> float:
    return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()


def order_hub_id(conn: Connection, source: str, external_id: str) -> str:
    """The hub id of store order `external_id`, making one when the hub has none yet."""
    link = links.find(conn, source, ORDER, external_id)
    return link.hub_id if link else links.new_hub_id()


def update_order(
    conn: Connection, hub_id: str, *, state: str | None = None, **summary: Any
) -> dict[str, Any]:
    """Merge `summary` into the order's summary (and set its state); returns the summary."""
    return entities.merge(conn, hub_id, summary, entity_type=ORDER, state=state)


def read_summary(conn: Connection, hub_id: str) -> dict[str, Any]:
    return entities.summary(conn, hub_id)


def merge_summary(conn: Connection, hub_id: str, changes: dict[str, Any]) -> bool:
    """Add or replace these keys of an existing order's summary; False if the hub has none."""
    if not entities.exists(conn, hub_id):
        return False
    update_order(conn, hub_id, **changes)
    return True


def record_cancelled_before_erp(
    conn: Connection,
    source: str,
    order_external_id: str,
    *,
    number: str,
    cancelled_at: datetime | None,
    reason: str | None,
) -> None:
    """Mark an order the ERP never had as cancelled, so that it is never placed."""
    hub_id = order_hub_id(conn, source, order_external_id)
    links.save(
        conn,
        hub_id=hub_id,
        system=source,
        entity_type=ORDER,
        external_id=order_external_id,
        fingerprint=CANCELLED,
        remote_updated_at=timestamp(cancelled_at) if cancelled_at else None,
    )
    update_order(
        conn,
        hub_id,
        state=CANCELLED,
        number=number,
        cancelled_at=cancelled_at.isoformat() if cancelled_at else None,
        cancel_reason=reason,
        erp_state="never placed",
    )
    timeline.record(
        conn,
        hub_id,
        "cancelled",
        at=timestamp(cancelled_at) if cancelled_at else None,
        detail={"reason": reason, "erp": "never placed: cancelled before it reached the ERP"},
    )


def record_awaiting_payment(conn: Connection, source: str, order: Order) -> bool:
    """The hub has `order` in a version not paid yet: its link says so with the version's
    stamp (the reconciling poll fetches no version it has), and the order's record shows it
    waiting. False (nothing written): the hub already has this version or a newer one."""
    stamp = timestamp(order.updated_at)
    link = links.find(conn, source, ORDER, order.external_id)
    if link is not None and (link.remote_updated_at or 0) >= stamp:
        return False
    hub_id = link.hub_id if link else links.new_hub_id()
    links.save(
        conn,
        hub_id=hub_id,
        system=source,
        entity_type=ORDER,
        external_id=order.external_id,
        fingerprint=AWAITING_PAYMENT,
        remote_updated_at=stamp,
    )
    update_order(
        conn,
        hub_id,
        state=AWAITING_PAYMENT,
        number=order.number,
        total=str(order.total),
        currency=order.currency,
        email=order.customer.email,
        channel_status=order.channel_status,
    )
    if link is None:
        timeline.record(conn, hub_id, "received", at=timestamp(order.created_at))
    return True


def record_placed(
    conn: Connection,
    hub_id: str,
    *,
    order: Order,
    source: str,
    source_type: str,
    reference: str,
    sale: Any,
    target: str,
    state: str,
    received_at: float,
    sale_fingerprint: str | None,
    customer_group: str | None = None,
    **summary: Any,
) -> None:
    """The ERP has the order as `sale`: the source record's link (its fingerprint the
    state, with the version placed) and the sale's on the order's hub id, the order's
    summary (with `summary`'s extra keys), its received and in_erp milestones, and its
    facts for the warehouse (docs/order-facts.md; `customer_group`: the channel's)."""
    links.save(
        conn,
        hub_id=hub_id,
        system=source,
        entity_type=source_type,
        external_id=order.external_id,
        fingerprint=state,
        remote_updated_at=timestamp(order.updated_at),
    )
    links.save(
        conn,
        hub_id=hub_id,
        system=target,
        entity_type=SALE,
        external_id=str(sale.sale_id),
        fingerprint=sale_fingerprint,
    )
    update_order(
        conn,
        hub_id,
        state=state,
        number=order.number,
        reference=reference,
        erp_number=sale.number,
        erp_state=sale.state,
        total=str(order.total),
        erp_total=str(sale.total_amount),
        currency=order.currency,
        email=order.customer.email,
        **summary,
    )
    timeline.record(conn, hub_id, "received", at=received_at)
    timeline.record(conn, hub_id, "in_erp", detail={"erp_number": sale.number})
    search.note_products(conn, order.skus)  # a SKU sold is a SKU the search box finds
    fact_store.store(
        conn,
        hub_id,
        placed_fact(
            conn,
            order,
            source=source,
            customer_group=customer_group,
            erp_system=target,
            erp_sale_id=str(sale.sale_id),
        ),
    )


def placed_fact(
    conn: Connection,
    order: Order,
    *,
    source: str,
    customer_group: str | None,
    erp_system: str,
    erp_sale_id: str,
) -> fact_store.OrderFact:
    """The facts of an order the ERP has as sale `erp_sale_id`, as they are stored when
    it is placed: its customer the golden record known now (if any)."""
    return order_fact(
        order,
        system=source,
        customer_id=golden_customer(conn, source, order),
        customer_group=customer_group,
        erp_system=erp_system,
        erp_sale_id=erp_sale_id,
    )


def golden_customer(conn: Connection, source: str, order: Order) -> str | None:
    """The golden record the order's customer is (following merges), if the hub has
    resolved that customer of `source` before; None: not yet (customers-to-crm resolves
    an order's customer after the ERP has the sale), or a guest."""
    # The key customers-to-crm resolves a store's customer by: its id, else its email.
    key = order.customer.external_id or (order.customer.email or "").lower()
    if not key:
        return None
    link = links.find(conn, source, golden_records.CUSTOMER, key)
    return golden_records.live_id(conn, link.hub_id) if link else None


def rewrite_facts(conn: Connection, hub_id: str, order: Order, *, erp_sale_id: str) -> bool:
    """An edited order: its facts' lines and amounts are the new version's, its customer,
    group and state stay. False: no facts to rewrite (placed before the hub kept them),
    or nothing changed."""
    stored = fact_store.fact_of(conn, hub_id)
    if stored is None:
        return False
    old = stored.fact
    fact = order_fact(
        order,
        system=old.system,
        customer_id=old.customer_id or golden_customer(conn, old.system, order),
        customer_group=old.customer_group,
        erp_system=old.erp_system,
        erp_sale_id=erp_sale_id,
    )
    return fact_store.store(
        conn, hub_id, replace(fact, state=old.state, cancelled_at=old.cancelled_at)
    )


def backfill_facts(
    conn: Connection,
    hub_id: str,
    order: Order,
    *,
    source: str,
    customer_group: str | None,
    erp_system: str,
    erp_sale_id: str,
    cancelled_at: float | None = None,
) -> bool:
    """Facts for an order placed before the hub kept them, from its newest version
    (flows/orders_to_erp/backfill.py): what record_placed stores, and cancelled at
    `cancelled_at` when the hub's order is cancelled. False: the order has facts
    already (a worker wrote them meanwhile: they stay as they are)."""
    # Not rewrite_facts: it keeps the stored customer, group and state, and with no
    # stored facts there is nothing for it to keep.
    if fact_store.fact_of(conn, hub_id) is not None:
        return False
    fact = placed_fact(
        conn,
        order,
        source=source,
        customer_group=customer_group,
        erp_system=erp_system,
        erp_sale_id=erp_sale_id,
    )
    if cancelled_at is not None:
        fact = replace(fact, state=fact_store.CANCELLED, cancelled_at=cancelled_at)
    return fact_store.store(conn, hub_id, fact)
