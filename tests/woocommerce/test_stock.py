"""Stock in a WooCommerce store: found by SKU (products and variations), read, set absolutely."""

from __future__ import annotations

from typing import Any

import httpx

from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.model.ports.channel import QuantityChange
from tests.woocommerce.conftest import add_product, add_variable_product, buy, calls

LOCATION = "store"


def change(item_id: str, quantity: int, was: int | None = None) -> QuantityChange:
    return QuantityChange(
        inventory_item_id=item_id, location_id=LOCATION, quantity=quantity, compare_quantity=was
    )


def test_skus_are_found_on_products_and_on_variations(
    woo: Any, store: WooCommerceConnector
) -> None:
    mug = add_product(woo, "MUG", 4)
    shirt = add_variable_product(woo, "SHIRT", {"SHIRT-S": 3, "SHIRT-M": 6})
    found = store.inventory_items_by_sku(["MUG", "SHIRT-M", "NOT-SOLD-HERE"])
    assert set(found) == {"MUG", "SHIRT-M"}
    assert found["MUG"].inventory_item_id == f"product/{mug['id']}"
    assert found["SHIRT-M"].inventory_item_id.startswith(f"product/{shirt['id']}/variation/")
    assert found["SHIRT-M"].product_id == str(shirt["id"])
    ids = [found["MUG"].inventory_item_id, found["SHIRT-M"].inventory_item_id]
    assert store.available_quantities(ids, store.primary_location_id()) == {ids[0]: 4, ids[1]: 6}


def test_stock_is_set_as_an_absolute_counted_quantity(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", quantity=None)  # the store did not count it
    add_variable_product(woo, "SHIRT", {"SHIRT-S": 3})
    items = store.inventory_items_by_sku(["MUG", "SHIRT-S"])
    outcome = store.set_available(
        [
            change(items["MUG"].inventory_item_id, 7),
            change(items["SHIRT-S"].inventory_item_id, 0, 3),
        ]
    )
    assert (len(outcome.applied), outcome.stale, outcome.failed) == (2, [], [])
    stock = woo.control("GET", "stock").json()
    assert (stock["MUG"], stock["SHIRT-S"]) == (7, 0)
    # Counted now: the store refuses to sell what the ERP says is gone.
    sold_out = httpx.post(
        f"{woo.url}/_sandbox/purchases",
        json={"lines": [{"sku": "SHIRT-S", "quantity": 1}]},
        trust_env=False,
    )
    assert sold_out.status_code == 409


def test_more_than_100_quantities_go_in_calls_of_100_at_most(
    woo: Any, store: WooCommerceConnector
) -> None:
    skus = [f"SKU-{n:03d}" for n in range(150)]
    for sku in skus:
        add_product(woo, sku, 1)
    items = store.inventory_items_by_sku(skus)
    woo.control("DELETE", "calls")
    outcome = store.set_available([change(items[s].inventory_item_id, 9) for s in skus])
    assert len(outcome.applied) == 150 and not outcome.failed
    batches = [c for c in calls(woo) if c["path"].endswith("/products/batch")]
    assert len(batches) == 2
    assert set(woo.control("GET", "stock").json().values()) == {9}


def test_a_refused_item_is_its_own_failure_and_the_others_are_written(
    woo: Any, store: WooCommerceConnector
) -> None:
    mug = add_product(woo, "MUG", 2)
    outcome = store.set_available(
        [
            change(f"product/{mug['id']}", 5),
            change("product/987654", 5),  # deleted from the store since it was found
            change("a shopify gid", 5),
        ]
    )
    assert [c.inventory_item_id for c in outcome.applied] == [f"product/{mug['id']}"]
    assert [c.inventory_item_id for c in outcome.failed] == ["product/987654", "a shopify gid"]
    assert "woo stock of product/987654" in outcome.errors[0]
    assert "not a WooCommerce stock item" in outcome.errors[1]
    assert woo.control("GET", "stock").json()["MUG"] == 5


def test_there_is_no_compare_and_set_a_sale_in_between_is_overwritten(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "MUG", 5)
    item = store.inventory_items_by_sku(["MUG"])["MUG"].inventory_item_id
    read = store.available_quantities([item], LOCATION)[item]
    buy(woo, ("MUG", 1))  # a sale after the read
    outcome = store.set_available([change(item, 3, was=read)])
    # Written, never reported stale: WooCommerce cannot refuse it (docs: the next stock
    # run publishes the lower figure once the order reaches the hub).
    assert outcome.stale == [] and len(outcome.applied) == 1
    assert woo.control("GET", "stock").json()["MUG"] == 3
