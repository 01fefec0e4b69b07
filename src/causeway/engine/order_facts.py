"""The order-facts tables: each order's header and goods lines, kept for the warehouse.

Written in the caller's transaction, next to the flow's own record of the order (its
links, summary and timeline), so the facts exist exactly when the ERP has the sale.
What goes into a row is decided by orders/facts.py; this module only stores and reads
(docs/order-facts.md).

`changed_at` is the warehouse's watermark: storing an order's facts or marking it
cancelled sets it to now, and storing the same facts again changes nothing, so a
replayed or retried job neither writes twice nor makes the warehouse read the order
again. The warehouse build pages through them by (changed_at, hub_id):
engine/warehouse_rows.py `order_facts_since`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection, and_, delete, func, insert, or_, select, update

from causeway.engine.schema import links, order_fact_lines, order_facts

PLACED, CANCELLED = "placed", "cancelled"


@dataclass(frozen=True)
class FactLine:
    """A goods line, tax excluded: `unit_price x quantity - discount` is its net."""

    line_no: int  # from 1, in the order's order
    sku: str | None
    title: str
    quantity: int
    unit_price: Decimal
    discount: Decimal
    tax: Decimal

    @property
    def net(self) -> Decimal:
        return self.unit_price * self.quantity - self.discount


@dataclass(frozen=True)
class OrderFact:
    """One order as the warehouse reads it; money in `currency`, tax excluded."""

    system: str  # the channel: the store (or CRM, for won deals) the order came from
    order_id: str
    number: str | None
    customer_id: str | None  # the golden record's id; None: not resolved yet, or a guest
    customer_group: str | None
    currency: str
    ordered_at: float
    taxes_included: bool
    goods_net: Decimal  # the goods lines after their discounts
    discounts: Decimal  # every discount on goods lines and shipping
    shipping_charged: Decimal  # after shipping discounts
    tax: Decimal  # every tax charged (the order's total tax)
    total: Decimal  # what the customer was charged, tax included
    source_name: str | None
    landing_site: str | None
    referring_site: str | None
    landing_site_ref: str | None
    erp_system: str | None
    erp_sale_id: str | None
    lines: tuple[FactLine, ...] = ()
    state: str = PLACED
    cancelled_at: float | None = None


MONEY = ("goods_net", "discounts", "shipping_charged", "tax", "total")
LINE_MONEY = ("unit_price", "discount", "tax")


@dataclass(frozen=True)
class StoredOrderFact:
    """An order's facts as stored, with the hub's id and watermark."""

    hub_id: str
    changed_at: float
    fact: OrderFact


def _header_row(hub_id: str, fact: OrderFact) -> dict[str, Any]:
    row = {f.name: getattr(fact, f.name) for f in fields(fact) if f.name != "lines"}
    row |= {name: str(row[name]) for name in MONEY}
    return {"hub_id": hub_id, **row}


def _line_rows(hub_id: str, fact: OrderFact) -> list[dict[str, Any]]:
    rows = []
    for line in fact.lines:
        row = {f.name: getattr(line, f.name) for f in fields(line)}
        row |= {name: str(row[name]) for name in LINE_MONEY}
        rows.append({"hub_id": hub_id, **row})
    return rows


def store(conn: Connection, hub_id: str, fact: OrderFact, *, now: float | None = None) -> bool:
    """Insert or replace the order's header and lines together; False: stored already
    exactly so (then nothing is written and `changed_at` stays)."""
    existing = fact_of(conn, hub_id)
    if existing is not None and existing.fact == fact:
        return False
    header = {**_header_row(hub_id, fact), "changed_at": time.time() if now is None else now}
    if existing is None:
        conn.execute(insert(order_facts).values(header))
    else:
        conn.execute(update(order_facts).where(order_facts.c.hub_id == hub_id).values(header))
        conn.execute(delete(order_fact_lines).where(order_fact_lines.c.hub_id == hub_id))
    if fact.lines:
        conn.execute(insert(order_fact_lines), _line_rows(hub_id, fact))
    return True


def touch(conn: Connection, hub_id: str, *, now: float | None = None) -> bool:
    """Something the warehouse reads beside the facts changed (the order's booked fees):
    stamp the facts changed so the next build rewrites the order; False: it has none."""
    result = conn.execute(
        update(order_facts)
        .where(order_facts.c.hub_id == hub_id)
        .values(changed_at=time.time() if now is None else now)
    )
    return result.rowcount > 0


def mark_cancelled(
    conn: Connection, hub_id: str, cancelled_at: float, *, now: float | None = None
) -> bool:
    """The order was cancelled; False: it has no facts, or they say cancelled already."""
    result = conn.execute(
        update(order_facts)
        .where(order_facts.c.hub_id == hub_id, order_facts.c.state != CANCELLED)
        .values(
            state=CANCELLED,
            cancelled_at=cancelled_at,
            changed_at=time.time() if now is None else now,
        )
    )
    return result.rowcount > 0


def set_customer(
    conn: Connection, hub_id: str, customer_id: str, *, now: float | None = None
) -> bool:
    """The order's customer is now known to be this golden record (customers-to-crm
    resolved it after the ERP had the sale); False: no facts, or they said so already."""
    result = conn.execute(
        update(order_facts)
        .where(
            order_facts.c.hub_id == hub_id,
            or_(order_facts.c.customer_id.is_(None), order_facts.c.customer_id != customer_id),
        )
        .values(customer_id=customer_id, changed_at=time.time() if now is None else now)
    )
    return result.rowcount > 0


def fact_of(conn: Connection, hub_id: str) -> StoredOrderFact | None:
    found = _read(conn, select(order_facts).where(order_facts.c.hub_id == hub_id))
    return found[0] if found else None


def _read(conn: Connection, query: Any) -> list[StoredOrderFact]:
    headers = conn.execute(query).all()
    if not headers:
        return []
    lines: dict[str, list[FactLine]] = {}
    rows = conn.execute(
        select(order_fact_lines)
        .where(order_fact_lines.c.hub_id.in_([h.hub_id for h in headers]))
        .order_by(order_fact_lines.c.hub_id, order_fact_lines.c.line_no)
    )
    for row in rows:
        lines.setdefault(row.hub_id, []).append(
            FactLine(
                line_no=row.line_no,
                sku=row.sku,
                title=row.title or "",
                quantity=row.quantity,
                unit_price=Decimal(row.unit_price),
                discount=Decimal(row.discount),
                tax=Decimal(row.tax),
            )
        )
    found = []
    for header in headers:
        values = dict(header._mapping)
        hub_id, changed_at = values.pop("hub_id"), values.pop("changed_at")
        values |= {name: Decimal(values[name]) for name in MONEY}
        fact = OrderFact(**values, lines=tuple(lines.get(hub_id, ())))
        found.append(StoredOrderFact(hub_id, changed_at, fact))
    return found


@dataclass(frozen=True)
class Unrecorded:
    """An order the ERP has a sale of but the hub keeps no facts of (placed before the
    hub kept them): its channel's link and its ERP sale's."""

    hub_id: str
    system: str
    external_id: str
    erp_system: str
    erp_sale_id: str


def _unrecorded(systems: Sequence[str], order_type: str, sale_type: str, erp: str) -> Any:
    order, sale = links.alias("order_link"), links.alias("sale_link")
    # A sale link on the order's hub id: the ERP has it (an order cancelled before it
    # reached the ERP has none); no header: no facts.
    joined = order.join(
        sale,
        and_(
            sale.c.hub_id == order.c.hub_id, sale.c.system == erp, sale.c.entity_type == sale_type
        ),
    ).outerjoin(order_facts, order_facts.c.hub_id == order.c.hub_id)
    where = and_(
        order.c.system.in_(list(systems)),
        order.c.entity_type == order_type,
        order_facts.c.hub_id.is_(None),
    )
    return order, sale, joined, where


def placed_without_facts(
    conn: Connection,
    systems: Sequence[str],
    *,
    order_type: str,
    sale_type: str,
    erp: str,
    after: str | None = None,
    limit: int = 500,
) -> list[Unrecorded]:
    """The orders of these channels (their `order_type` links) with a `sale_type` link of
    `erp` on the same hub id and no facts, by hub id after `after`, `limit` at most."""
    order, sale, joined, where = _unrecorded(systems, order_type, sale_type, erp)
    if after is not None:
        where = and_(where, order.c.hub_id > after)
    rows = conn.execute(
        select(order.c.hub_id, order.c.system, order.c.external_id, sale.c.external_id)
        .select_from(joined)
        .where(where)
        .order_by(order.c.hub_id, sale.c.id)
        .limit(limit)
    ).all()
    found: dict[str, Unrecorded] = {}
    for hub_id, system, external_id, sale_id in rows:
        # One sale per order; should the hub hold two, the first linked is the order's.
        found.setdefault(hub_id, Unrecorded(hub_id, system, external_id, erp, sale_id))
    return list(found.values())


def count_placed_without_facts(
    conn: Connection, systems: Sequence[str], *, order_type: str, sale_type: str, erp: str
) -> int:
    """How many orders placed_without_facts would give, for a progress bar."""
    order, _, joined, where = _unrecorded(systems, order_type, sale_type, erp)
    query = select(func.count(func.distinct(order.c.hub_id))).select_from(joined).where(where)
    return int(conn.execute(query).scalar_one())
