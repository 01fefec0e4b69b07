"""The sandbox's product mutations, over real HTTP with the exact documents the connector
sends (connectors/shopify/product_queries.py): Shopify's 2026-10 behaviour, userErrors
with HTTP 200, query cost, and products/create + products/update webhooks."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify import product_queries as pq
from causeway.connectors.shopify.rest_models import Product, parse_rest
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from tests.sandbox.test_shopify_sandbox import SECRET, TOKEN, Receiver

HTTP = httpx.Client(trust_env=False, timeout=10)


@pytest.fixture
def shop() -> Iterator[SandboxServer]:
    settings = SandboxSettings(api_secret=SECRET, access_token=TOKEN, webhook_retry_initial_s=0.05)
    server = SandboxServer(settings).start()
    yield server
    server.stop()


@pytest.fixture
def hook() -> Iterator[Receiver]:
    receiver = Receiver()
    yield receiver
    receiver.close()


def gql(shop: SandboxServer, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = HTTP.post(
        shop.graphql_url,
        json={"query": query, "variables": variables},
        headers={"X-Shopify-Access-Token": TOKEN},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert "errors" not in body, body["errors"]
    return body


def create(shop: SandboxServer, **fields: Any) -> dict[str, Any]:
    body = gql(shop, pq.PRODUCT_CREATE, {"product": {"title": "Widget", **fields}})
    return body["data"]["productCreate"]  # type: ignore[no-any-return]


def bulk(shop: SandboxServer, product_id: str, *variants: dict[str, Any]) -> dict[str, Any]:
    body = gql(
        shop, pq.PRODUCT_VARIANTS_BULK_UPDATE, {"productId": product_id, "variants": list(variants)}
    )
    return body["data"]["productVariantsBulkUpdate"]  # type: ignore[no-any-return]


def _vendor_product() -> dict[str, Any] | None:
    for base in (Path(__file__).parents[2], Path("/work/shared")):
        path = base / "vendor-samples" / "shopify" / "product.json"
        if path.exists():
            return json.loads(path.read_text())["product"]  # type: ignore[no-any-return]
    return None


def test_a_created_product_has_one_default_variant_without_sku_and_costs_10(
    shop: SandboxServer,
) -> None:
    body = gql(
        shop,
        pq.PRODUCT_CREATE,
        {
            "product": {
                "title": "Blue Widget",
                "handle": "wid-001",
                "descriptionHtml": "<p>Sturdy &amp; blue</p>",
                "status": "ACTIVE",
            }
        },
    )
    product = body["data"]["productCreate"]["product"]
    assert body["data"]["productCreate"]["userErrors"] == []
    assert (product["handle"], product["title"], product["status"]) == (
        "wid-001",
        "Blue Widget",
        "ACTIVE",
    )
    assert product["descriptionHtml"] == "<p>Sturdy &amp; blue</p>"
    (variant,) = product["variants"]["nodes"]
    assert variant["sku"] in (None, "") and variant["price"] == "0.00"
    assert variant["compareAtPrice"] is None
    assert body["extensions"]["cost"]["requestedQueryCost"] == 10


def test_bulk_update_sets_price_compare_at_sku_and_weight_found_by_sku_afterwards(
    shop: SandboxServer,
) -> None:
    product = create(shop, handle="wid-001")["product"]
    variant_id = product["variants"]["nodes"][0]["id"]
    result = bulk(
        shop,
        product["id"],
        {
            "id": variant_id,
            "price": "12.50",
            "compareAtPrice": "15.00",
            "inventoryItem": {
                "sku": "WID-001",
                "measurement": {"weight": {"unit": "KILOGRAMS", "value": 1.25}},
            },
        },
    )
    assert result["userErrors"] == []
    assert result["productVariants"][0]["price"] == "12.50"

    found = gql(shop, pq.CATALOG_VARIANTS_BY_SKU, {"first": 5, "query": 'sku:"WID-001"'})
    (node,) = found["data"]["productVariants"]["nodes"]
    assert (node["sku"], node["price"], node["compareAtPrice"]) == ("WID-001", "12.50", "15.00")
    assert node["inventoryItem"]["measurement"]["weight"] == {"unit": "KILOGRAMS", "value": 1.25}
    assert node["product"]["handle"] == "wid-001"

    by_handle = gql(shop, pq.CATALOG_PRODUCTS_BY_HANDLE, {"first": 3, "query": 'handle:"wid-001"'})
    assert [p["id"] for p in by_handle["data"]["products"]["nodes"]] == [product["id"]]


def test_a_negative_price_is_a_user_error_with_http_200_and_changes_nothing(
    shop: SandboxServer,
) -> None:
    product = create(shop)["product"]
    variant_id = product["variants"]["nodes"][0]["id"]
    result = bulk(
        shop,
        product["id"],
        {"id": variant_id, "price": "-1.00", "inventoryItem": {"sku": "NEG-1"}},
    )
    (error,) = result["userErrors"]
    assert error["code"] == "GREATER_THAN_OR_EQUAL_TO"
    assert error["field"] == ["variants", "0", "price"]
    assert result["productVariants"] is None
    found = gql(shop, pq.CATALOG_VARIANTS_BY_SKU, {"first": 5, "query": "sku:NEG-1"})
    assert found["data"]["productVariants"]["nodes"] == []  # the SKU was not applied either


def test_unknown_product_and_variant_are_named_user_errors(shop: SandboxServer) -> None:
    other = create(shop, title="Other")["product"]["variants"]["nodes"][0]["id"]
    product = create(shop)["product"]
    missing = bulk(shop, "gid://shopify/Product/1", {"id": other, "price": "1.00"})
    assert missing["userErrors"][0]["code"] == "PRODUCT_DOES_NOT_EXIST"
    foreign = bulk(shop, product["id"], {"id": other, "price": "1.00"})
    assert foreign["userErrors"][0]["code"] == "PRODUCT_VARIANT_DOES_NOT_EXIST"
    update = gql(shop, pq.PRODUCT_UPDATE, {"product": {"id": "gid://shopify/Product/1"}})
    assert update["data"]["productUpdate"]["userErrors"][0]["message"] == "Product does not exist"


def test_a_blank_title_and_a_taken_handle_are_refused(shop: SandboxServer) -> None:
    assert create(shop, title=" ")["userErrors"][0]["field"] == ["title"]
    create(shop, handle="wid-001")
    taken = create(shop, handle="wid-001")
    assert taken["product"] is None
    assert taken["userErrors"][0]["field"] == ["handle"]
    assert "already in use" in taken["userErrors"][0]["message"]


def test_product_update_archives_and_retitles(shop: SandboxServer) -> None:
    product = create(shop)["product"]
    body = gql(
        shop,
        pq.PRODUCT_UPDATE,
        {"product": {"id": product["id"], "status": "ARCHIVED", "title": "Old Widget"}},
    )
    assert body["data"]["productUpdate"] == {
        "product": {"id": product["id"], "status": "ARCHIVED"},
        "userErrors": [],
    }
    again = gql(shop, pq.CATALOG_PRODUCTS_BY_HANDLE, {"first": 3, "query": "handle:widget"})
    assert again["data"]["products"]["nodes"][0]["title"] == "Old Widget"


def test_product_webhooks_carry_the_rest_product_of_the_vendor_sample(
    shop: SandboxServer, hook: Receiver
) -> None:
    topics = ["products/create", "products/update"]
    shop.control("PUT", "webhooks", json={"uri": hook.url, "topics": topics}).raise_for_status()
    product = create(shop, handle="wid-001")["product"]
    bulk(
        shop,
        product["id"],
        {
            "id": product["variants"]["nodes"][0]["id"],
            "price": "9.99",
            "inventoryItem": {"sku": "WID-001"},
        },
    )
    shop.control("POST", "deliveries/wait", json={"timeout": 10})
    deadline = time.monotonic() + 5
    while len(hook.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert [headers["X-Shopify-Topic"] for headers, _ in hook.requests] == topics
    payload = json.loads(hook.requests[1][1])
    parsed = parse_rest(Product, payload)
    assert parsed.variants[0].sku == "WID-001" and str(parsed.variants[0].price) == "9.99"
    sample = _vendor_product()
    if sample is not None:
        assert set(sample) <= set(payload)
        assert set(sample["variants"][0]) <= set(payload["variants"][0])
