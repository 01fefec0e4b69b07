"""Shopify's cancellation and refund webhooks, read into the hub's Cancellation and Refund.

- orders/cancelled: the body is the REST order with `cancelled_at` and
  `cancel_reason` set. Only what the cancellation needs is required here, so an
  order payload the orders flow would refuse (say, a line without a price)
  still cancels the sale.
- refunds/create: the REST Refund: `order_id`, `refund_line_items` (each with its
  `line_item`: sku, price; `quantity`; `restock_type`) and `transactions` (the
  money actually sent back; only successful `refund` transactions count).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from pydantic import Field

from causeway.connectors.shopify.rest_models import Money, RestId, RestModel, parse_rest
from causeway.errors import InvalidPayloadError
from causeway.model.returns import Cancellation, Refund, RefundLine, Restock

CANCELLED_TOPIC = "orders/cancelled"
REFUND_TOPIC = "refunds/create"


class RestCancelledOrder(RestModel):
    id: RestId
    name: str
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None


class RestRefundedLineItem(RestModel):
    id: RestId
    title: str
    sku: str | None = None
    price: Money


class RestRefundLineItem(RestModel):
    id: RestId
    line_item_id: RestId
    quantity: int = Field(gt=0)
    restock_type: Restock = Restock.NO_RESTOCK
    subtotal: Money | None = None
    line_item: RestRefundedLineItem


class RestTransaction(RestModel):
    id: RestId | None = None
    kind: str
    status: str | None = None
    amount: Money
    currency: str | None = None


class RestRefund(RestModel):
    """A refund (REST resource, refunds/create webhook body)."""

    id: RestId
    order_id: RestId
    created_at: datetime
    note: str | None = None
    refund_line_items: list[RestRefundLineItem] = Field(default_factory=list)
    transactions: list[RestTransaction] = Field(default_factory=list)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def cancellation_from_rest(payload: Any) -> Cancellation:
    order = parse_rest(RestCancelledOrder, payload, key="order")
    if order.cancelled_at is None:
        raise InvalidPayloadError(
            f"order {order.name} ({order.id}): the cancellation payload has no cancelled_at; "
            f"the order is not cancelled in the store"
        )
    return Cancellation(
        order_external_id=str(order.id),
        order_number=order.name,
        cancelled_at=_utc(order.cancelled_at),
        reason=order.cancel_reason,
    )


def refund_from_rest(payload: Any) -> Refund:
    refund = parse_rest(RestRefund, payload, key="refund")
    # Pending or failed refund transactions have not moved money (yet).
    paid_back = [
        t for t in refund.transactions if t.kind == "refund" and t.status in (None, "success")
    ]
    currencies = {t.currency for t in paid_back if t.currency}
    return Refund(
        external_id=str(refund.id),
        order_external_id=str(refund.order_id),
        created_at=_utc(refund.created_at),
        note=refund.note,
        lines=tuple(
            RefundLine(
                line_item_id=str(item.line_item_id),
                sku=item.line_item.sku or None,
                title=item.line_item.title,
                quantity=item.quantity,
                unit_price=item.line_item.price,
                subtotal=item.subtotal,
                restock=item.restock_type,
            )
            for item in refund.refund_line_items
        ),
        refunded_amount=sum((t.amount for t in paid_back), Decimal(0)),
        currency=currencies.pop() if len(currencies) == 1 else None,
    )
