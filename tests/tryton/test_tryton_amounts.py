"""Store orders land in the real Tryton 8.2 with the store's untaxed, tax and total, to the cent.

Each case is a consistent variant of Shopify's own sample order (tests/shopify_variants.py:
the sample's customer and lines, amounts recomputed by Shopify's rules), or an order made
by the Shopify sandbox's checkout the way the demo makes them. Tryton's sale, as it
reports it back (PlacedSale), must carry the amounts of the order the customer paid.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.mapping import order_from_graphql, order_from_rest
from causeway.connectors.tryton.connector import PlacedSale, TrytonConnector
from causeway.errors import PermanentError
from causeway.flows.orders_to_erp.amount_check import sale_amounts
from causeway.model import Order
from causeway.model.amounts import amount_differences, order_amounts
from causeway.model.consistency import inconsistencies
from causeway.model.tax_map import TaxMap
from causeway_sandbox import demo
from causeway_sandbox.shopify.pricing import Code
from causeway_sandbox.shopify.server import SandboxServer
from causeway_sandbox.shopify.settings import SandboxSettings
from causeway_sandbox.tryton.testkit import TrytonTestKit
from tests.shopify_variants import CASES, IPODS, Item, variant

pytestmark = pytest.mark.tryton

D = Decimal


def place(tryton: TrytonConnector, order: Order, reference: str, **options: Any) -> PlacedSale:
    """Place one order; its sale must be confirmed with the order's amounts to the cent."""
    assert inconsistencies(order) == []
    result = tryton.place_orders([(reference, order)], **options)[reference]
    assert isinstance(result, PlacedSale), result
    assert result.state in ("confirmed", "processing")
    # To the cent: no tolerance at all (the amount check allows 0.01 by default).
    assert amount_differences(order_amounts(order), sale_amounts(result, "USD"), D(0)) == {}
    return result


def lines_of(tryton: TrytonConnector, sale: PlacedSale) -> list[tuple[str, Decimal, Decimal]]:
    return [
        (ln["product_code"], ln["quantity"], ln["unit_price"])
        for ln in TrytonTestKit(tryton).read_sale(sale.sale_id)["lines"]
    ]


def test_the_build_rounds_tax_per_line_and_has_the_service_products(
    tryton: TrytonConnector,
) -> None:
    # What a merchant selling through Shopify configures (docs/connectors/tryton.md).
    assert tryton.master.tax_rounding() == "line"
    services = tryton.master.products(["SHIPPING", "DISCOUNT", "GIFTCARD", "TIP"])
    assert {p.type for p in services.values()} == {"service"} and len(services) == 4


@pytest.mark.parametrize("case", list(CASES))
def test_a_consistent_variant_of_the_vendor_order_lands_to_the_cent(
    tryton: TrytonConnector, unique: str, case: str
) -> None:
    order = order_from_rest(variant(**CASES[case], number=f"#{unique}"))
    place(tryton, order, f"amounts-{unique}")


def test_the_vendor_orders_code_as_a_consistent_order_shows_on_the_sale(
    tryton: TrytonConnector, unique: str
) -> None:
    order = order_from_rest(variant(IPODS, codes=[Code("TENOFF", "fixed_amount", D(10))]))
    sale = place(tryton, order, f"tenoff-{unique}")
    assert (sale.untaxed_amount, sale.tax_amount, sale.total_amount) == (
        D("587.00"),
        D("35.22"),
        D("622.22"),
    )
    assert [unit_price for _, _, unit_price in lines_of(tryton, sale)] == [
        D("195.6700"),
        D("195.6700"),
        D("195.6600"),
    ]
    assert "Discounts: TENOFF (10.00)" in TrytonTestKit(tryton).read_sale(sale.sale_id)["comment"]


def test_many_units_that_four_decimals_cannot_spread_get_a_rounding_line(
    tryton: TrytonConnector, unique: str
) -> None:
    # 150 x 0.99 less 0.01 is 148.49: no 4-decimal unit price makes 150 units that.
    order = order_from_rest(
        variant([Item("WID-001", "0.99", 150, discount="0.01")], tax_rate="0.10", tax_title="VAT")
    )
    sale = place(tryton, order, f"many-{unique}")
    assert lines_of(tryton, sale) == [
        ("WID-001", D(150), D("0.9899")),
        ("DISCOUNT", D(1), D("0.0100")),
    ]


