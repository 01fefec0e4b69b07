"""The console's product page, assembled (stock/view.py): the ERP's stock per warehouse,
what each channel was last told, what orders not in the ERP hold, and each channel's
listing and price; a system that does not answer is named and the rest still shows."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

import pytest

from causeway.config import parse_config
from causeway.engine import links
from causeway.engine.store import Store
from causeway.flows.catalog_to_channels.channels import Assortment, CatalogChannelSettings
from causeway.flows.catalog_to_channels.decisions import fingerprint
from causeway.stock.view import ProductSources, ProductView, listing_state, product_view
from tests.entity_records import (
    PRODUCT_FLOWS,
    SKU,
    FakeErp,
    lamp,
    lamp_published,
)
from tests.unit.hub_configs import hub_yaml

# The shop sells from the ERP's own warehouse; woo from WH-EU, at the EUR Retail list.
ERP = FakeErp({None: ("40", "35"), "WH-EU": ("12", "10")}, {None: "30.00", "EUR Retail": "27.50"})


@pytest.fixture
def sources(tmp_path: Path) -> ProductSources:
    return ProductSources.of(parse_config(hub_yaml(tmp_path, PRODUCT_FLOWS), env={}))


@pytest.fixture
def hub_store(sqlite_store: Store) -> Store:
    sqlite_store.migrate()
    return sqlite_store


def page(
    store: Store, sources: ProductSources, erp: object = ERP, held: dict | None = None
) -> ProductView:
    view = product_view(store, SKU, sources, {"erp": erp}, lambda: held or {})
    assert view is not None
    return view


def test_the_configured_channels_and_warehouses_are_read_from_causeway_yaml(
    sources: ProductSources,
) -> None:
    assert sources.erp == sources.catalog_erp == "erp"
    assert sources.stock_channels == {"shop": (), "woo": ("WH-EU",)}
    assert sources.catalog_channels["woo"].price_list == "EUR Retail"


def test_erp_stock_is_shown_per_warehouse_with_the_channels_selling_from_it(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store)
    view = page(hub_store, sources)
    assert [(s.warehouse, s.on_hand, s.forecast, s.channels) for s in view.stock] == [
        (None, Decimal("40"), Decimal("35"), ("shop",)),
        ("WH-EU", Decimal("12"), Decimal("10"), ("woo",)),
    ]
    assert view.erp_problem is None and view.title == "Desk lamp"


def test_each_channel_shows_what_it_was_last_told_and_when(
    hub_store: Store, sources: ProductSources
) -> None:
    before = time.time() - 1
    lamp_published(hub_store)
    told = {t.channel: t for t in page(hub_store, sources).told}
    assert told["shop"].quantity == 33 and told["shop"].at is not None
    assert told["shop"].at.timestamp() >= before
    assert (told["woo"].channel_sku, told["woo"].quantity, told["woo"].at) == (
        "W-LAMP",
        None,
        None,
    )


def test_units_held_by_orders_not_in_the_erp_are_shown_by_store(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store)
    held = {"shop": {SKU: Decimal(2), "OTHER": Decimal(9)}, "woo": {SKU: Decimal(1)}}
    view = page(hub_store, sources, held=held)
    assert view.held == (("shop", Decimal(2)), ("woo", Decimal(1)))
    assert view.held_total == Decimal(3)


def test_listings_show_their_state_and_each_channels_price(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store)
    listings = {row.channel: row for row in page(hub_store, sources).listings}
    shop, woo = listings["shop"], listings["woo"]
    assert (shop.state, shop.price, shop.price_list) == ("on sale", Decimal("30.00"), None)
    assert shop.published_at is not None
    assert (woo.channel_sku, woo.state, woo.price) == (
        "W-LAMP",
        "not published yet",
        Decimal("27.50"),
    )


def test_a_listing_behind_the_erp_says_the_next_run_publishes_it(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store, shown=lamp("25.00"))  # published at the old price
    shop = next(row for row in page(hub_store, sources).listings if row.channel == "shop")
    assert shop.state.startswith("out of date")
    assert shop.price == Decimal("30.00")  # what the ERP says now


def test_an_erp_that_does_not_answer_is_named_and_the_hubs_record_still_shows(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store)
    view = page(hub_store, sources, erp=FakeErp(down=True), held={"shop": {SKU: Decimal(2)}})
    assert view.erp_problem == "Tryton did not answer: connection refused"
    assert all(s.on_hand is None for s in view.stock)
    assert {t.channel: t.quantity for t in view.told} == {"shop": 33, "woo": None}
    assert view.held_total == Decimal(2)
    shop = next(row for row in view.listings if row.channel == "shop")
    assert shop.state == "published (the ERP was not read)"
    assert shop.problem == "erp did not answer: Tryton did not answer: connection refused"


def test_a_warehouse_the_erp_lacks_is_said_on_its_row_only(
    hub_store: Store, sources: ProductSources
) -> None:
    lamp_published(hub_store)
    view = page(hub_store, sources, erp=FakeErp({None: ("40", "35")}))
    rows = {s.warehouse: s for s in view.stock}
    assert rows[None].on_hand == Decimal("40")
    assert rows["WH-EU"].problem == "the ERP has no such goods product"
    assert view.erp_problem is None


def test_a_sku_nobody_knows_is_not_found(hub_store: Store, sources: ProductSources) -> None:
    erp = FakeErp({})  # no warehouse has it
    assert product_view(hub_store, "NOPE-1", sources, {"erp": erp}, dict) is None
    # Held by an order not in the ERP yet is enough to be known.
    held = {"shop": {"NOPE-1": Decimal(1)}}
    assert product_view(hub_store, "NOPE-1", sources, {"erp": erp}, lambda: held) is not None


def test_listing_states_read_as_people_say_them() -> None:
    channel = CatalogChannelSettings(system="shop")
    outside = CatalogChannelSettings(system="shop", assortment=Assortment(skus=["OTHER"]))
    published = links.Link("h", "shop", "catalog", SKU, None, None)
    off = lamp(active=False)
    off_link = links.Link("h", "shop", "catalog", SKU, fingerprint(off), None)
    deleted = links.Link("h", "shop", "catalog", SKU, "deleted", None)
    assert listing_state(channel, None, lamp(), in_store=False, mark=None) == "not published yet"
    assert listing_state(outside, None, lamp(), in_store=False, mark=None).startswith(
        "not sold here"
    )
    assert listing_state(channel, off_link, off, in_store=True, mark=None) == "off sale (archived)"
    assert listing_state(channel, deleted, None, in_store=True, mark=None).startswith("archived")
    assert listing_state(channel, published, lamp(), in_store=True, mark="parked:x").startswith(
        "not published: its job is parked"
    )
