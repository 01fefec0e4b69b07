"""Order changes as facts: what the hub knew of an order before an edit, a cancellation
or a refund, and what it knows after (docs/order-changes.md).

The builders are pure: they take the order's record as the hub keeps it (its state and
summary, orders/record.py) and the change as the store describes it, and return the
fact to store. The hub keeps no order lines once the ERP has the sale (only a
fingerprint of the quantities per SKU, flows/orders_to_erp/order_edits.py), so a
`before` says `"lines": null` where it does not know them: an edit's `after` has the new
lines, a refund's has the lines refunded. `record` writes the fact through the engine
in the caller's transaction, next to the flow's own record of the change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection

from causeway.engine import entities, order_changes
from causeway.model import Order
from causeway.model.returns import Cancellation, Refund
from causeway.orders.record import timestamp

EDIT, CANCELLATION, REFUND = "edit", "cancellation", "refund"


@dataclass(frozen=True)
class Change:
    """One fact, ready to store: `before`/`after` are JSON-ready, money as Decimal text."""

    kind: str
    system: str
    order_id: str
    dedupe_key: str
    before: dict[str, Any]
    after: dict[str, Any]
    occurred_at: float | None = None
    amount_delta: str | None = None
    currency: str | None = None


def _money(value: Any, currency: str | None) -> dict[str, Any] | None:
    """Decimal text with its currency, or None when the hub has no such amount."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return None
    return {"amount": str(amount), "currency": currency}


def refunded_so_far(summary: Mapping[str, Any]) -> Decimal:
    """What the refunds the hub has booked for the order paid back, together."""
    total = Decimal(0)
    for entry in summary.get("refunds", {}).values():
        try:
            total += Decimal(str(entry.get("amount") or 0))
        except InvalidOperation:
            continue  # an unreadable amount is the summary's problem, not the fact's
    return total


def snapshot(
    state: str | None, summary: Mapping[str, Any], *, lines: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """What the hub knows of the order: state, totals with currency, lines if it has them."""
    currency = summary.get("currency")
    return {
        "state": state,
        "total": _money(summary.get("total"), currency),
        "erp_total": _money(summary.get("erp_total"), currency),
        "refunded": _money(refunded_so_far(summary), currency) if summary else None,
        "cancelled_at": summary.get("cancelled_at"),
        "lines": lines,  # None: the hub does not keep the order's lines
        "lines_fingerprint": summary.get("lines_fingerprint"),
    }


def line_facts(lines: Iterable[Any]) -> list[dict[str, Any]]:
    """sku, quantity and unit price of order or refund lines."""
    return [
        {"sku": line.sku, "title": line.title, "quantity": line.quantity,
         "unit_price": str(line.unit_price)}
        for line in lines
    ]  # fmt: skip


def cancellation_change(
    system: str,
    cancellation: Cancellation,
    *,
    before: tuple[str | None, Mapping[str, Any]],
    after: tuple[str | None, Mapping[str, Any]],
) -> Change:
    """An order cancelled: once per order (a store cancels an order once)."""
    return Change(
        kind=CANCELLATION,
        system=system,
        order_id=cancellation.order_external_id,
        dedupe_key=f"{system}:cancellation:{cancellation.order_external_id}",
        before=snapshot(*before),
        after={**snapshot(*after), "reason": cancellation.reason},
        occurred_at=timestamp(cancellation.cancelled_at),
    )


def refund_change(
    system: str,
    refund: Refund,
    *,
    before: tuple[str | None, Mapping[str, Any]],
    after: tuple[str | None, Mapping[str, Any]],
) -> Change:
    """Money paid back: once per store refund id; the delta is what went back, negative."""
    return Change(
        kind=REFUND,
        system=system,
        order_id=refund.order_external_id,
        dedupe_key=f"{system}:refund:{refund.external_id}",
        before=snapshot(*before),
        after={
            **snapshot(*after),
            "refund": refund.external_id,
            # Shopify's refund note, WooCommerce's refund reason: the return reason
            "reason": refund.note,
            "refund_lines": [
                {**fact, "restock": line.restock.value}
                for fact, line in zip(line_facts(refund.lines), refund.lines, strict=True)
            ],
        },
        occurred_at=timestamp(refund.created_at),
        amount_delta=str(-refund.refunded_amount),
        currency=refund.currency or after[1].get("currency"),
    )


def edit_change(
    system: str,
    order: Order,
    updated_at: float,
    *,
    before: tuple[str | None, Mapping[str, Any]],
    after: tuple[str | None, Mapping[str, Any]],
) -> Change:
    """The order's lines changed: once per version of the order (its updated_at)."""
    delta = None
    old = before[1].get("total")
    if old not in (None, ""):
        delta = str(order.total - Decimal(str(old)))
    return Change(
        kind=EDIT,
        system=system,
        order_id=order.external_id,
        dedupe_key=f"{system}:edit:{order.external_id}:{updated_at!r}",
        before=snapshot(*before),
        after=snapshot(*after, lines=line_facts(order.lines)),
        occurred_at=updated_at,
        amount_delta=delta,
        currency=order.currency,
    )


def known(conn: Connection, hub_id: str) -> tuple[str | None, dict[str, Any]]:
    """The order's state and summary as the hub keeps them now."""
    entity = entities.get(conn, hub_id)
    return (entity.state, dict(entity.summary)) if entity else (None, {})


def record(conn: Connection, hub_id: str, change: Change) -> bool:
    """Store the fact in the caller's transaction; False when it was stored already."""
    return order_changes.record_change(
        conn,
        hub_id=hub_id,
        system=change.system,
        order_id=change.order_id,
        kind=change.kind,
        dedupe_key=change.dedupe_key,
        before=change.before,
        after=change.after,
        occurred_at=change.occurred_at,
        amount_delta=change.amount_delta,
        currency=change.currency,
    )
