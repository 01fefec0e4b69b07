"""A customer buys on the storefront; the REST API shows the order in WooCommerce's shape."""

from __future__ import annotations

import httpx

from causeway_sandbox.woocommerce import WooSandboxServer
from tests.sandbox.woocommerce.conftest import buy, seed
from tests.sandbox.woocommerce.shapes import shape_differences
from tests.vendor_samples import load_sample


def test_a_purchase_is_an_order_of_the_samples_shape_and_takes_stock(
    woo: WooSandboxServer, api: httpx.Client
) -> None:
    seed(woo, "WID-1", quantity=5)
    assert buy(woo, "WID-1", 2).status_code == 201
    orders = api.get("orders").json()
    assert len(orders) == 1
    assert shape_differences(load_sample("woocommerce", "order.json"), orders[0]) == []
    product = api.get("products", params={"sku": "WID-1"}).json()[0]
    assert product["stock_quantity"] == 3
    assert shape_differences(load_sample("woocommerce", "product.json"), product) == []
