"""The Shopify connector's catalogue side against the sandbox: listings are created once,
found again by SKU or by handle, changed field by field, and refusals name the SKU."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest

from causeway.connectors.shopify.connector import ShopifyConnector
from causeway.connectors.shopify.products import ListingChanges
from causeway.errors import PermanentError
from causeway.model.catalog import CatalogItem
from causeway_sandbox.shopify import SandboxServer, SandboxSettings


@pytest.fixture
def store() -> Iterator[tuple[SandboxServer, ShopifyConnector]]:
    server = SandboxServer(SandboxSettings()).start()
    connector = ShopifyConnector(server.url, server.settings.access_token, system="shop-eu")
    yield server, connector
    connector.close()
    server.stop()


def item(**changes: object) -> CatalogItem:
    values: dict[str, object] = {
        "sku": "LAMP-1",
        "title": "Desk Lamp",
        "description": "Warm light",
        "price": Decimal("24.00"),
        "compare_at_price": Decimal("29.00"),
        "weight": Decimal("800"),
        "weight_unit": "g",
        "source_id": "1",
    }
    return CatalogItem(**{**values, **changes})  # type: ignore[arg-type]


def operations(server: SandboxServer) -> list[str]:
    return [c["operationName"] for c in server.control("GET", "calls").json()]


def test_a_listing_is_created_then_found_by_sku_with_everything_the_erp_said(
    store: tuple[SandboxServer, ShopifyConnector],
) -> None:
    server, shop = store
    created = shop.create_listing(item())
    assert shop.sync_listing(created, item()) is True
    found = shop.listings_by_sku(["LAMP-1", "NOT-THERE"])
    assert list(found) == ["LAMP-1"]
    listing = found["LAMP-1"]
    assert (listing.product.title, listing.product.handle, listing.product.status) == (
        "Desk Lamp",
        "lamp-1",
        "ACTIVE",
    )
    assert (listing.variant.price, listing.variant.compareAtPrice) == (
        Decimal("24.00"),
        Decimal("29.00"),
    )
    weight = listing.variant.inventoryItem.measurement.weight  # type: ignore[union-attr]
    assert (weight.unit, weight.value) == ("GRAMS", 800.0)  # type: ignore[union-attr]

    server.control("DELETE", "calls")
    assert shop.sync_listing(listing, item()) is False  # the store already shows it
    assert shop.archive_listing(listing, "LAMP-1") is True
    assert operations(server) == ["ProductUpdate"]


def test_an_unfinished_create_is_found_by_handle_and_a_finished_one_is_not(
    store: tuple[SandboxServer, ShopifyConnector],
) -> None:
    _, shop = store
    shop.create_listing(item())
    assert shop.listings_by_sku(["LAMP-1"]) == {}
    (unfinished,) = shop.unfinished_listings(["LAMP-1"]).values()
    shop.sync_listing(unfinished, item())
    assert shop.unfinished_listings(["LAMP-1"]) == {}
    assert list(shop.listings_by_sku(["LAMP-1"])) == ["LAMP-1"]


def test_user_errors_become_a_permanent_error_naming_the_sku_and_the_reason(
    store: tuple[SandboxServer, ShopifyConnector],
) -> None:
    _, shop = store
    listing = shop.create_listing(item())
    with pytest.raises(PermanentError) as refused:
        shop.catalog.update(listing, ListingChanges(variant={"price": "-1.00"}), "LAMP-1")
    message = str(refused.value)
    assert "shop-eu refused productVariantsBulkUpdate for SKU LAMP-1" in message
    assert "variants.0.price" in message and "GREATER_THAN_OR_EQUAL_TO" in message

    with pytest.raises(PermanentError, match="Handle 'lamp-1' already in use"):
        shop.create_listing(item())
