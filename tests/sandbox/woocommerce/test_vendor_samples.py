"""The sandbox reads WooCommerce's own sample payloads and answers in exactly their shape.

Each sample (vendor-samples/woocommerce, from woocommerce-rest-api-docs) is loaded into
the sandbox and read back through the REST API, and what the sandbox makes itself
(a storefront order, a product, a batch answer, a webhook body) is compared with the
sample: the same keys at every level and the same JSON types.
"""

from __future__ import annotations

import httpx
import pytest

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed
from tests.sandbox.woocommerce.shapes import shape_differences
from tests.vendor_samples import load_sample, samples_dir


def sample(name: str) -> dict:
    return load_sample("woocommerce", name)  # type: ignore[no-any-return]


def test_every_sample_file_is_covered_by_these_tests() -> None:
    covered = {"order.json", "product.json", "products_batch_response.json", "webhooks-doc.md"}
    assert {p.name for p in samples_dir("woocommerce").iterdir()} == covered


def test_the_sample_order_loads_and_reads_back_with_its_own_values(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    order = sample("order.json")
    woo.control("POST", "import/orders", json=order)
    served = api.get(f"orders/{order['id']}").json()
    assert shape_differences(order, served) == []
    for key in (
        "id",
        "number",
        "order_key",
        "status",
        "currency",
        "total",
        "total_tax",
        "cart_tax",
        "shipping_total",
        "billing",
        "shipping",
        "meta_data",
        "date_created",
        "date_created_gmt",
        "date_paid_gmt",
        "payment_method",
    ):
        assert served[key] == order[key], key
    assert [(i["id"], i["sku"], i["quantity"], i["total"]) for i in served["line_items"]] == [
        (i["id"], i["sku"], i["quantity"], i["total"]) for i in order["line_items"]
    ]


def test_the_sample_product_loads_and_reads_back_with_its_own_values(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    product = sample("product.json")
    woo.control("POST", "import/products", json=product)
    served = api.get(f"products/{product['id']}").json()
    assert shape_differences(product, served) == []
    for key in (
        "id",
        "name",
        "slug",
        "sku",
        "price",
        "regular_price",
        "manage_stock",
        "stock_quantity",
        "stock_status",
        "categories",
        "images",
        "date_created",
        "date_modified_gmt",
        "price_html",
    ):
        assert served[key] == product[key], key


def test_a_storefront_order_has_the_shape_of_the_sample_order(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "WID-1", quantity=5)
    assert buy(woo, "WID-1", 2).status_code == 201
    (order,) = api.get("orders").json()
    assert shape_differences(sample("order.json"), order) == []


def test_created_and_updated_products_have_the_shape_of_the_sample_product(
    api: httpx.Client,
) -> None:
    created = api.post(
        "products",
        json={
            "name": "Mug",
            "sku": "MUG-1",
            "regular_price": "9.50",
            "manage_stock": True,
            "stock_quantity": 4,
            "categories": [{"id": 9}],
            "images": [{"src": "https://example.com/m.jpg"}],
        },
    )
    assert created.status_code == 201
    updated = api.put(f"products/{created.json()['id']}", json={"stock_quantity": 0})
    for body in (created.json(), updated.json()):
        assert shape_differences(sample("product.json"), body) == []
    assert updated.json()["stock_status"] == "outofstock"


def test_a_batch_answer_has_the_shape_of_the_sample_batch_answer(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    expected = sample("products_batch_response.json")
    woo.control("POST", "import/products", json=[*expected["update"], *expected["delete"]])
    answer = api.post(
        "products/batch",
        json={
            "create": [
                {"name": "Woo Single #1", "regular_price": "21.99"},
                {"name": "New Premium Quality", "regular_price": "21.99"},
            ],
            "update": [
                {
                    "id": expected["update"][0]["id"],
                    "default_attributes": [{"id": 6, "name": "Color", "option": "green"}],
                }
            ],
            "delete": [expected["delete"][0]["id"]],
        },
    )
    assert answer.status_code == 200
    assert shape_differences(expected, answer.json()) == []
    assert [p["id"] for p in answer.json()["delete"]] == [expected["delete"][0]["id"]]
    assert api.get(f"products/{expected['delete'][0]['id']}").status_code == 404


@pytest.mark.parametrize("broken", ["missing", "extra", "type"])
def test_the_shape_comparison_sees_a_missing_key_an_extra_key_and_a_wrong_type(
    broken: str,
) -> None:
    """The comparison the tests above rely on can fail (a test that cannot fail proves nothing)."""
    order = sample("order.json")
    changed = {**order, "line_items": [dict(i) for i in order["line_items"]]}
    if broken == "missing":
        del changed["line_items"][1]["sku"]
    elif broken == "extra":
        changed["billing"] = {**order["billing"], "vat": ""}
    else:
        changed["total"] = 29.35
    assert shape_differences(order, changed) != []
