"""Every order example in Amazon's own Orders v2026-01-01 model parses and maps."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from causeway.connectors.amazon.models import GetOrderResponse, SearchOrdersResponse, parse
from causeway.connectors.amazon.orders import order_from_amazon
from causeway.errors import InvalidPayloadError
from causeway.model import FinancialStatus
from tests.amazon.conftest import orders_model, vendor_orders


def test_every_example_answer_parses() -> None:
    model = orders_model()
    count = 0
    for path in model["paths"].values():
        for op in path.values():
            if not isinstance(op, dict):
                continue
            shape = (
                SearchOrdersResponse if op["operationId"] == "searchOrders" else GetOrderResponse
            )
            answer = op["responses"]["200"]
            bodies = [answer["examples"]["application/json"]]
            bodies += [case["response"] for case in answer["x-amzn-api-sandbox"]["static"]]
            for body in bodies:
                parse(shape, body, op["operationId"])
                count += 1
    assert count == 8  # 2 examples and 6 sandbox cases: all of them were read


@pytest.mark.parametrize("payload", vendor_orders(), ids=lambda o: o["orderId"])
def test_every_example_order_maps_and_adds_up(payload: dict) -> None:
    order = order_from_amazon(payload)
    assert order.external_id == payload["orderId"]
    assert order.lines and all(line.sku for line in order.lines)
    items = {i["orderItemId"]: i for i in payload["orderItems"]}
    for line in order.lines:
        item = items[line.external_id]
        assert line.quantity == item["quantityOrdered"]
        assert line.unit_price == Decimal(item["product"]["price"]["unitPrice"]["amount"])
    assert order.currency == payload["proceeds"]["grandTotal"]["currencyCode"]
    # What the lines, charges, tax and tip come to is the grand total Amazon states.
    computed = order.subtotal + order.shipping_total + order.total_tax + order.tip
    assert computed == order.total == Decimal(payload["proceeds"]["grandTotal"]["amount"])
    assert order.channel_status == payload["fulfillment"]["fulfillmentStatus"]
    assert order.fulfilled_by_channel == (payload["fulfillment"]["fulfilledBy"] == "AMAZON")
    assert order.financial_status is FinancialStatus.PAID  # every example is past Pending


def test_the_uk_example_splits_its_tax_onto_the_item_and_the_shipping() -> None:
    payload = next(o for o in vendor_orders() if o["orderId"] == "202-1234567-8901234")
    order = order_from_amazon(payload)
    assert [t.amount for t in order.lines[0].tax_lines] == [Decimal("3.00")]
    (shipping,) = order.shipping_lines
    assert (shipping.price, shipping.tax_lines[0].amount) == (Decimal("10.00"), Decimal("1.00"))


def test_the_fba_example_is_recognisable() -> None:
    payload = next(o for o in vendor_orders() if o["fulfillment"]["fulfilledBy"] == "AMAZON")
    assert order_from_amazon(payload).fulfilled_by_channel


@pytest.mark.parametrize(
    ("status", "paid"),
    [
        ("PENDING", FinancialStatus.PENDING),
        ("PENDING_AVAILABILITY", FinancialStatus.PENDING),
        ("UNSHIPPED", FinancialStatus.PAID),
        ("PARTIALLY_SHIPPED", FinancialStatus.PAID),
        ("SHIPPED", FinancialStatus.PAID),
        ("CANCELLED", FinancialStatus.VOIDED),
    ],
)
def test_the_state_is_kept_and_tells_whether_it_is_paid(status: str, paid: FinancialStatus) -> None:
    payload = copy.deepcopy(vendor_orders()[0])
    payload["fulfillment"]["fulfillmentStatus"] = status
    order = order_from_amazon(payload)
    assert (order.channel_status, order.financial_status) == (status, paid)
    assert (order.cancelled_at is not None) == (status == "CANCELLED")


def test_an_order_without_its_items_is_refused_naming_the_field() -> None:
    payload = copy.deepcopy(vendor_orders()[0])
    del payload["orderItems"]
    with pytest.raises(InvalidPayloadError, match=r"123-4567890-1234567.*orderItems"):
        order_from_amazon(payload)


def test_a_malformed_amount_is_refused_naming_the_field() -> None:
    payload = copy.deepcopy(vendor_orders()[0])
    payload["orderItems"][0]["product"]["price"]["unitPrice"]["amount"] = "forty"
    with pytest.raises(InvalidPayloadError, match=r"unitPrice\.amount"):
        order_from_amazon(payload)


def test_mixed_currencies_are_refused() -> None:
    payload = copy.deepcopy(vendor_orders()[0])
    payload["orderItems"][1]["product"]["price"]["unitPrice"]["currencyCode"] = "EUR"
    with pytest.raises(InvalidPayloadError, match="mixes currencies"):
        order_from_amazon(payload)


def test_an_order_read_without_its_state_is_refused() -> None:
    payload = copy.deepcopy(vendor_orders()[0])
    del payload["fulfillment"]
    with pytest.raises(InvalidPayloadError, match="includedData FULFILLMENT"):
        order_from_amazon(payload)
