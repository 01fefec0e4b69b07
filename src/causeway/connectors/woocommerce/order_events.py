"""What an order.updated body says besides the order: a payment, a cancellation, refunds.

WooCommerce has no payment, cancellation or refund topics: each is an order.updated
whose order shows it (`date_paid`, status `cancelled`, a new entry in `refunds`). These
readers take such a body, or a polled order (the same JSON), and say what it announces.
Only what each needs is required, so an order the orders flow would refuse (a fee line,
say) still pays or cancels its sale.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from causeway.connectors.woocommerce.models import WooOrderStamp, parse
from causeway.connectors.woocommerce.orders import financial_status, parse_order
from causeway.errors import InvalidPayloadError
from causeway.model.order import FinancialStatus
from causeway.model.payment import OrderPayment
from causeway.model.ports.channel import AnnouncedRefunds
from causeway.model.returns import Cancellation

RECEIVED = (FinancialStatus.PAID, FinancialStatus.PARTIALLY_REFUNDED, FinancialStatus.REFUNDED)


def payment_from_woo(payload: Any) -> OrderPayment:
    """What the customer has paid for the order: all of it once WooCommerce marks it paid
    (refunds are apart: WooCommerce's `total` stays what was charged)."""
    o = parse_order(payload)
    status = financial_status(o)
    return OrderPayment(
        order_external_id=str(o.id),
        order_number=o.number,
        financial_status=status,
        currency=o.currency,
        received=o.total if status in RECEIVED else Decimal(0),
        updated_at=o.date_modified_gmt,
    )


def cancellation_from_woo(payload: Any) -> Cancellation | None:
    """The cancellation the order shows, or None when it is not cancelled."""
    o = parse_order(payload)
    if o.status != "cancelled":
        return None
    return Cancellation(
        order_external_id=str(o.id),
        order_number=o.number,
        cancelled_at=o.date_modified_gmt,  # WooCommerce keeps no date of its own for it
        reason=None,
    )


def refunds_listed(payload: Any) -> AnnouncedRefunds:
    """The refunds the order lists, by id, oldest first (read them with refunds.py)."""
    o = parse_order(payload)
    return AnnouncedRefunds(
        order_external_id=str(o.id),
        refund_ids=tuple(str(r.id) for r in sorted(o.refunds, key=lambda r: r.id)),
    )


def order_updated_at(body: bytes) -> datetime | None:
    """When the order in a stored body (webhook or polled, the same JSON) last changed,
    in UTC; None when the body does not say (its own job parks it)."""
    try:
        stamp = parse(WooOrderStamp, orjson.loads(body), "order")
    except (orjson.JSONDecodeError, InvalidPayloadError):
        return None
    return stamp.date_modified_gmt
