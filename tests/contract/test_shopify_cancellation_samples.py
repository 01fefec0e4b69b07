"""Contract: cancellations and refunds read Shopify's own published order payload.

There is no refund sample in vendor-samples/; a Refund embeds the order's line items
verbatim (`refund_line_items[].line_item`), so the vendor's order line items are what
the refund parser is checked against.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from causeway.connectors.shopify.refunds import cancellation_from_rest, refund_from_rest
from causeway.errors import InvalidPayloadError
from causeway.model.returns import Restock
from tests.contract.test_shopify_vendor_samples import load


def test_the_vendor_order_as_an_orders_cancelled_body_gives_the_cancellation() -> None:
    order = load("order.json")["order"]
    cancelled = {**order, "cancelled_at": "2008-01-10T11:00:00-05:00", "cancel_reason": "customer"}
    cancellation = cancellation_from_rest(cancelled)
    assert (cancellation.order_external_id, cancellation.order_number) == ("450789469", "#1001")
    assert cancellation.reason == "customer"
    assert cancellation.cancelled_at.isoformat() == "2008-01-10T16:00:00+00:00"


def test_the_vendor_order_not_cancelled_is_refused_as_a_cancellation() -> None:
    with pytest.raises(InvalidPayloadError, match=r"#1001.*no cancelled_at"):
        cancellation_from_rest(load("order.json")["order"])


def test_a_refund_of_the_vendor_orders_line_items_parses_each_line() -> None:
    order = load("order.json")["order"]
    items = [
        {
            "id": 1000 + n,
            "line_item_id": item["id"],
            "quantity": item["quantity"],
            "restock_type": restock,
            "subtotal": float(item["price"]),
            "line_item": item,
        }
        for n, (item, restock) in enumerate(
            zip(order["line_items"], ("return", "no_restock", "cancel"), strict=True)
        )
    ]
    refund = refund_from_rest(
        {
            "id": 509562969,
            "order_id": order["id"],
            "created_at": "2008-01-10T11:00:00-05:00",
            "refund_line_items": items,
            "transactions": [{"kind": "refund", "status": "success", "amount": "597.00"}],
        }
    )
    assert [(x.sku, x.unit_price, x.restock) for x in refund.lines] == [
        ("IPOD2008GREEN", Decimal("199.00"), Restock.RETURN),
        ("IPOD2008RED", Decimal("199.00"), Restock.NO_RESTOCK),
        ("IPOD2008BLACK", Decimal("199.00"), Restock.CANCEL),
    ]
    assert refund.refunded_amount == Decimal("597.00")
