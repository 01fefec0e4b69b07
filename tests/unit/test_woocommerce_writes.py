"""What the hub writes to WooCommerce: batch outcomes item by item, and the catalogue's fields."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.http_retry import RetryPolicy
from causeway.connectors.woocommerce import catalog
from causeway.connectors.woocommerce.batch import BatchItem, write_batch
from causeway.connectors.woocommerce.client import WooCommerceClient
from causeway.connectors.woocommerce.models import WooProduct
from causeway.connectors.woocommerce.products import WooCatalog
from causeway.connectors.woocommerce.refusals import WooCommerceError
from causeway.errors import PermanentError, RetryableError
from causeway.model.catalog import CatalogItem
from tests.unit.woocommerce_payloads import product

ONCE = RetryPolicy(max_attempts=1, backoff_initial=0, backoff_max=0, max_throttle_waits=0)


def store(answer: Any) -> tuple[WooCommerceClient, list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(json.loads(request.content))
        return answer(sent[-1]) if callable(answer) else answer

    transport = httpx.MockTransport(handler)
    return WooCommerceClient(
        "https://shop.example", "ck", "cs", transport=transport, retry=ONCE
    ), sent


def updates(n: int) -> list[BatchItem]:
    return [BatchItem("update", {"id": i, "stock_quantity": 1}, f"SKU-{i}") for i in range(n)]


def test_a_batch_answer_is_read_item_by_item() -> None:
    refused = {
        "code": "woocommerce_rest_product_invalid_id",
        "message": "Invalid ID.",
        "data": {"status": 400},
    }
    client, _ = store(
        httpx.Response(200, json={"update": [{"id": 0, "sku": "A"}, {"id": 1, "error": refused}]})
    )
    ok, bad = write_batch(client, "/products/batch", updates(2), what="stock of")
    assert ok.ok and ok.written == {"id": 0, "sku": "A"}
    assert isinstance(bad.error, WooCommerceError)
    assert bad.error.code == "woocommerce_rest_product_invalid_id"
    assert str(bad.error) == (
        "WooCommerce refused stock of SKU-1: Invalid ID. (woocommerce_rest_product_invalid_id)"
    )


def test_250_items_go_in_three_calls_in_their_order() -> None:
    client, sent = store(lambda body: httpx.Response(200, json={"update": body["update"]}))
    outcomes = write_batch(client, "/products/batch", updates(250), what="stock of")
    assert [len(call["update"]) for call in sent] == [100, 100, 50]
    assert [o.item.ref for o in outcomes] == [f"SKU-{i}" for i in range(250)]
    assert all(o.ok for o in outcomes)


def test_a_call_refused_as_a_whole_is_a_failure_of_each_of_its_items() -> None:
    error = {
        "code": "rest_invalid_json",
        "message": "Invalid JSON body passed.",
        "data": {"status": 400},
    }
    client, _ = store(httpx.Response(400, json=error))
    outcomes = write_batch(client, "/products/batch", updates(3), what="stock of")
    assert [o.ok for o in outcomes] == [False, False, False]
    assert all(isinstance(o.error, WooCommerceError) for o in outcomes)
    assert "stock of SKU-2 not written: WooCommerce https://shop.example refused" in str(
        outcomes[2].error
    )


def test_an_item_the_answer_leaves_out_is_not_taken_as_written() -> None:
    client, _ = store(httpx.Response(200, json={"update": [{"id": 0}]}))
    _, missing = write_batch(client, "/products/batch", updates(2), what="stock of")
    assert not missing.ok and "answered nothing for it" in str(missing.error)


def test_an_unreadable_answer_writes_off_nothing() -> None:
    client, _ = store(httpx.Response(200, json=["not", "a", "batch", "answer"]))
    outcomes = write_batch(client, "/products/batch", updates(2), what="stock of")
    assert [o.ok for o in outcomes] == [False, False]


def test_a_store_that_stays_down_fails_the_lot_to_be_tried_again() -> None:
    client, _ = store(httpx.Response(503))
    with pytest.raises(RetryableError):
        write_batch(client, "/products/batch", updates(2), what="stock of")


def item(**fields: Any) -> CatalogItem:
    base: dict[str, Any] = {
        "sku": "MUG",
        "title": "Mug",
        "price": Decimal("12.5"),
        "source_id": "1",
    }
    return CatalogItem(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "prices"),
    [
        ({}, ("12.50", "")),
        ({"compare_at_price": Decimal(15)}, ("15.00", "12.50")),
        ({"compare_at_price": Decimal(10)}, ("12.50", "")),  # not higher: no sale shown
    ],
)
def test_the_price_paid_and_the_was_price(fields: dict[str, Any], prices: tuple[str, str]) -> None:
    assert catalog.prices(item(**fields)) == prices


@pytest.mark.parametrize(
    ("weight", "unit", "store_unit", "shown"),
    [
        (Decimal(350), "g", "kg", "0.35"),
        (Decimal("1.5"), "kg", "g", "1500"),
        (Decimal(1), "lb", "oz", "16"),
        (Decimal(2), "kg", "lbs", "4.409"),
    ],
)
def test_a_weight_in_the_stores_unit(
    weight: Decimal, unit: str, store_unit: str, shown: str
) -> None:
    assert catalog.store_weight(item(weight=weight, weight_unit=unit), store_unit) == shown  # type: ignore[arg-type]


def test_only_what_differs_from_the_product_shown_is_sent() -> None:
    shown = WooProduct.model_validate(
        product(7, "MUG", name="Mug", description="", regular_price="12.50", weight="0.35")
    )
    same = item(weight=Decimal(350), weight_unit="g")
    assert catalog.changes(same, shown, "kg", variation=False) == {}
    cheaper = item(price=Decimal(11), weight=Decimal(350), weight_unit="g", active=False)
    assert catalog.changes(cheaper, shown, "kg", variation=False) == {
        "regular_price": "11.00",
        "status": "private",
    }
    # A variation's name is its product's: never sent.
    renamed = item(title="Mug, large")
    assert "name" not in catalog.changes(renamed, shown, None, variation=True)


def test_the_stores_weight_unit_is_read_once_from_its_settings() -> None:
    asked: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.path)
        return httpx.Response(200, json={"id": "woocommerce_weight_unit", "value": "lbs"})

    client = WooCommerceClient(
        "https://shop.example", "ck", "cs", transport=httpx.MockTransport(handler)
    )
    catalogue = WooCatalog(client, "woo")
    assert (catalogue.weight_unit(), catalogue.weight_unit()) == ("lbs", "lbs")
    assert asked == ["/wp-json/wc/v3/settings/products/woocommerce_weight_unit"]


def test_a_weight_unit_the_store_will_not_tell_is_asked_of_the_configuration() -> None:
    refused = httpx.Response(
        403,
        json={
            "code": "woocommerce_rest_cannot_view",
            "message": "Sorry, you cannot list resources.",
        },
    )
    client = WooCommerceClient(
        "https://shop.example", "ck", "cs", transport=httpx.MockTransport(lambda r: refused)
    )
    with pytest.raises(PermanentError, match=r"set systems\.woo\.weight_unit"):
        WooCatalog(client, "woo").weight_unit()
