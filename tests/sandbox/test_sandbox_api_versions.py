"""The sandbox speaks Shopify's published schema of the version a request's URL names:
a field Shopify does not have fails validation as on Shopify, one the sandbox does not
compute says so, and the stock write follows that version's rules (compare fields,
idempotency keys, locations)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from causeway.connectors.shopify import queries as q
from causeway_sandbox.shopify import SandboxServer, SandboxSettings
from causeway_sandbox.shopify.published_schema import available_versions

# The stock write as documents before 2026-04 sent it: no idempotency key.
SET_WITHOUT_KEY = """
mutation InventorySetQuantities($input: InventorySetQuantitiesInput!) {
  inventorySetQuantities(input: $input) { userErrors { code field message } }
}
"""


@pytest.fixture(scope="module")
def shop() -> Iterator[SandboxServer]:
    with SandboxServer(SandboxSettings()) as server:
        yield server


@pytest.fixture(autouse=True)
def _fresh(shop: SandboxServer) -> None:
    shop.control("POST", "reset")


def post(
    shop: SandboxServer, version: str, query: str, variables: dict[str, Any] | None = None
) -> httpx.Response:
    return httpx.post(
        f"{shop.url}/admin/api/{version}/graphql.json",
        headers=shop.headers,
        json={"query": query, "variables": variables or {}},
    )


def stock(shop: SandboxServer, sku: str, quantity: int) -> dict[str, Any]:
    body = {"title": sku, "sku": sku, "price": "10.00", "quantity": quantity}
    return shop.control("POST", "products", json=body).json()  # type: ignore[no-any-return]


def stock_input(product: dict[str, Any], quantity: int, **compare: Any) -> dict[str, Any]:
    row = {
        "inventoryItemId": product["inventory_item_gid"],
        "locationId": product["location_gid"],
        "quantity": quantity,
    }
    return {"name": "available", "reason": "correction", "quantities": [row | compare]}


def user_errors(response: httpx.Response) -> list[tuple[str, list[str] | None]]:
    errors = response.json()["data"]["inventorySetQuantities"]["userErrors"]
    return [(e["code"], e["field"]) for e in errors]


def test_the_sandbox_has_shopifys_schema_of_2026_01_and_2026_10() -> None:
    assert available_versions() == ("2026-01", "2026-10")


def test_a_request_is_answered_as_the_version_its_url_names(shop: SandboxServer) -> None:
    for version in ("2026-01", "2026-10"):
        answer = post(shop, version, "{ shop { name } }")
        assert answer.status_code == 200 and answer.json()["data"]["shop"]
        assert answer.headers["X-Shopify-API-Version"] == version


def test_a_version_past_support_falls_forward_to_the_oldest_as_on_shopify(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)
    answer = post(
        shop,
        "2025-10",
        SET_WITHOUT_KEY,
        {"input": stock_input(product, 7, compareQuantity=5)},
    )
    assert answer.headers["X-Shopify-API-Version"] == "2026-01"
    assert user_errors(answer) == []  # 2026-01 still takes compareQuantity, and no key
    assert shop.control("GET", "inventory").json() == {"A-1": 7}


@pytest.mark.parametrize("version", ["2026-04", "2026-07", "2027-01", "2026-13", "latest"])
def test_a_version_the_sandbox_has_no_schema_for_is_not_served(
    shop: SandboxServer, version: str
) -> None:
    answer = post(shop, version, "{ shop { name } }")
    assert answer.status_code == 404
    assert "serves Admin API 2026-01, 2026-10" in answer.json()["errors"]


def test_a_field_shopify_does_not_have_fails_validation_as_on_shopify(
    shop: SandboxServer,
) -> None:
    (error,) = post(shop, "2026-10", "{ shop { name bogus } }").json()["errors"]
    assert error["message"] == "Field 'bogus' doesn't exist on type 'Shop'"
    assert error["extensions"]["code"] == "undefinedField"


def test_a_field_shopify_has_but_the_sandbox_does_not_compute_says_so(
    shop: SandboxServer,
) -> None:
    body = post(
        shop,
        "2026-10",
        "{ shop { name } locations(first: 1) { nodes { fulfillmentService { id } } } }",
    ).json()
    (error,) = body["errors"]
    assert error["message"].startswith("the sandbox does not implement Location.fulfillmentService")
    assert error["extensions"]["code"] == "SANDBOX_NOT_IMPLEMENTED"
    assert body["data"]["shop"]["name"]  # the rest of the query is answered


def test_an_argument_the_sandbox_does_not_take_says_so(shop: SandboxServer) -> None:
    query = '{ webhookSubscriptions(first: 5, callbackUrl: "https://x.example") { nodes { id } } }'
    (error,) = post(shop, "2026-10", query).json()["errors"]
    assert error["message"].startswith(
        "the sandbox does not implement argument callbackUrl of QueryRoot.webhookSubscriptions"
    )


def test_compare_quantity_is_refused_from_2026_04_as_shopify_refuses_it(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)
    variables = {"input": stock_input(product, 7, compareQuantity=5), "idempotencyKey": "k1"}
    (error,) = post(shop, "2026-10", q.INVENTORY_SET_QUANTITIES, variables).json()["errors"]
    assert "unknown field 'compareQuantity'" in error["message"]
    assert error["extensions"]["code"] == "INVALID_VARIABLE"
    assert shop.control("GET", "inventory").json() == {"A-1": 5}


def test_2026_01_compares_with_compare_quantity_or_change_from_quantity(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)

    def set_as_2026_01(**compare: Any) -> list[tuple[str, list[str] | None]]:
        variables = {"input": stock_input(product, 7, **compare)}
        return user_errors(post(shop, "2026-01", SET_WITHOUT_KEY, variables))

    at = ["input", "quantities", "0"]
    assert set_as_2026_01(compareQuantity=4) == [
        ("COMPARE_QUANTITY_STALE", [*at, "compareQuantity"])
    ]
    assert set_as_2026_01() == [("COMPARE_QUANTITY_REQUIRED", [*at, "compareQuantity"])]
    assert set_as_2026_01(changeFromQuantity=4) == [
        ("CHANGE_FROM_QUANTITY_STALE", [*at, "changeFromQuantity"])
    ]
    assert set_as_2026_01(changeFromQuantity=5) == []
    assert shop.control("GET", "inventory").json() == {"A-1": 7}


def test_from_2026_04_a_stock_write_without_an_idempotency_key_is_refused(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)
    variables = {"input": stock_input(product, 7, changeFromQuantity=5)}
    body = post(shop, "2026-10", SET_WITHOUT_KEY, variables).json()
    (error,) = body["errors"]
    assert "requires an idempotency key as of API version 2026-04" in error["message"]
    assert shop.control("GET", "inventory").json() == {"A-1": 5}


def test_a_stock_write_sent_again_with_its_key_is_answered_not_applied_again(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)
    key = str(uuid.uuid4())
    write = {"input": stock_input(product, 7, changeFromQuantity=5), "idempotencyKey": key}
    first = post(shop, "2026-10", q.INVENTORY_SET_QUANTITIES, write).json()
    shop.control(
        "POST",
        "orders",
        json={
            "email": "ann@example.com",
            "first_name": "Ann",
            "last_name": "Lee",
            "lines": [{"sku": "A-1", "quantity": 2}],
        },
    )
    again = post(shop, "2026-10", q.INVENTORY_SET_QUANTITIES, write).json()
    assert again == first | {"extensions": again["extensions"]}
    assert shop.control("GET", "inventory").json() == {"A-1": 5}, "the sale is not overwritten"

    other = {"input": stock_input(product, 9, changeFromQuantity=5), "idempotencyKey": key}
    refused = post(shop, "2026-10", q.INVENTORY_SET_QUANTITIES, other)
    assert user_errors(refused) == [("IDEMPOTENCY_KEY_PARAMETER_MISMATCH", None)]


def test_from_2026_10_a_quantity_can_be_set_where_the_item_is_not_stocked_yet(
    shop: SandboxServer,
) -> None:
    product = stock(shop, "A-1", 5)
    store = shop.control("POST", "locations", json={"name": "Pop-up store"}).json()
    elsewhere = stock_input(product, 3, changeFromQuantity=None)
    elsewhere["quantities"][0]["locationId"] = store["location_gid"]
    earlier = post(shop, "2026-01", SET_WITHOUT_KEY, {"input": elsewhere})
    assert user_errors(earlier) == [
        ("ITEM_NOT_STOCKED_AT_LOCATION", ["input", "quantities", "0", "locationId"])
    ]
    now = post(
        shop,
        "2026-10",
        q.INVENTORY_SET_QUANTITIES,
        {"input": elsewhere, "idempotencyKey": str(uuid.uuid4())},
    )
    assert user_errors(now) == []
    levels = post(
        shop,
        "2026-10",
        q.INVENTORY_LEVELS,
        {"ids": [product["inventory_item_gid"]], "locationId": store["location_gid"]},
    ).json()["data"]["nodes"][0]["inventoryLevel"]["quantities"]
    assert levels == [{"name": "available", "quantity": 3}]
