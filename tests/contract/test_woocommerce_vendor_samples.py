"""Contract: the connector parses every payload WooCommerce itself published.

The samples in vendor-samples/woocommerce/ come from WooCommerce's own REST API
documentation (see SOURCES.md there); nobody in this project wrote them. Every JSON
file must have a parser here, so a sample added later fails this test until it is
covered.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from causeway.connectors.woocommerce.models import WooBatchResult, WooProduct, parse
from causeway.connectors.woocommerce.order_events import (
    cancellation_from_woo,
    order_updated_at,
    payment_from_woo,
)
from causeway.connectors.woocommerce.orders import order_from_woo
from causeway.model import FinancialStatus
from causeway.model.consistency import inconsistencies
from tests.vendor_samples import load_sample, samples_dir

SAMPLES = samples_dir("woocommerce")


def load(name: str) -> Any:
    return load_sample("woocommerce", name)


def check_order(payload: dict[str, Any]) -> None:
    order = order_from_woo(payload)
    assert (order.external_id, order.number, order.currency) == ("727", "727", "USD")
    # The GMT dates, not the site's local ones three hours earlier.
    assert order.created_at == datetime(2017, 3, 22, 19, 28, 2, tzinfo=UTC)
    assert order.updated_at == datetime(2017, 3, 22, 19, 28, 8, tzinfo=UTC)
    assert [line.sku for line in order.lines] == [None, "Bar3"]
    assert order.lines[1].title == "Ship Your Idea – Color: Black, Size: M Test"
    assert [(li.quantity, li.unit_price, li.discount) for li in order.lines] == [
        (2, Decimal("3.00"), Decimal("0.00")),
        (1, Decimal("12.00"), Decimal("0.00")),
    ]
    (tax,) = order.tax_lines
    # WooCommerce before 5.7 states no rate: 1.35 on 18.00 is 7.5 %.
    assert (tax.title, tax.rate, tax.amount) == ("State Tax", Decimal("0.075"), Decimal("1.35"))
    (shipping,) = order.shipping_lines
    assert (shipping.title, shipping.code, shipping.price) == (
        "Flat Rate",
        "flat_rate",
        Decimal("10.00"),
    )
    assert (order.subtotal, order.total_tax, order.total) == (
        Decimal("18.00"),
        Decimal("1.35"),
        Decimal("29.35"),
    )
    assert order.customer.email == "john.doe@example.com"
    assert order.customer.external_id is None  # customer_id 0: a guest
    assert order.shipping_address is not None and order.shipping_address.region_code == "CA"
    assert order.financial_status == FinancialStatus.PAID
    assert inconsistencies(order) == []
    payment = payment_from_woo(payload)
    assert (payment.received, payment.currency) == (Decimal("29.35"), "USD")
    assert cancellation_from_woo(payload) is None
    assert order_updated_at(_bytes(payload)) == order.updated_at


def check_product(payload: dict[str, Any]) -> None:
    product = parse(WooProduct, payload)
    assert (product.id, product.type, product.status) == (794, "simple", "publish")
    assert product.sku is None  # "" in the sample
    assert (product.regular_price, product.sale_price) == (Decimal("21.99"), None)
    assert product.manage_stock is False and product.stock_quantity is None
    assert product.date_modified_gmt == datetime(2017, 3, 23, 20, 1, 14, tzinfo=UTC)


def check_batch_response(payload: dict[str, Any]) -> None:
    answer = parse(WooBatchResult, payload)
    assert [p["id"] for p in answer.create] == [801, 804]
    assert [p["id"] for p in answer.update] == [799]
    assert [p["id"] for p in answer.delete] == [794]
    for written in (*answer.create, *answer.update, *answer.delete):
        parse(WooProduct, written)


def _bytes(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload).encode()


CHECKS: dict[str, Callable[[dict[str, Any]], None]] = {
    "order.json": check_order,
    "product.json": check_product,
    "products_batch_response.json": check_batch_response,
}


def test_every_sample_has_a_parser() -> None:
    load("order.json")  # skips (fails under CI) when the samples are not there
    names = {path.name for path in SAMPLES.glob("*.json")}
    assert names == set(CHECKS), f"samples without a check: {sorted(names - set(CHECKS))}"


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_sample_parses(name: str) -> None:
    CHECKS[name](load(name))