def test_a_gift_card_and_a_tip_are_untaxed_service_lines_and_the_invoice_matches(
    tryton: TrytonConnector, unique: str
) -> None:
    order = order_from_rest(variant([IPODS[0], Item(None, "50.00", gift_card=True)], tip="5.00"))
    reference = f"gift-{unique}"
    sale = place(tryton, order, reference)
    record = TrytonTestKit(tryton).read_sale(sale.sale_id)
    assert [(ln["product_code"], ln["taxes"] == []) for ln in record["lines"]] == [
        ("IPOD2008GREEN", False),
        ("GIFTCARD", True),
        ("TIP", True),
    ]
    assert tryton.sale_invoices([reference])[reference].total == order.total


def test_a_tax_map_names_the_erp_tax_and_a_missing_one_parks_the_order_with_the_fix(
    tryton: TrytonConnector, unique: str
) -> None:
    order = order_from_rest(variant(IPODS[:1], tax_title="KY Sales Tax"))
    mapped = TaxMap.parse({"KY Sales Tax": "State Tax 6%"})
    place(tryton, order, f"mapped-{unique}", tax_map=mapped)

    wrong = TaxMap.parse({"KY Sales Tax": "Kentucky 6%"})
    error = tryton.place_orders([(f"unmapped-{unique}", order)], tax_map=wrong)[
        f"unmapped-{unique}"
    ]
    assert isinstance(error, PermanentError)
    assert "maps the store's tax 'KY Sales Tax' (6%) to 'Kentucky 6%'" in str(error)
    assert "tax_map" in str(error) and "replay" in str(error)
    assert TrytonTestKit(tryton).find_sales([f"unmapped-{unique}"]) == {}


# --- orders made by the Shopify sandbox's checkout --------------------------------------


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    server = SandboxServer(SandboxSettings()).start()
    for sku, name, price in demo.CATALOGUE:
        body = {"title": name, "sku": sku, "price": price, "quantity": 1000}
        server.control("POST", "products", json=body).raise_for_status()
    yield server
    server.stop()


def test_the_demos_orders_land_to_the_cent_from_webhook_and_poll(
    tryton: TrytonConnector, shop: SandboxServer, unique: str
) -> None:
    with httpx.Client(base_url=shop.url, trust_env=False, timeout=10) as client:
        placed = demo.place_orders(client, 6, random.Random(7))
    store = ShopifyConnector(shop.url, shop.settings.access_token, system="shop")
    try:
        orders = []
        for rest in placed:
            order = order_from_rest(rest["order"])
            assert order_from_graphql(store.order_node(order.external_id)) == order
            orders.append((f"demo-{unique}-{order.external_id}", order))
    finally:
        store.close()
    results = tryton.place_orders(orders)
    for reference, order in orders:
        sale = results[reference]
        assert isinstance(sale, PlacedSale), sale
        assert amount_differences(order_amounts(order), sale_amounts(sale, "USD"), D(0)) == {}


def test_a_sandbox_checkout_with_codes_taxes_included_and_a_gift_card_lands_to_the_cent(
    tryton: TrytonConnector, shop: SandboxServer, unique: str
) -> None:
    body = {
        "email": f"buyer.{unique}@example.com",
        "first_name": "Ann",
        "last_name": "Buyer",
        "lines": [
            {"sku": "WID-001", "quantity": 3, "discount": "1.00"},
            {
                "sku": "GAD-001",
                "quantity": 1,
                "price": "24.99",
                "tax_rate": "0.06",
                "tax_title": "State Tax",
            },
            {"gift_card": True, "quantity": 1, "price": "30.00"},
        ],
        "discount_codes": [{"code": "WELCOME", "type": "percentage", "value": "10"}],
        "tax_rate": "0.10",
        "tax_title": "VAT",
        "taxes_included": True,
        "shipping_price": "5.95",
        "shipping_taxable": True,
        "tip": "2.00",
        "gift_card_payment": "20.00",
    }
    rest = shop.control("POST", "orders", json=body).json()["order"]
    assert rest["payment_gateway_names"] == ["gift_card", "shopify_payments"]
    order = order_from_rest(rest)
    assert order.total == D(rest["total_price"])  # a gift card paying is no discount
    place(tryton, order, f"checkout-{unique}")
