"""Catalogue writes: absolute stock with manage_stock, derived stock status, unique SKUs,
variations, and batch calls of at most 100 items whose failures are reported per item."""

from __future__ import annotations

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import seed


def test_stock_is_absolute_and_its_status_follows(api: httpx.Client) -> None:
    product = api.post(
        "products",
        json={
            "name": "Cap",
            "sku": "CAP-1",
            "manage_stock": True,
            "stock_quantity": 3,
            "regular_price": "5.00",
        },
    ).json()
    assert (product["stock_quantity"], product["stock_status"]) == (3, "instock")
    for quantity, status in ((0, "outofstock"), (7, "instock"), (-1, "outofstock")):
        updated = api.put(f"products/{product['id']}", json={"stock_quantity": quantity}).json()
        assert (updated["stock_quantity"], updated["stock_status"]) == (quantity, status)
    backorders = api.put(f"products/{product['id']}", json={"backorders": "yes"}).json()
    assert (backorders["stock_status"], backorders["backorders_allowed"]) == ("onbackorder", True)
    unmanaged = api.put(
        f"products/{product['id']}", json={"manage_stock": False, "stock_status": "outofstock"}
    )
    assert (unmanaged.json()["stock_quantity"], unmanaged.json()["stock_status"]) == (
        None,
        "outofstock",
    )


