"""The ERP's catalogue in a WooCommerce store: created, kept equal, archived, by SKU."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from causeway.connectors.woocommerce import WooCommerceConnector
from causeway.connectors.woocommerce.products import Listing
from causeway.errors import PermanentError
from causeway.model.catalog import CatalogItem
from tests.woocommerce.conftest import add_product, add_variable_product, calls, connect

WEIGHT_UNIT = "settings/products/woocommerce_weight_unit"


def item(sku: str, **fields: Any) -> CatalogItem:
    values: dict[str, Any] = {
        "sku": sku,
        "title": f"Mug {sku}",
        "description": "Stoneware.\n\nDishwasher safe.",
        "price": Decimal("12.50"),
        "source_id": "7",
    }
    return CatalogItem(**(values | fields))


def api(woo: Any, path: str) -> Any:
    return httpx.get(woo.api_url + path, auth=woo.auth, trust_env=False).json()


def test_a_new_sku_becomes_a_published_simple_product(
    woo: Any, store: WooCommerceConnector
) -> None:
    listing = store.create_listing(
        item("MUG-1", compare_at_price=Decimal("15.00"), weight=Decimal(350), weight_unit="g")
    )
    shown = api(woo, f"products/{listing.product_id}")
    assert (shown["name"], shown["sku"], shown["status"], shown["type"]) == (
        "Mug MUG-1",
        "MUG-1",
        "publish",
        "simple",
    )
    # The customer pays 12.50, struck through from 15.00; 350 g in the store's kg.
    assert (shown["regular_price"], shown["sale_price"], shown["weight"]) == (
        "15.00",
        "12.50",
        "0.35",
    )
    assert shown["description"] == "<p>Stoneware.</p><p>Dishwasher safe.</p>"


def asked_the_weight_unit(woo: Any) -> int:
    return sum(c["path"].endswith(WEIGHT_UNIT) for c in calls(woo))


def test_weights_are_written_in_the_unit_the_store_is_set_to(
    woo: Any, store: WooCommerceConnector
) -> None:
    # The merchant weighs in pounds (WooCommerce > Settings > Products).
    httpx.put(woo.api_url + WEIGHT_UNIT, json={"value": "lbs"}, auth=woo.auth, trust_env=False)
    woo.control("DELETE", "calls")
    for sku in ("MUG-1", "MUG-2"):
        listing = store.create_listing(item(sku, weight=Decimal(350), weight_unit="g"))
        assert api(woo, f"products/{listing.product_id}")["weight"] == "0.772"
    assert asked_the_weight_unit(woo) == 1  # once, then remembered


def test_a_configured_weight_unit_is_used_without_asking_the_store(woo: Any) -> None:
    with connect(woo, weight_unit="g") as configured:
        listing = configured.create_listing(item("MUG-1", weight=Decimal("0.35"), weight_unit="kg"))
    assert api(woo, f"products/{listing.product_id}")["weight"] == "350"
    assert asked_the_weight_unit(woo) == 0


def test_only_what_differs_is_sent_and_nothing_when_nothing_does(
    woo: Any, store: WooCommerceConnector
) -> None:
    listing = store.create_listing(item("MUG-1"))
    woo.control("DELETE", "calls")
    assert store.sync_listing(listing, item("MUG-1")) is False
    assert calls(woo) == []
    fresh = store.listings_by_sku(["MUG-1"])["MUG-1"]
    assert store.sync_listing(fresh, item("MUG-1", price=Decimal("11.00"))) is True
    (write,) = [c for c in calls(woo) if c["method"] != "GET"]
    assert write["path"].endswith("/products/batch")
    assert api(woo, f"products/{listing.product_id}")["regular_price"] == "11.00"


def test_a_create_sent_again_takes_the_product_already_there(
    woo: Any, store: WooCommerceConnector
) -> None:
    first = store.create_listing(item("MUG-1"))
    # The hub crashed before it recorded the create: it creates again.
    again = store.create_listing(item("MUG-1"))
    assert again.product_id == first.product_id
    assert len(api(woo, "products?sku=MUG-1")) == 1


def test_a_sku_sold_as_a_variation_keeps_its_products_name(
    woo: Any, store: WooCommerceConnector
) -> None:
    shirt = add_variable_product(woo, "SHIRT", {"SHIRT-M": 3})
    listing = store.listings_by_sku(["SHIRT-M"])["SHIRT-M"]
    assert listing.variation is not None and listing.product.id == shirt["id"]
    # A store edit of the variation names the variation: the listing carries its id.
    assert listing.product_id == str(listing.variation.id)
    assert store.sync_listing(listing, item("SHIRT-M", title="Shirt, medium")) is True
    variation = api(woo, f"products/{shirt['id']}/variations/{listing.variation.id}")
    assert variation["regular_price"] == "12.50"
    assert api(woo, f"products/{shirt['id']}")["name"] == "Shirt SHIRT"


def test_an_item_no_longer_for_sale_is_made_private_never_deleted(
    woo: Any, store: WooCommerceConnector
) -> None:
    add_product(woo, "OLD-1", 0)
    listing = store.listings_by_sku(["OLD-1"])["OLD-1"]
    assert store.archive_listing(listing, "OLD-1") is True
    assert api(woo, f"products/{listing.product_id}")["status"] == "private"
    archived = store.listings_by_sku(["OLD-1"])["OLD-1"]
    assert store.archive_listing(archived, "OLD-1") is False


def deleted_since_found(woo: Any, store: WooCommerceConnector, sku: str) -> Listing:
    """A product the hub found, which someone then deleted in wp-admin, for good."""
    add_product(woo, sku, 1)
    listing = store.listings_by_sku([sku])[sku]
    httpx.delete(
        f"{woo.api_url}products/{listing.product_id}", params={"force": "true"}, auth=woo.auth
    ).raise_for_status()
    return listing


def test_many_skus_are_published_in_batches_each_with_its_own_outcome(
    woo: Any, store: WooCommerceConnector
) -> None:
    stale = deleted_since_found(woo, store, "GONE")
    items = {f"NEW-{n:03d}": (None, item(f"NEW-{n:03d}")) for n in range(120)}
    items["GONE"] = (stale, item("GONE", price=Decimal("9.00")))
    woo.control("DELETE", "calls")
    result = store.publish_listings(items)
    refused = {sku: r for sku, r in result.items() if isinstance(r, PermanentError)}
    assert list(refused) == ["GONE"]
    assert "WooCommerce refused product GONE" in str(refused["GONE"])
    assert len(api(woo, "products?per_page=100&page=2")) == 20  # 120 created
    writes = [c for c in calls(woo) if c["method"] == "POST"]
    assert len(writes) == 2  # 120 creates and 1 update: 100 items a call


def test_a_refused_update_raises_with_the_stores_reason(
    woo: Any, store: WooCommerceConnector
) -> None:
    listing = deleted_since_found(woo, store, "MUG-1")
    with pytest.raises(PermanentError, match=r"refused product MUG-1: .*invalid_id"):
        store.sync_listing(listing, item("MUG-1"))
