"""Contract: Shopify's documented checkout, as a checkouts/create webhook delivers it,
reads into the hub's Cart; an order's checkout ids find that cart.

fixtures/checkout.json follows the example of the REST Admin API's Abandoned checkouts
resource (https://shopify.dev/docs/api/admin-rest/2024-10/resources/abandoned-checkouts,
"The Checkout resource" example: checkout 450789469 of Bob Norman, one IPod Nano at
199.00 with 6 % state tax, total 210.94 USD), which is also the body of the checkouts/*
webhooks (https://shopify.dev/docs/api/webhooks?reference=toml, topics checkouts/create
and checkouts/update). Shopify deprecated `token` and `cart_token` in that resource in
2024-10; webhooks still send them, and the hub does not rely on them (it keys by id).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from causeway.connectors.shopify.checkouts import cart_from_rest, cart_order_from_rest
from causeway.connectors.shopify.webhooks import entity_key
from causeway.errors import InvalidPayloadError

FIXTURE = Path(__file__).parent / "fixtures" / "checkout.json"


def documented() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())  # type: ignore[no-any-return]


def test_the_documented_checkout_reads_into_a_cart_with_its_money_and_lines() -> None:
    cart = cart_from_rest(documented())
    assert cart.checkout_id == "450789469"
    assert cart.token == "2a1ace52255252df566af0faaedfbfa7"
    assert cart.cart_token == "68778783ad298f1c80c3bafcddeea02f"
    assert cart.email == "bob.norman@mail.example.com"
    assert (cart.currency, cart.total) == ("USD", Decimal("210.94"))
    assert [(line.sku, line.quantity, line.unit_price) for line in cart.lines] == [
        ("IPOD2008GREEN", 1, Decimal("199.00"))
    ]
    assert cart.created_at == datetime(2008, 1, 10, 16, 0, tzinfo=UTC)
    assert cart.updated_at == cart.created_at
    assert cart.completed_at is None
    assert cart.recovery_url is not None and "/recover?key=" in cart.recovery_url


def test_a_checkout_webhook_is_ordered_by_its_checkout_id() -> None:
    assert entity_key("checkouts/update", documented()) == "checkout:450789469"


def test_a_checkout_without_its_total_is_refused_naming_the_field() -> None:
    body = documented()
    del body["total_price"]
    with pytest.raises(InvalidPayloadError, match="total_price"):
        cart_from_rest(body)


def test_an_order_names_the_checkout_it_came_from() -> None:
    order = {
        "id": 820982911946154508,
        "checkout_id": 450789469,
        "checkout_token": "2a1ace52255252df566af0faaedfbfa7",
        "cart_token": "68778783ad298f1c80c3bafcddeea02f",
        "created_at": "2008-01-10T12:00:00-05:00",
    }
    ordered = cart_order_from_rest(order)
    assert ordered is not None
    assert (ordered.order_id, ordered.checkout_id) == ("820982911946154508", "450789469")
    assert ordered.created_at == datetime(2008, 1, 10, 17, 0, tzinfo=UTC)


def test_an_order_from_no_checkout_names_none() -> None:
    assert cart_order_from_rest({"id": 1, "created_at": "2008-01-10T12:00:00-05:00"}) is None


def test_the_vendor_sample_order_names_its_checkout(vendor_order: dict[str, Any]) -> None:
    ordered = cart_order_from_rest(vendor_order)
    assert ordered is not None
    assert ordered.checkout_id == str(vendor_order["checkout_id"])


@pytest.fixture
def vendor_order() -> dict[str, Any]:
    from tests.sandbox.test_shopify_sandbox import _vendor_order

    return _vendor_order()


def test_shopify_gives_the_carts_flow_every_method_it_calls() -> None:
    from causeway.connectors.shopify.connector import ShopifyConnector
    from causeway.model.ports.carts import CartChannel

    wanted = [name for name in vars(CartChannel) if not name.startswith("_")]
    assert sorted(wanted) == [
        "abandoned_carts_since",
        "cart_from_webhook",
        "cart_order_from_webhook",
    ]
    assert all(callable(getattr(ShopifyConnector, name, None)) for name in wanted)