def test_a_sku_belongs_to_one_product_or_variation(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    first = seed(woo, "SKU-1")
    duplicate = api.post("products", json={"name": "Other", "sku": "SKU-1"})
    assert duplicate.status_code == 400
    assert duplicate.json() == {
        "code": "product_invalid_sku",
        "message": "Invalid or duplicated SKU.",
        "data": {"status": 400, "resource_id": first["id"], "unique_sku": "SKU-1-1"},
    }
    other = seed(woo, "SKU-2")
    assert api.put(f"products/{other['id']}", json={"sku": "SKU-1"}).status_code == 400
    assert api.get(f"products/{other['id']}").json()["sku"] == "SKU-2"


def test_wrong_json_types_are_refused_as_wordpress_refuses_them(api: httpx.Client) -> None:
    response = api.post(
        "products", json={"name": "X", "regular_price": 9.99, "stock_quantity": "many"}
    )
    assert response.status_code == 400
    assert response.json()["data"]["params"] == {
        "regular_price": "regular_price is not of type string.",
        "stock_quantity": "stock_quantity is not of type integer.",
    }


def test_variations_carry_their_own_stock_and_sku(woo: WooSandboxServer, api: httpx.Client) -> None:
    parent = woo.control(
        "POST",
        "products",
        json={
            "name": "Tee",
            "attributes": [{"name": "Size", "options": ["S", "M"], "variation": True}],
            "variations": [
                {
                    "sku": "TEE-S",
                    "regular_price": "15.00",
                    "manage_stock": True,
                    "stock_quantity": 2,
                    "attributes": [{"name": "Size", "option": "S"}],
                },
                {
                    "sku": "TEE-M",
                    "regular_price": "16.00",
                    "manage_stock": True,
                    "stock_quantity": 0,
                    "attributes": [{"name": "Size", "option": "M"}],
                },
            ],
        },
    ).json()
    assert parent["type"] == "variable"
    assert parent["price"] == "15.00"
    variations = api.get(
        f"products/{parent['id']}/variations", params={"orderby": "id", "order": "asc"}
    )
    assert [(v["sku"], v["stock_status"]) for v in variations.json()] == [
        ("TEE-S", "instock"),
        ("TEE-M", "outofstock"),
    ]
    small = variations.json()[0]
    assert small["_links"]["up"][0]["href"].endswith(f"/products/{parent['id']}")
    answer = api.post(
        f"products/{parent['id']}/variations/batch",
        json={
            "update": [
                {"id": small["id"], "stock_quantity": 9},
                {"id": parent["id"], "stock_quantity": 1},
            ]
        },
    ).json()
    assert answer["update"][0]["stock_quantity"] == 9
    assert answer["update"][1]["error"]["code"] == "woocommerce_rest_product_variation_invalid_id"
    as_product = api.get(f"products/{small['id']}").json()
    assert (as_product["type"], as_product["parent_id"]) == ("variation", parent["id"])


def test_a_batch_reports_each_failed_item_where_it_stands(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    existing = seed(woo, "BAT-1", quantity=1)
    answer = api.post(
        "products/batch",
        json={
            "create": [
                {"name": "New", "sku": "BAT-2", "regular_price": 4.5},
                {"name": "Dup", "sku": "BAT-1"},
            ],
            "update": [
                {"id": existing["id"], "stock_quantity": 12},
                {"id": 987654, "stock_quantity": 1},
            ],
            "delete": [987655],
        },
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["create"][0]["sku"] == "BAT-2"
    assert body["create"][0]["regular_price"] == "4.5"  # a batch item is cast, not checked
    assert body["create"][1] == {
        "id": 0,
        "error": {
            "code": "product_invalid_sku",
            "message": "Invalid or duplicated SKU.",
            "data": {"status": 400, "resource_id": existing["id"], "unique_sku": "BAT-1-1"},
        },
    }
    assert body["update"][0]["stock_quantity"] == 12
    assert body["update"][1] == {
        "id": 987654,
        "error": {
            "code": "woocommerce_rest_product_invalid_id",
            "message": "Invalid ID.",
            "data": {"status": 400},
        },
    }
    assert body["delete"] == [
        {
            "id": 987655,
            "error": {
                "code": "woocommerce_rest_product_invalid_id",
                "message": "Invalid ID.",
                "data": {"status": 404},
            },
        }
    ]
    assert api.get("products", params={"sku": "BAT-1"}).json()[0]["stock_quantity"] == 12


def test_only_the_operations_asked_for_are_answered(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    product = seed(woo, "BAT-3")
    answer = api.post("products/batch", json={"update": [{"id": product["id"], "name": "Renamed"}]})
    assert list(answer.json()) == ["update"]


def test_a_plugin_refusing_a_product_fails_that_item_alone_and_saves_nothing_of_it(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    existing = seed(woo, "RULE-1", quantity=1)
    rule = "Products need a brand."
    woo.control("PUT", "refused-skus", json={"RULE-1": rule, "RULE-2": rule})
    answer = api.post(
        "products/batch",
        json={
            "create": [{"name": "Two", "sku": "RULE-2"}, {"name": "Three", "sku": "RULE-3"}],
            "update": [{"id": existing["id"], "regular_price": "9.00"}],
        },
    ).json()
    refused = {
        "code": "woocommerce_rest_product_not_created",
        "message": rule,
        "data": {"status": 400},
    }
    assert answer["create"][0] == {"id": 0, "error": refused}
    assert answer["create"][1]["sku"] == "RULE-3"
    assert answer["update"][0] == {"id": existing["id"], "error": refused}
    assert api.get(f"products/{existing['id']}").json()["regular_price"] != "9.00"
    assert api.get("products", params={"sku": "RULE-2"}).json() == []
    woo.control("PUT", "refused-skus", json={})  # the plugin is switched off
    assert api.put(f"products/{existing['id']}", json={"regular_price": "9.00"}).status_code == 200


@pytest.mark.parametrize(
    ("creates", "updates", "deletes", "status"),
    [(100, 0, 0, 200), (40, 40, 20, 200), (101, 0, 0, 413), (50, 30, 21, 413)],
)
def test_a_batch_holds_at_most_100_items_in_total(
    woo: WooSandboxServer, api: httpx.Client, creates: int, updates: int, deletes: int, status: int
) -> None:
    product = seed(woo, "BAT-4")
    answer = api.post(
        "products/batch",
        json={
            "create": [{"name": f"P{i}", "sku": f"LIM-{i}"} for i in range(creates)],
            "update": [{"id": product["id"], "stock_quantity": i} for i in range(updates)],
            "delete": [999000 + i for i in range(deletes)],
        },
    )
    assert answer.status_code == status
    if status == 413:
        assert answer.json() == {
            "code": "woocommerce_rest_request_entity_too_large",
            "message": "Unable to accept more than 100 items for this request.",
            "data": {"status": 413},
        }
        assert api.get("products").headers["X-WP-Total"] == "1"  # nothing was done
    else:
        assert len(answer.json()["create"]) == creates
