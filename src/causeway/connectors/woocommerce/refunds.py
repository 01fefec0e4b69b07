"""WooCommerce refunds (GET /orders/{id}/refunds) read into the hub's Refund.

A refund lists the lines it refunds with negative quantities and amounts; each line's
`_refunded_item_id` meta names the order line it refunds. The money that went back is
the refund's `amount`, whether the payment gateway sent it (`refunded_payment`) or the
merchant did by hand: WooCommerce records a refund only once the merchant says the
money is returned.

WooCommerce does not say per refund whether the goods come back. Its "restock refunded
items" box leaves `_restock_refunded_items` on the order's line, so a line restocked
comes back: as a return once the order was completed (shipped: `date_completed`), as
a cancellation of the items before that; a line never restocked is money back only.
"""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any

from causeway.connectors.woocommerce.models import (
    WooLineItem,
    WooOrder,
    WooRefund,
    WooRefundLine,
    meta_value,
    parse,
)
from causeway.model.returns import Refund, RefundLine, Restock

REFUNDED_ITEM = "_refunded_item_id"
RESTOCKED = "_restock_refunded_items"


def parse_refund(payload: Any) -> WooRefund:
    return parse(WooRefund, payload, "refund")


def refund_from_woo(payload: Any, order: WooOrder) -> Refund:
    """The canonical Refund of one refund of `order` (InvalidPayloadError if malformed)."""
    refund = parse_refund(payload)
    by_id = {li.id: li for li in order.line_items}
    lines = []
    for line in refund.line_items:
        if line.quantity == 0:
            continue  # an amount refunded on a line, no units: money back only
        refunded = _refunded_item(line)
        original = by_id.get(refunded) if refunded is not None else None
        lines.append(_refund_line(line, original, order))
    return Refund(
        external_id=str(refund.id),
        order_external_id=str(order.id),
        created_at=refund.date_created_gmt,
        lines=tuple(lines),
        refunded_amount=refund.amount,
        currency=order.currency,
        note=(refund.reason or "").strip() or None,
    )


def _refunded_item(line: WooRefundLine) -> int | None:
    value = meta_value(line.meta_data, REFUNDED_ITEM)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _refund_line(line: WooRefundLine, original: WooLineItem | None, order: WooOrder) -> RefundLine:
    units = abs(line.quantity)
    if original is not None and original.quantity:
        unit_price = original.subtotal / original.quantity
        sku, title = original.sku, original.name
    else:  # the order line is gone (an edit): the refund's own figures
        unit_price = abs(line.subtotal) / units
        sku, title = line.sku, line.name
    return RefundLine(
        line_item_id=str(original.id if original is not None else line.id),
        sku=sku,
        title=html.unescape(title),
        quantity=units,
        unit_price=unit_price,
        subtotal=abs(line.total),
        restock=_restock(original, order),
    )


def _restock(original: WooLineItem | None, order: WooOrder) -> Restock:
    restocked = meta_value(original.meta_data, RESTOCKED) if original is not None else None
    try:
        units = Decimal(str(restocked)) if restocked not in (None, "") else Decimal(0)
    except ArithmeticError:
        units = Decimal(0)
    if units <= 0:
        return Restock.NO_RESTOCK
    shipped = order.date_completed_gmt is not None or order.status == "completed"
    return Restock.RETURN if shipped else Restock.CANCEL
